"""A partner's own values are never part of an indicator's ASEM series: not in its progress, its pages, its
downloads, the API's series, nor what the engine computes from metrics."""

import csv
import io

import pytest

from objectives import selectors
from objectives.models import Indicator, Observation
from objectives.registry import metrics
from objectives.services import refresh_computed_indicators
from tests import factories
from tests.api.conftest import client_for
from tests.csv_files import download_text, without_licence
from tests.pages import build_portal


@pytest.fixture
def portal(db):
    return build_portal(1)


def germany_reports(indicator, *years, value=9999.0):
    """Germany's own values, far from the ASEM series so that any leak shows: a rise to 9,999 would be achieved."""
    germany = factories.partner("DE")
    for year in years:
        Observation.objects.create(indicator=indicator, partner=germany, year=year, value=value)
        Observation.objects.create(indicator=indicator, partner=germany, year=year, value=value / 2,
                                   breakdown="region=asia")


def test_the_progress_of_an_indicator_rests_on_the_asem_series_alone(portal):
    indicator = portal.indicators[0]
    germany_reports(indicator, 2024, 2025)

    result = selectors.indicator_progress(indicator)
    overview = selectors.progress_overview()
    listed = selectors.indicators_progress([indicator])[indicator.pk]

    for each in (result, listed, next(i.result for i in overview.indicators if i.indicator == indicator)):
        assert (each.latest_year, each.latest_value, each.status) == (2024, 160, "on_track")
    assert selectors.progress_years()[-1] == 2024  # Germany's 2025 offers no later year


def test_the_indicator_page_and_its_csv_show_no_partner_value(client, portal):
    indicator = portal.indicators[0]
    before = client.get(indicator.get_absolute_url()).content.decode()
    germany_reports(indicator, 2023, 2024)

    page = client.get(indicator.get_absolute_url()).content.decode()
    rows = list(csv.DictReader(io.StringIO(without_licence(
        download_text(client.get(f"{indicator.get_absolute_url()}?format=csv"))))))

    assert "9,999" not in page and "4,999" not in page
    assert "160 participants (2024)" in page and "On track" in page
    assert page.count("<tr") == before.count("<tr")
    assert [row["value"] for row in rows] == ["115.0", "130.0", "145.0", "160.0", "150.0"]


def test_the_objective_and_progress_pages_are_the_same_with_partner_values(client, portal):
    pages = ["/objectives/", "/objectives/1/", "/progress/", "/"]
    before = {url: client.get(url).content for url in pages}

    germany_reports(portal.indicators[0], 2022, 2023, 2024)

    for url in pages:
        assert client.get(url).content == before[url], url


def test_the_apis_series_of_an_indicator_leaves_the_partners_out(portal):
    indicator = portal.indicators[0]
    germany_reports(indicator, 2024)
    api = client_for()

    listed = api.get(f"/api/v1/indicators/{indicator.code}/observations/").json()
    detail = api.get(f"/api/v1/indicators/{indicator.code}/").json()

    assert [row["value"] for row in listed["results"]] == [115, 130, 145, 160, 150]
    assert [row["value"] for row in detail["observations"]] == [115, 130, 145, 160, 150]
    assert detail["progress"]["latest_value"] == 160


def test_refreshing_a_computed_indicator_leaves_partner_values_alone(db):
    metrics.register("tests.flat", lambda: {2023: 5.0}, label="Five")
    try:
        computed = factories.IndicatorFactory(code="1.1.c", source=Indicator.Source.COMPUTED, metric="tests.flat")
        germany = factories.partner("DE")
        theirs = Observation.objects.create(indicator=computed, partner=germany, year=2024, value=8,
                                            is_computed=True)
        Observation.objects.create(indicator=computed, partner=germany, year=2023, value=7, is_computed=True)

        report = refresh_computed_indicators()
    finally:
        metrics.unregister("tests.flat")

    assert (report.created, report.updated, report.deleted) == (1, 0, 0)
    assert list(computed.observations.filter(partner=None).values_list("year", "value")) == [(2023, 5.0)]
    assert Observation.objects.filter(pk=theirs.pk).exists()
    assert computed.observations.filter(partner=germany).count() == 2
