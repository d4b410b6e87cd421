"""The maps on the progress page and the mobility page: one indicator partners report at a time, chosen by a select,
and the largest routes of the public flows; each beside a table, each costing the same queries however much data."""

import html

import pytest
from django.core.cache import cache

from objectives.models import Indicator, Observation
from partners.models import Partner
from tests.licence import cold_cache
from tests.reporting.conftest import reported_indicator


@pytest.fixture
def skills(strategy):
    cold_cache()  # the progress overview is cached: each test starts cold
    return reported_indicator("3.3.p", "Adults with basic digital skills", aggregation="mean",
                              kind=Indicator.Kind.PERCENTAGE, unit="%", baseline=(2020, 54), target=80)


@pytest.fixture
def tvet(skills):
    return reported_indicator("2.2.p", "TVET programmes co-designed with industry", aggregation="sum",
                              kind=Indicator.Kind.COUNT, unit="programmes", baseline=(2020, 140), target=400)


def report(indicator, values: dict[str, float], year: int = 2023):
    for code, value in values.items():
        Observation.objects.create(indicator=indicator, partner=Partner.objects.get(code=code), year=year,
                                   value=value)


def test_the_progress_page_maps_the_first_indicator_partners_report_unless_another_is_chosen(client, tvet, skills):
    report(skills, {"DE": 61.5, "TH": 48.0})
    report(tvet, {"FR": 12.0})

    page = client.get("/progress/").content.decode()

    assert '<svg class="map" id="progress-map"' in page
    # The OECD's students figures that load_strategy ships, 1.1.oecd1, come before 2.2.p and 3.3.p
    assert "International tertiary students from Asian partners enrolled in European partners by partner, 2019" in page
    assert '<option value="3.3.p">3.3.p Adults with basic digital skills</option>' in page
    assert len(page.encode()) < 150_000

    chosen = client.get("/progress/?map=3.3.p").content.decode()

    assert "Adults with basic digital skills by partner, 2023" in chosen
    assert "61.5 %" in chosen and "48 %" in chosen
    assert '<option value="3.3.p" selected>' in chosen
    assert '<input type="hidden" name="map" value="3.3.p">' in chosen  # the year's form keeps the map's choice


def test_the_progress_pages_map_shows_the_year_the_chart_is_as_of_or_the_latest_before_it(client, skills):
    report(skills, {"DE": 61.5}, year=2022)
    report(skills, {"DE": 70.0}, year=2024)

    page = client.get("/progress/?as_of=2023&map=3.3.p").content.decode()

    assert "Adults with basic digital skills by partner, 2022" in page
    assert '<input type="hidden" name="as_of" value="2023">' in page  # the map's form keeps the chart's year


def test_an_unknown_indicator_on_the_progress_pages_map_says_so_and_maps_the_first(client, skills):
    report(skills, {"DE": 61.5})

    response = client.get("/progress/?map=9.9.z")

    assert response.status_code == 400
    page = response.content.decode()
    assert "No indicator partners report has the code “9.9.z”" in page
    # The first indicator partners report is the OECD's students figures, 1.1.oecd1
    assert "International tertiary students from Asian partners enrolled in European partners by partner, 2019" in page


def test_a_portal_without_indicators_partners_report_has_no_map_on_its_progress_page(client, strategy):
    Indicator.objects.all().delete()  # load_strategy ships the OECD's students figures, which partners have
    cache.clear()
    assert 'class="map"' not in client.get("/progress/").content.decode()


@pytest.mark.parametrize("count", [1, 40])
def test_the_progress_page_with_its_map_costs_the_same_queries_however_many_partners_report(
    client, skills, django_assert_num_queries, count
):
    report(skills, {code: 50.0 + i for i, code in enumerate(Partner.objects.values_list("code", flat=True)[:count])})

    # Expect 8 queries: the page's own 5 (the years with data; the overview's objectives, priorities, indicators and
    # observations), and the map's 3: the years partners reported, the partners, the year's values
    with django_assert_num_queries(8):
        client.get("/progress/")


def flow(origin: str, destination: str, participants: int, year: int = 2024):
    from mobility.models import MobilityFlow

    return MobilityFlow.objects.create(
        year=year, origin=Partner.objects.get(code=origin), destination=Partner.objects.get(code=destination),
        level="higher_education", participants=participants, reported_by=Partner.objects.get(code=destination))


@pytest.fixture
def routes(strategy):
    flow("TH", "DE", 120)
    flow("DE", "TH", 40)
    flow("JP", "FR", 75)
    flow("CN", "IT", 999, year=2022)


def test_the_mobility_page_maps_the_latest_years_routes_with_a_table_of_what_each_partner_sent_and_received(
    client, routes
):
    page = client.get("/mobility/").content.decode()

    assert '<svg class="map" id="mobility-map"' in page
    assert "Where participants went, 2024" in page
    assert "Thailand to Germany, 120" in page  # the arrows, in words, in the map's description
    assert "999" not in page.split('id="mobility-map"')[1].split("</figure>")[0]  # 2022 is not the latest year
    assert "<th scope=\"row\">Germany</th><td class=\"num\">160</td><td class=\"num\">40</td>" \
           "<td class=\"num\">120</td>" in page
    assert len(page.encode()) < 150_000


def test_the_mobility_pages_map_follows_the_years_asked_and_focuses_on_the_partner_asked(client, routes):
    page = client.get("/mobility/?year_from=2022&year_to=2024").content.decode()
    assert "Where participants went, 2022 to 2024" in page
    assert "China to Italy, 999" in page

    focused = html.unescape(client.get("/mobility/?partner=DE").content.decode())
    assert "Where Germany's participants come from and go to, 2024" in focused
    assert "<th scope=\"row\">Thailand</th><td class=\"num\">160</td><td class=\"num\">40</td>" \
           "<td class=\"num\">120</td>" in focused  # from Germany 40, to Germany 120


def test_a_mobility_page_without_flows_has_no_map(client, strategy):
    assert 'class="map"' not in client.get("/mobility/").content.decode()


def test_a_partners_profile_maps_where_its_participants_come_from_and_go_to_over_all_years(client, routes):
    flow("DE", "JP", 10, year=2022)

    page = html.unescape(client.get("/partners/DE/").content.decode())

    assert '<svg class="map" id="partner-map"' in page
    assert "Where Germany's participants come from and go to, 2022 to 2024" in page
    assert ('<th scope="row">Thailand</th><td class="num">160</td><td class="num">40</td><td class="num">120</td>'
            in page)
    assert '<th scope="row">Japan</th><td class="num">10</td><td class="num">10</td><td class="num">0</td>' in page
    assert '<th scope="row">China</th><td class="num">–</td>' in page  # China to Italy is not Germany's
    assert len(page.encode()) < 150_000


def test_a_partner_without_flows_has_no_map_on_its_profile(client, strategy):
    assert 'class="map"' not in client.get("/partners/DE/").content.decode()
