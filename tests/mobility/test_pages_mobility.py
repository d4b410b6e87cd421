import csv
import io
import re

import pytest

from mobility import totals
from mobility.models import MobilityFlow
from tests import factories
from tests.csv_files import without_licence
from tests.pages import SIZES, build_portal


@pytest.fixture
def portal(db):
    return build_portal(2)


def test_it_shows_flows_by_year_and_direction_with_the_balance(client, portal):
    response = client.get("/mobility/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="chart-directions" role="img"' in page
    assert 'id="chart-balance" role="img"' in page
    # Each year: 100 + 101 from Asia to Europe, 60 + 61 back; 121 / 201 = 0.60.
    assert ('<th scope="row">2024</th><td class="num">201</td><td class="num">121</td>'
            '<td class="num">0</td><td class="num">0</td><td class="num">0.60</td>') in page
    assert "Balance, 2024" in page


def test_it_shows_flows_by_mode_and_by_level(client, portal):
    page = client.get("/mobility/").content.decode()
    assert 'id="chart-modes" role="img"' in page
    assert 'id="chart-levels" role="img"' in page
    assert "Participants by year and mode" in page
    assert "Participants by year and level" in page
    assert "Physical: 603 in all." in page and "Virtual: 363 in all." in page
    assert "Higher education: 603." in page and "Staff: 363." in page


def test_it_shows_the_largest_corridors(client, portal):
    page = client.get("/mobility/").content.decode()
    assert 'id="chart-corridors" role="img"' in page
    assert "Japan to France: 303." in page
    assert "Thailand to Germany: 300." in page


def test_the_headline_counts_only_the_flows_between_asia_and_europe_and_says_so(client, portal):
    MobilityFlow.objects.create(year=2024, origin=portal.partners["TH"], destination=portal.partners["JP"],
                                participants=500, level="staff", mode="physical", reported_by=portal.partners["JP"])

    page = client.get("/mobility/").content.decode()

    # 2022 to 2024: 100 + 101 from Asia to Europe and 60 + 61 back each year; the 500 within Asia are apart.
    assert "<dt>Participants moving between Asia and Europe, both ways</dt><dd>966</dd>" in page
    assert "<dd>1,466</dd>" not in page
    assert "These figures count the flows from Asia to Europe and from Europe to Asia only." in page
    assert "The flows shown within Asia and within Europe, 500 participants, are counted apart" in page


def test_the_figures_follow_the_filters(client, portal):
    response = client.get("/mobility/?direction=europe_to_asia&year=2023")
    assert response.status_code == 200
    assert response.context["totals"]["participants"] == 121
    assert [row.year for row in response.context["by_year"]] == [2023]


@pytest.mark.parametrize(("query", "message"), [
    ("year=last", "Enter a whole number."),
    ("origin=ZZ", "Select a valid choice."),
    ("direction=sideways", "Select a valid choice."),
    ("year_from=3000", "Ensure this value is less than or equal to 2100."),
])
def test_an_invalid_filter_gets_a_friendly_message_never_an_error(client, portal, query, message):
    response = client.get(f"/mobility/?{query}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Some filters could not be used" in page
    assert message in page


def test_a_year_range_that_ends_before_it_starts_is_explained_as_a_form_error(client, portal):
    response = client.get("/mobility/?year_from=2024&year_to=2020")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Some filters could not be used" in page
    assert "The range cannot end before it starts: to year (2020) is before from year (2024)." in page
    assert "No mobility flow matches these filters." not in page
    assert 'value="2020"' in page and 'value="2024"' in page


def test_a_reversed_year_range_is_refused_for_the_csv_export_too(client, portal):
    response = client.get("/mobility/?year_from=2024&year_to=2020&format=csv")

    assert response.status_code == 400
    assert "The range cannot end before it starts" in response.content.decode()


def test_a_year_that_is_not_a_number_stays_in_its_box_beside_its_error(client, portal):
    page = client.get("/mobility/?year=abc").content.decode()

    box = re.search(r'<input [^>]*name="year"[^>]*>', page).group(0)
    # A number box cannot show "abc": the browser would show it empty.
    assert 'type="text"' in box and 'value="abc"' in box and 'inputmode="numeric"' in box
    assert 'aria-invalid="true"' in box


def test_no_matching_flow_says_so(client, portal):
    page = client.get("/mobility/?year=2010").content.decode()
    assert "No mobility flow matches these filters." in page


def test_the_csv_export_holds_the_filtered_flows(client, portal):
    response = client.get("/mobility/?partner=DE&format=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(without_licence(b"".join(response.streaming_content).decode()))))
    assert len(rows) == 6
    assert {(row["origin"], row["destination"]) for row in rows} == {("TH", "DE"), ("DE", "TH")}
    first = rows[0]
    assert set(first) >= {"year", "origin", "destination", "direction", "mode", "level", "participants", "female",
                          "fewer_opportunities", "programme", "is_demo"}
    assert {row["direction"] for row in rows} == {"asia_to_europe", "europe_to_asia"}


def test_the_csv_export_refuses_invalid_filters_in_words(client, portal):
    response = client.get("/mobility/?year=last&format=csv")
    assert response.status_code == 400
    assert "Year: Enter a whole number." in response.content.decode()


@pytest.mark.parametrize("kept_totals", [False, True], ids=["summing-the-flows", "reading-the-kept-totals"])
@pytest.mark.parametrize("size", SIZES)
def test_the_page_takes_the_same_number_of_queries_whatever_the_size(
    client, db, django_assert_num_queries, size, kept_totals
):
    build_portal(size)
    if kept_totals:
        totals.rebuild()
    # Expect 11 queries: whether the kept totals are current; the totals by year, direction, mode and level
    # (from them, or from the flows when they are not); the same two for the largest corridors (by route);
    # whether any is demo; the choices of the origin, destination and partner filters; and the map's three: the
    # same two for the latest year's routes, and the partners' names
    with django_assert_num_queries(11):
        assert client.get("/mobility/").status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_a_filtered_page_takes_the_same_number_of_queries_whatever_the_size(
    client, db, django_assert_num_queries, size
):
    build_portal(size)
    totals.rebuild()
    # Expect 8 queries: the chosen partner; the flows summed by year, direction, mode and level (no kept
    # totals have both partners and modes, so none is asked); whether the kept totals are current and the
    # largest corridors from the routes' totals; whether any is demo; the choices of the origin, destination
    # and partner filters; and the map's three: whether the kept totals are current, the routes the filters chose
    # from them, and the partners' names
    with django_assert_num_queries(11):
        assert client.get("/mobility/?partner=DE&year_from=2023").status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_the_csv_export_takes_the_same_number_of_queries_whatever_the_size(
    client, db, django_assert_num_queries, size
):
    build_portal(size)
    MobilityFlow.objects.create(year=2020, origin=factories.partner("DE"), destination=factories.partner("CN"),
                                level="school", participants=3, reported_by=factories.partner("CN"))
    # Expect 1 query: the flows with their origin and destination partners
    with django_assert_num_queries(1):
        b"".join(client.get("/mobility/?format=csv").streaming_content)


@pytest.mark.parametrize("path", ["/api/v1/mobility/flows/", "/api/v1/mobility/summary/"])
def test_the_api_refuses_a_reversed_year_range_with_the_pages_message(client, portal, path):
    response = client.get(f"{path}?year_from=2024&year_to=2020")

    assert response.status_code == 400
    assert "The range cannot end before it starts" in response.content.decode()
    assert "year_to" in response.content.decode()


def test_the_summary_names_a_bad_group_by_its_start_only(client, portal):
    response = client.get(f"/api/v1/mobility/summary/?group_by={'x' * 5000},{','.join(['y'] * 500)}")

    assert response.status_code == 400
    assert "Cannot group by " + "x" * 50 + "…" in response.content.decode()
    assert len(response.content) < 2000
