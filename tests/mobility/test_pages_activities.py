import csv
import datetime
import io

import pytest

from mobility.models import Activity
from tests import factories
from tests.csv_files import without_licence
from tests.pages import SIZES, build_portal


@pytest.fixture
def portal(db):
    return build_portal(2)


def titles(response) -> list[str]:
    return [activity.title for activity in response.context["page"].object_list]


def test_it_lists_published_activities_newest_first_and_never_a_draft(client, portal):
    response = client.get("/activities/")
    assert response.status_code == 200
    assert len(titles(response)) == 6
    assert titles(response)[0].startswith("Activity 2 ")  # started 2024
    assert "An unpublished draft" not in response.content.decode()
    assert "6 activities found" in response.content.decode()


def test_it_filters_by_instrument_and_lead_partners_region(client, portal):
    response = client.get("/activities/?instrument=instrument-1&region=asia")
    assert response.status_code == 200
    # Activities 0 and 3 use instrument 1; activity 3 is led by Thailand.
    assert titles(response) == ["Activity 3 led by Thailand"]


@pytest.mark.parametrize(("query", "expected"), [
    ("objective=2", ["Activity 5 led by China", "Activity 1 led by France"]),
    ("priority=1.1", ["Activity 4 led by Japan", "Activity 0 led by Germany"]),
    ("partner=JP", ["Activity 1 led by France", "Activity 4 led by Japan"]),
    ("type=conference&status=completed&mode=physical", None),
    ("year=2022", ["Activity 0 led by Germany", "Activity 3 led by Thailand"]),
    ("q=japan", ["Activity 4 led by Japan"]),
])
def test_each_filter_narrows_the_list(client, portal, query, expected):
    response = client.get(f"/activities/?{query}")
    assert response.status_code == 200
    if expected is None:
        assert len(titles(response)) == 6
    else:
        assert titles(response) == expected


def test_it_sorts_by_title(client, portal):
    response = client.get("/activities/?ordering=title")
    assert titles(response) == sorted(titles(response))


def test_activities_known_only_by_their_year_sort_among_the_dated_ones(client, portal):
    factories.ActivityFactory(title="Known by its year", slug="by-year", start_date=None, end_date=None,
                              start_year=2023, status=Activity.Status.ONGOING)
    listed = titles(client.get("/activities/"))
    # After the two of 2024, among those of 2023 (by title), before those of 2022.
    assert listed.index("Known by its year") == 4


def test_it_paginates_twenty_to_a_page(client, db):
    lead = factories.partner("DE")
    for n in range(25):
        factories.ActivityFactory(title=f"Numbered {n:02d}", slug=f"numbered-{n}", lead_partner=lead)
    first = client.get("/activities/?ordering=title")
    assert len(titles(first)) == 20
    assert "page 1 of 2" in first.content.decode()
    assert 'href="?ordering=title&amp;page=2"' in first.content.decode()
    second = client.get("/activities/?ordering=title&page=2")
    assert titles(second) == [f"Numbered {n}" for n in range(20, 25)]
    # A page past the end shows the last one rather than an error.
    assert client.get("/activities/?page=99").status_code == 200


@pytest.mark.parametrize(("query", "message"), [
    ("partner=XX", "Partner (leading or taking part):"),
    ("year=soon", "Enter a whole number."),
    ("year=1066", "Ensure this value is greater than or equal to 1990."),
    ("instrument=no-such", "Select a valid choice."),
    ("ordering=price", "Select a valid choice."),
])
def test_an_invalid_filter_gets_a_friendly_message_never_an_error(client, portal, query, message):
    response = client.get(f"/activities/?{query}&region=asia")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Some filters could not be used" in page
    assert message in page
    # The valid filters still apply.
    assert all("Thailand" in t or "Japan" in t or "China" in t for t in titles(response))


