"""The maps' data as GeoJSON: every partner's shape, and an indicator's values on them, open to anyone."""

import pytest

from objectives.models import Indicator, Observation
from partners.models import Partner
from tests.api.conftest import client_for
from tests.reporting.conftest import reported_indicator


@pytest.fixture
def skills(strategy):
    indicator = reported_indicator("3.3.p", "Adults with basic digital skills", aggregation="mean",
                                   kind=Indicator.Kind.PERCENTAGE, unit="%", baseline=(2020, 54), target=80)
    for code, value in {"DE": 61.5, "TH": 48.0, "EU": 58.0}.items():
        Observation.objects.create(indicator=indicator, partner=Partner.objects.get(code=code), year=2023,
                                   value=value)
    return indicator


def test_the_partners_map_is_a_feature_collection_with_a_shape_for_every_country(strategy):
    body = client_for().get("/api/v1/maps/partners/").json()
    features = {feature["id"]: feature for feature in body["features"]}

    assert body["type"] == "FeatureCollection" and len(features) == 53
    assert features["DE"]["geometry"]["type"] == "MultiPolygon"
    assert features["EU"]["geometry"] is None
    assert features["TH"]["properties"] == {"code": "TH", "name": "Thailand", "region": "asia", "kind": "country"}


def test_an_indicators_map_gives_each_partners_value_and_class_and_null_where_it_did_not_report(skills):
    body = client_for().get("/api/v1/indicators/3.3.p/map/?year=2024").json()
    props = {feature["id"]: feature["properties"] for feature in body["features"]}

    assert body["year"] == 2023  # nobody reported 2024: the latest year before it
    assert (props["DE"]["value"], props["TH"]["value"], props["EU"]["value"]) == (61.5, 48.0, 58.0)
    assert props["TH"]["map_class"] == 1 and props["DE"]["map_class"] == len(body["classes"])
    assert props["FR"]["value"] is None and props["FR"]["map_class"] is None


def test_a_wrong_year_or_indicator_is_a_clear_error(skills):
    api = client_for()

    assert api.get("/api/v1/indicators/3.3.p/map/?year=soon").status_code == 400
    assert api.get("/api/v1/indicators/9.9.z/map/").status_code == 404


@pytest.mark.parametrize("count", [1, 40])
def test_an_indicators_map_costs_the_same_queries_however_many_partners_report(skills, django_assert_num_queries,
                                                                                count):
    for code in Partner.objects.exclude(code__in=["DE", "TH", "EU"]).values_list("code", flat=True)[:count]:
        Observation.objects.create(indicator=skills, partner=Partner.objects.get(code=code), year=2023, value=50)
    api = client_for()

    # Expect 4 queries: the indicator, the partners, the years partners reported, the year's values
    with django_assert_num_queries(4):
        api.get("/api/v1/indicators/3.3.p/map/")
