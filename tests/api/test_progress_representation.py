"""The progress API writes its hundreds of results directly: what it gives is what its declared fields give."""

import pytest
from rest_framework import serializers

from objectives import api
from objectives.models import Indicator, Priority
from tests import factories
from tests.licence import cold_cache

DIRECT = [api.IndicatorResultSerializer, api.RollupSerializer, api.IndicatorProgressSerializer]


@pytest.fixture
def indicators(strategy):
    """Indicators with a target, without one, with an override, and one with no data at all."""
    on_track = factories.IndicatorFactory(priority=Priority.objects.get(code="1.1"), code="1.1.a", target_value=200)
    for year, value in {2022: 120, 2024: 150}.items():
        factories.ObservationFactory(indicator=on_track, year=year, value=value)
    no_target = factories.IndicatorFactory(priority=Priority.objects.get(code="4.1"), code="4.1.a", target_value=None)
    for year, value in {2022: 90, 2025: 80}.items():
        factories.ObservationFactory(indicator=no_target, year=year, value=value)
    factories.IndicatorFactory(priority=Priority.objects.get(code="2.1"), code="2.1.a", status_override="achieved",
                               override_reason="Reported by every partner.")
    return Indicator.objects.all()


def declared_fields(monkeypatch):
    """The serializers as DRF's declared fields alone would write them."""
    for serializer in DIRECT:
        monkeypatch.setattr(serializer, "to_representation", serializers.Serializer.to_representation)


@pytest.mark.parametrize("path", ["/api/v1/progress/", "/api/v1/progress/?as_of=2023", "/api/v1/indicators/",
                                  "/api/v1/indicators/1.1.a/progress/", "/api/v1/objectives/1/"])
def test_the_progress_figures_are_those_the_declared_fields_give(indicators, anonymous, monkeypatch, path):
    direct = anonymous.get(path).json()
    declared_fields(monkeypatch)
    cold_cache()  # the answer written again, not the one kept

    assert direct == anonymous.get(path).json()


def test_each_indicator_links_to_its_own_address(indicators, anonymous):
    progress = anonymous.get("/api/v1/progress/").json()

    urls = [item["url"] for objective in progress["objectives"] for priority in objective["priorities"]
            for item in priority["indicators"]]
    assert "http://testserver/api/v1/indicators/1.1.a/" in urls
    assert "http://testserver/api/v1/indicators/4.1.a/" in urls
    assert progress["objectives"][0]["url"] == "http://testserver/api/v1/objectives/1/"


def test_the_statuses_are_in_the_language_asked(indicators, anonymous):
    english = anonymous.get("/api/v1/progress/").json()

    assert english["vision"]["status_label"] in {"Achieved", "On track", "Moderate progress", "Limited progress",
                                                  "Deterioration", "Insufficient data"}


def test_each_indicator_of_the_list_links_to_its_own_addresses(indicators, anonymous):
    listed = {item["code"]: item for item in anonymous.get("/api/v1/indicators/").json()["results"]}

    assert listed["1.1.a"]["url"] == "http://testserver/api/v1/indicators/1.1.a/"
    assert listed["4.1.a"]["observations_url"] == "http://testserver/api/v1/indicators/4.1.a/observations/"
    assert listed["2.1.a"]["partners_url"] is None  # measured for ASEM as a whole: no partners' values