def test_the_csv_export_holds_the_filtered_list(client, portal):
    response = client.get("/activities/?region=asia&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(without_licence(b"".join(response.streaming_content).decode()))))
    assert [row["title"] for row in rows] == [
        "Activity 5 led by China", "Activity 4 led by Japan", "Activity 3 led by Thailand"]
    assert rows[0]["lead_partner"] == "CN"
    assert rows[0]["objectives"] == "2"
    assert rows[0]["priorities"] == "2.1"
    assert rows[0]["instruments"] == "instrument-3"
    assert rows[0]["partners"] == "CN; DE"
    assert rows[0]["is_demo"] == "no"


def test_the_csv_export_defuses_cells_a_spreadsheet_would_run(client, db):
    factories.ActivityFactory(title="=HYPERLINK(\"http://evil\")", slug="formula")
    text = b"".join(client.get("/activities/?format=csv").streaming_content).decode()
    rows = list(csv.reader(io.StringIO(without_licence(text))))
    assert rows[1][1] == "'=HYPERLINK(\"http://evil\")"


def test_the_csv_export_refuses_invalid_filters_in_words(client, portal):
    response = client.get("/activities/?partner=XX&format=csv")
    assert response.status_code == 400
    assert "some filters are not valid" in response.content.decode()


def test_an_activity_shows_what_a_visitor_needs_and_the_source_of_a_real_record(client, portal):
    activity = portal.activities[0]
    response = client.get(activity.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert activity.title in page
    assert "Conference or seminar" in page
    assert "1 Mar 2022 – 2 Mar 2022" in page
    assert f'href="{portal.partners["DE"].get_absolute_url()}"' in page
    assert "Objective number 1" in page
    assert "Instrument 1" in page
    assert 'href="https://example.org/source"' in page


def test_an_activity_known_only_by_its_years_says_so(client, db):
    activity = factories.ActivityFactory(slug="years", start_date=None, end_date=None, start_year=2019,
                                         end_year=2022, lead_partner=None, lead_description="Several partners")
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "2019–2022" in page
    assert "Several partners" in page


@pytest.mark.parametrize("state", [Activity.State.DRAFT, Activity.State.SUBMITTED, Activity.State.RETURNED])
def test_an_activity_not_yet_published_is_not_found(client, db, state):
    activity = factories.ActivityFactory(slug="hidden", state=state)
    assert client.get(activity.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("size", SIZES)
def test_the_list_takes_the_same_number_of_queries_whatever_the_size(client, db, django_assert_num_queries, size):
    build_portal(size)
    # Expect 9 queries: the count; the page of activities with their lead partners; their objectives,
    # instruments and partners; the choices of the objective, priority, instrument and partner filters
    with django_assert_num_queries(9):
        assert client.get("/activities/").status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_a_filtered_list_takes_the_same_number_of_queries_whatever_the_size(
    client, db, django_assert_num_queries, size
):
    build_portal(size)
    # Expect 10 queries: the chosen instrument; the count; the page of activities with their lead partners;
    # their objectives, instruments and partners; the choices of the four filters that list records
    with django_assert_num_queries(10):
        assert client.get("/activities/?instrument=instrument-1&region=europe").status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_the_csv_export_takes_the_same_number_of_queries_whatever_the_size(
    client, db, django_assert_num_queries, size
):
    build_portal(size)
    # Expect 6 queries: the activities with their lead partners; their objectives, instruments, partners,
    # priorities and organisations
    with django_assert_num_queries(6):
        response = client.get("/activities/?format=csv")
        b"".join(response.streaming_content)


@pytest.mark.parametrize("size", SIZES)
def test_an_activity_takes_the_same_number_of_queries_whatever_the_size(client, db, django_assert_num_queries, size):
    build_portal(size)
    # Expect 6 queries: the activity with its lead partner; its objectives, instruments, partners,
    # organisations, and priorities with their objectives
    with django_assert_num_queries(6):
        assert client.get(f"/activities/activity-{size}-0/").status_code == 200


def test_the_default_order_is_newest_first_in_the_filter_set_too(db):
    from mobility.filters import ActivityFilter
    from mobility.selectors import public_activities

    lead = factories.partner("DE")
    older = factories.ActivityFactory(slug="older", start_date=datetime.date(2020, 1, 1), start_year=2020,
                                      end_date=None, lead_partner=lead)
    newer = factories.ActivityFactory(slug="newer", start_date=datetime.date(2023, 1, 1), start_year=2023,
                                      end_date=None, lead_partner=lead)
    assert list(ActivityFilter({}, queryset=public_activities()).qs) == [newer, older]
