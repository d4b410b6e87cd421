"""Lists: the pages' filters, search, ordering, pagination and CSV."""

import csv
import datetime
import io

import pytest

from mobility.models import Activity
from objectives.models import Objective
from tests import factories
from tests.csv_files import without_licence


@pytest.fixture
def activities(db):
    """23 published activities across objectives and partners, and one draft nobody else sees."""
    for number in range(1, 5):
        factories.ObjectiveFactory(number=number)
    jp = factories.partner("JP")
    for n in range(23):
        activity = factories.ActivityFactory(
            slug=f"activity-{n:02d}", title=f"Seminar {n:02d}" if n % 2 else f"Workshop on skills {n:02d}",
            start_date=datetime.date(2020 + n % 5, 3, 1), end_date=datetime.date(2020 + n % 5, 3, 2),
            start_year=2020 + n % 5, lead_partner=jp if n % 3 == 0 else factories.partner("DE"),
        )
        activity.objectives.set([Objective.objects.get(number=1 + n % 4)])
    factories.ActivityFactory(slug="a-draft", state=Activity.State.DRAFT)


def slugs(response) -> list[str]:
    return [activity["slug"] for activity in response.json()["results"]]


def test_activities_filter_by_objective_as_the_page_does(activities, anonymous):
    response = anonymous.get("/api/v1/activities/?objective=1&page_size=100")

    assert sorted(slugs(response)) == [f"activity-{n:02d}" for n in range(0, 23, 4)]


def test_activities_filter_by_partner_and_year_together(activities, anonymous):
    response = anonymous.get("/api/v1/activities/?partner=JP&year=2020&page_size=100")

    assert sorted(slugs(response)) == ["activity-00", "activity-15"]


def test_activities_search_every_word_in_the_title_and_text(activities, anonymous):
    response = anonymous.get("/api/v1/activities/?q=workshop+skills&page_size=100")

    assert len(slugs(response)) == 12
    assert all(slug.startswith("activity-") for slug in slugs(response))


def test_activities_sort_by_title_either_way(activities, anonymous):
    ascending = slugs(anonymous.get("/api/v1/activities/?ordering=title&page_size=100"))
    descending = slugs(anonymous.get("/api/v1/activities/?ordering=-title&page_size=100"))

    assert ascending[0] == "activity-01" and descending[0] == "activity-22"
    assert ascending == descending[::-1]


@pytest.mark.parametrize(("query", "parameter"), [
    ("objective=9", "objective"), ("year=next", "year"), ("year=1800", "year"), ("type=party", "type"),
    ("ordering=colour", "ordering"), ("partner=XX", "partner"), ("q=" + "x" * 201, "q"), ("page=0", "page"),
    ("page=first", "page"), ("page_size=0", "page_size"), ("page_size=501", "page_size"), ("format=xml", "format"),
])
def test_a_bad_filter_or_page_value_is_a_400_naming_the_parameter(activities, anonymous, query, parameter):
    response = anonymous.get(f"/api/v1/activities/?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert [(error["location"], error["field"]) for error in response.json()["errors"]] == [("query", parameter)]


def test_the_pages_add_up_to_the_count_with_no_activity_twice(activities, anonymous):
    url, seen, pages = "/api/v1/activities/?page_size=5", [], 0
    while url:
        page = anonymous.get(url).json()
        seen += [activity["slug"] for activity in page["results"]]
        url, pages = page["next"], pages + 1

    assert page["count"] == 23 == len(seen) == len(set(seen))
    assert pages == 5


def test_a_page_past_the_last_is_a_404_naming_the_page(activities, anonymous):
    response = anonymous.get("/api/v1/activities/?page=6&page_size=5")

    assert response.status_code == 404
    assert response.json()["errors"] == [{
        "location": "query", "field": "page", "code": "not_found",
        "message": "There is no page 6: the results have fewer pages.",
    }]


def test_a_page_can_hold_up_to_500(db, anonymous):
    response = anonymous.get("/api/v1/mobility/flows/?page_size=500")

    assert response.status_code == 200


def csv_text(response) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def parse_csv(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(without_licence(csv_text(response)))))


