"""/api/v1/reports/stocktaking/: the report's numbers for other tools, the same as the page's."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from instruments.models import Instrument
from mobility.models import Partner
from reports.api import report_json
from reports.data import Period
from reports.selectors import report_activity_ids, stocktaking_summary
from tests.reports import expected
from tests.reports.conftest import build_scenario

URL = "/api/v1/reports/stocktaking/"


@pytest.fixture
def api():
    """Vera's script reads the API without a token, as public reads allow."""
    return APIClient()


def test_every_number_equals_a_plain_aggregate_query(api, scenario):
    response = api.get(URL, {"from": 2024, "to": 2025})

    assert response.status_code == 200
    data = response.json()
    ids = expected.period_ids(2024, 2025)
    assert data["period"] == {"from": 2024, "to": 2025, "years": 2, "progress_start_as_of": 2023,
                              "progress_end_as_of": 2025}
    assert data["summary"]["activities"] == len(data["activities"]) == expected.activities(ids)
    assert {a["slug"] for a in data["activities"]} == set(
        scenario.multi.__class__.objects.filter(pk__in=ids).values_list("slug", flat=True))
    for row in data["coverage"]["rows"]:
        assert row["activities"] == expected.objective_total(ids, row["objective"])
        for cell in row["cells"]:
            assert cell["activities"] == expected.cell(ids, cell["objective"], cell["instrument"])
    for total in data["coverage"]["instrument_totals"]:
        assert total["activities"] == expected.instrument_total(ids, total["instrument"])
    empty = {(c["objective"], c["instrument"]) for c in data["coverage"]["empty_cells"]}
    assert empty == {(o, i.slug) for o in range(1, 5) for i in Instrument.objects.all()
                     if expected.cell(ids, o, i.slug) == 0}
    for row in [*data["balance"]["objectives"], data["balance"]["all"]]:
        figures = expected.participants(ids, row["objective"])
        sides = expected.partners_by_side(ids, row["objective"])
        assert (row["participants_asia"], row["participants_europe"], row["reporting_participants"]) == (
            figures["asia"], figures["europe"], figures["reporting"])
        assert (row["partners_asia"], row["partners_europe"]) == (sides["asia"], sides["europe"])
    total = data["balance"]["mobility"]["total"]
    assert {k: total[k] for k in expected.mobility(2024, 2025)} == expected.mobility(2024, 2025)
    assert len(data["partners"]) == Partner.objects.count()
    for partner in data["partners"]:
        assert (partner["led"], partner["joined"]) == (expected.led(ids, partner["code"]),
                                                       expected.joined(ids, partner["code"]))
    assert data["absent_partners"] == [p["code"] for p in data["partners"] if p["total"] == 0]


def test_it_gives_the_same_figures_as_the_page_and_links_the_downloads(api, scenario):
    data = api.get(URL, {"from": 2024, "to": 2025}).json()

    downloads = data["downloads"]
    assert downloads == {"xlsx": "http://testserver/reports/stocktaking/xlsx/?from=2024&to=2025",
                         "csv": "http://testserver/reports/stocktaking/csv/?from=2024&to=2025"}
    period = Period(2024, 2025)
    report = stocktaking_summary(period, listed=list(report_activity_ids(period)))
    assert data == report_json(report, downloads=downloads, pages={"activities_next": None,
                                                                   "activities_previous": None})


def test_the_activities_come_a_page_at_a_time_with_a_link_to_the_next(api, scenario):
    first = api.get(URL, {"from": 2024, "to": 2025, "page_size": 2}).json()
    ids = expected.period_ids(2024, 2025)

    assert first["activities_count"] == first["summary"]["activities"] == expected.activities(ids)
    assert [a["slug"] for a in first["activities"]] == ["lead-listed-0", "planned-0"]  # newest first
    assert first["activities_previous"] is None
    assert first["activities_next"] == (
        "http://testserver/api/v1/reports/stocktaking/?from=2024&page=2&page_size=2&to=2025")
    second = api.get(first["activities_next"]).json()
    assert [a["slug"] for a in second["activities"]] == ["unlinked-0", "multi-0"]
    assert second["coverage"] == first["coverage"]  # every figure on every page
    assert api.get(URL, {"from": 2024, "to": 2025, "page": 9}).status_code == 404


def test_each_group_lists_its_newest_five_and_says_how_many_it_has(api, strategy):
    for n in range(4):
        build_scenario(n)

    data = api.get(URL, {"from": 2024, "to": 2025}).json()

    group = next(g for g in data["activity_groups"] if g["objective"] == 1 and g["instrument"] == "people-to-people")
    assert group["count"] == 10  # each copy's multi and ongoing, and two of the strategy's own
    assert len(group["activities"]) == 5
    assert group["activities"][:4] == ["multi-0", "multi-1", "multi-2", "multi-3"]


def test_without_a_period_it_reports_the_last_two_full_years(api, scenario):
    last = timezone.localdate().year - 1
    period = api.get(URL).json()["period"]
    assert (period["from"], period["to"]) == (last - 1, last)


@pytest.mark.parametrize(("query", "field"), [
    ({"from": "abc"}, "from"), ({"to": "1800"}, "to"), ({"from": "2101"}, "from"), ({"from": "2024.5"}, "from"),
    ({"from": 2025, "to": 2024}, "to"),
])
def test_a_bad_period_is_a_400_naming_the_parameter(api, scenario, query, field):
    response = api.get(URL, query)

    assert response.status_code == 400
    error = response.json()
    assert error["status"] == 400
    assert [(item["location"], item["field"]) for item in error["errors"]] == [("query", field)]


def test_an_unchanged_report_answers_304_to_its_etag(api, scenario):
    first = api.get(URL, {"from": 2024, "to": 2025})

    again = api.get(URL, {"from": 2024, "to": 2025}, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304


def test_the_schema_documents_the_report(api, db):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operation = schema["paths"][URL]["get"]
    assert operation["tags"] == ["reports"]
    assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} >= {"from", "to"}
    assert "400" in operation["responses"]


@pytest.mark.parametrize("copies", [1, 3])
def test_it_takes_the_same_number_of_queries_whatever_the_size(api, strategy, django_assert_num_queries, copies):
    for n in range(copies):
        build_scenario(n)
    # Expect 29 queries: how many activities the report counts and a page of their keys, newest first; the progress
    # overview at the end (objectives, priorities, indicators, observations) and at the start (the same four again),
    # the strategy, the instruments, the partners; the period's activities counted and summed, by objective, by
    # instrument, by objective and instrument, the partners taking part by objective, the activities each partner led
    # and joined; the newest activities of each objective and instrument, those and the page's with their lead
    # partners, their objectives, their instruments, their partners; whether the flows' kept totals are current, the
    # flows' totals, the demonstration flows' participants; and the round covering the period (none here:
    # test_round.py counts one)
    with django_assert_num_queries(29):
        assert api.get(URL, {"from": 2024, "to": 2025}).status_code == 200