def test_a_full_csv_export_is_streamed_a_chunk_at_a_time_with_the_header_once(db, anonymous, monkeypatch):
    from mobility.api import MobilityFlowViewSet

    monkeypatch.setattr(MobilityFlowViewSet, "csv_chunk_size", 3)
    for year in range(2015, 2022):
        factories.MobilityFlowFactory(year=year)
    listed = anonymous.get("/api/v1/mobility/flows/?page_size=100").json()["results"]

    response = anonymous.get("/api/v1/mobility/flows/?format=csv")

    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="mobility-flows.csv"'
    rows = parse_csv(response)
    assert list(rows[0]) == list(listed[0])
    assert [row["id"] for row in rows] == [str(flow["id"]) for flow in listed]
    assert rows[0]["url"] == listed[0]["url"]
    assert csv_text(anonymous.get("/api/v1/mobility/flows/?format=csv")).count("id,year,origin") == 1


def test_activities_as_csv_have_every_matching_row_and_read_back(activities, anonymous):
    listed = anonymous.get("/api/v1/activities/?objective=1&page_size=100").json()["results"]

    rows = parse_csv(anonymous.get("/api/v1/activities/?objective=1&format=csv"))

    assert [row["slug"] for row in rows] == [activity["slug"] for activity in listed]
    assert rows[0]["objectives"] == "1"
    assert rows[0]["lead_partner"] == listed[0]["lead_partner"]
    assert rows[0]["url"] == listed[0]["url"]  # no ?format=csv copied into the links
    assert list(rows[0]) == list(listed[0])


def test_csv_lists_are_also_chosen_with_the_accept_header(strategy, anonymous):
    response = anonymous.get("/api/v1/partners/", HTTP_ACCEPT="text/csv")

    assert len(parse_csv(response)) == 53
    assert response["Content-Disposition"] == 'attachment; filename="partners.csv"'


def test_csv_of_a_page_has_that_page_only(activities, anonymous):
    rows = parse_csv(anonymous.get("/api/v1/activities/?format=csv&page=2&page_size=10"))

    assert len(rows) == 10


def test_an_empty_list_as_csv_still_has_its_header(db, anonymous):
    rows = csv_text(anonymous.get("/api/v1/mobility/flows/?format=csv")).splitlines()

    assert rows == ["id,year,origin,destination,direction,mode,level,participants,female,fewer_opportunities,"
                    "programme,source,reported_by,is_public,is_demo,updated_at,url",
                    "# Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/). "
                    "Cite as: ASEM Education Portal, ASEM Education Process."]


def test_nested_figures_become_dotted_csv_columns(strategy, anonymous):
    factories.IndicatorFactory(code="2.1.a", priority=strategy_priority("2.1"))

    rows = parse_csv(anonymous.get("/api/v1/indicators/?format=csv&priority=2.1"))

    assert rows[0]["code"] == "2.1.a"
    assert rows[0]["progress.status"] == "insufficient_data"
    assert rows[0]["progress.ratio"] == ""


def strategy_priority(code):
    from objectives.models import Priority

    return Priority.objects.get(code=code)


def test_a_summary_as_csv_has_its_group_columns_first(db, anonymous, partner_de, partner_th):
    factories.MobilityFlowFactory(origin=partner_th, destination=partner_de, participants=100)

    rows = parse_csv(anonymous.get("/api/v1/mobility/summary/?group_by=origin,year&format=csv"))

    assert rows == [{"origin": "TH", "year": "2024", "participants": "100", "female": "50",
                     "fewer_opportunities": "10", "flows": "1"}]


def test_a_bad_filter_on_a_csv_export_is_answered_in_json(activities, anonymous):
    response = anonymous.get("/api/v1/activities/?format=csv&year=soon")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "Content-Disposition" not in response
    assert response.json()["errors"][0]["field"] == "year"


def test_a_cell_that_would_run_as_a_spreadsheet_formula_stays_text(db, anonymous, partner_de):
    factories.ActivityFactory(slug="formula", title="=HYPERLINK(\"http://example.org\")")

    rows = parse_csv(anonymous.get("/api/v1/activities/?format=csv"))

    assert rows[0]["title"] == "'=HYPERLINK(\"http://example.org\")"


@pytest.mark.parametrize(("url", "expected"), [
    ("/api/v1/partners/?region=asia&kind=organisation", ["ASEAN"]),
    ("/api/v1/partners/?q=land&ordering=-name", ["TH", "CH", "PL", "NZ", "NL", "IE", "FI"]),
    ("/api/v1/instruments/?q=dialogue", ["policy-dialogue"]),
    ("/api/v1/organisations/?partner=BE&kind=student", ["esn", "esu"]),
])
def test_the_other_lists_filter_search_and_sort_too(strategy, anonymous, url, expected):
    results = anonymous.get(url).json()["results"]

    assert [item.get("code") or item.get("slug") for item in results] == expected


def test_flows_that_sort_equal_are_paged_without_repeats_or_gaps(db, anonymous, partner_de, partner_th):
    for n in range(12):
        factories.MobilityFlowFactory(origin=partner_th, destination=partner_de, programme=f"Scheme {n}")

    seen = []
    for page in (1, 2, 3):
        results = anonymous.get(f"/api/v1/mobility/flows/?page_size=5&page={page}").json()["results"]
        seen += [flow["id"] for flow in results]

    assert len(seen) == len(set(seen)) == 12


@pytest.mark.parametrize(("query", "parameter"), [
    ("type=", "type"), ("status=", "status"), ("partner=", "partner"), ("region=", "region"),
])
def test_an_empty_choice_is_a_400_naming_the_parameter_not_any(activities, anonymous, query, parameter):
    response = anonymous.get(f"/api/v1/activities/?{query}")

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [parameter]
    assert response.json()["errors"][0]["location"] == "query"


def test_an_empty_ordering_is_the_default_order(activities, anonymous):
    assert anonymous.get("/api/v1/activities/?ordering=").json() == anonymous.get("/api/v1/activities/").json()


def test_the_pages_still_read_an_empty_choice_as_any(activities, client):
    assert client.get("/activities/?type=&status=&partner=").status_code == 200


@pytest.fixture
def observations(db):
    """1.1.a's headline value for 2024 and one breakdown of it."""
    priority = factories.PriorityFactory(code="1.1", objective=factories.ObjectiveFactory(number=1))
    indicator = factories.IndicatorFactory(code="1.1.a", priority=priority)
    factories.ObservationFactory(indicator=indicator, year=2024)
    factories.ObservationFactory(indicator=indicator, year=2024, breakdown="region=asia")


@pytest.mark.parametrize("query", ["year=2024.5", "year_from=2020.5", "headline=banana", "headline=1",
                                   "headline="])
def test_observation_filters_refuse_what_the_schema_does_not_allow(observations, anonymous, query):
    response = anonymous.get(f"/api/v1/indicators/1.1.a/observations/?{query}")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == query.split("=")[0]


def test_observation_filters_take_whole_years_and_true_or_false(observations, anonymous):
    by_year = anonymous.get("/api/v1/indicators/1.1.a/observations/?year=2024").json()
    headline = anonymous.get("/api/v1/indicators/1.1.a/observations/?headline=true").json()
    breakdowns = anonymous.get("/api/v1/indicators/1.1.a/observations/?headline=false").json()

    assert (by_year["count"], headline["count"], breakdowns["count"]) == (2, 1, 1)
