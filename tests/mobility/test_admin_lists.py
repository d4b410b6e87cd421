"""The admin's lists of large tables (flows, activities, observations): an estimated length only when unfiltered,
said to be one; a year filter read from the index; the newest flows first; a cost that does not grow with the rows."""

import datetime

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db import connection

from core import admin as core_admin
from mobility.models import MobilityFlow
from tests import factories
from tests.services import need_postgres

FLOWS = "/admin/mobility/mobilityflow/"


@pytest.fixture
def flows(db):
    """Six flows: three in 2024, two in 2022, one in 2019."""
    return [factories.MobilityFlowFactory(year=year) for year in (2024, 2022, 2024, 2019, 2022, 2024)]


@pytest.fixture
def estimate(monkeypatch):
    """PostgreSQL's estimate of the table's rows, as the planner would give it, whatever the database."""

    def estimated(rows):
        monkeypatch.setattr(core_admin, "table_count", lambda queryset: (rows, True))

    return estimated


def result_rows(page: str) -> int:
    return page.count('class="action-select"')


def test_an_unfiltered_list_of_a_large_table_gives_its_estimated_length_as_such(client, secretariat, flows, estimate):
    estimate(1_002_000)
    client.force_login(secretariat)

    page = client.get(FLOWS).content.decode()

    assert "about 1,002,000 mobility flows" in page
    assert "Select all about 1,002,000 mobility flows" in page
    assert "1002000 results" not in page  # the search bar does not repeat it as a count
    assert result_rows(page) == 6


@pytest.mark.parametrize("query", [{"year": "2024"}, {"q": "Programme"}, {"mode__exact": "physical", "year": "2024"}])
def test_a_filtered_or_searched_list_is_counted_exactly_and_never_said_to_be_about(client, secretariat, flows,
                                                                                  estimate, query):
    estimate(1_002_000)
    client.force_login(secretariat)

    page = client.get(FLOWS, query).content.decode()

    assert "about" not in page.split('<p class="paginator">')[1]
    expected = 6 if "q" in query else 3
    assert f"{expected} mobility flows" in page
    assert result_rows(page) == expected


def test_without_postgresqls_figure_the_length_is_counted(client, secretariat, flows, monkeypatch):
    monkeypatch.setattr(core_admin, "table_count", lambda queryset: None)  # SQLite, or another database
    client.force_login(secretariat)

    assert "6 mobility flows" in client.get(FLOWS).content.decode()


def test_activities_and_observations_give_an_estimate_only_unfiltered(client, secretariat, estimate):
    for state in ("draft", "published", "published"):
        factories.ActivityFactory(state=state)
    estimate(50_000)
    client.force_login(secretariat)

    assert "about 50,000 activities" in client.get("/admin/mobility/activity/").content.decode()
    filtered = client.get("/admin/mobility/activity/", {"state__exact": "published"}).content.decode()
    assert "2 activities" in filtered.split('<p class="paginator">')[1]
    assert "about" not in filtered.split('<p class="paginator">')[1]
    assert "about 50,000 observations" in client.get("/admin/objectives/observation/").content.decode()


def test_the_year_filter_offers_the_years_that_have_flows_and_keeps_its_address(client, secretariat, flows):
    client.force_login(secretariat)

    page = client.get(FLOWS).content.decode()
    filtered = client.get(FLOWS, {"year": "2022"}).content.decode()

    year_filter = page.split("By year")[1].split("</details>")[0]
    assert [chunk.split("<")[0] for chunk in year_filter.split('">')[2:]] == ["All", "2019", "2022", "2024"]
    assert result_rows(filtered) == 2


@pytest.mark.parametrize("year", ["twenty", "²", "-1"])
def test_a_year_that_is_not_one_is_refused_as_the_admin_refuses_a_bad_filter(client, secretariat, flows, year):
    client.force_login(secretariat)

    response = client.get(FLOWS, {"year": year})

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_the_newest_year_comes_first_and_the_latest_entered_first_within_it(client, secretariat, flows):
    client.force_login(secretariat)

    page = client.get(FLOWS).content.decode()

    shown = [int(chunk.split('"', 1)[0]) for chunk in page.split('name="_selected_action" value="')[1:]]
    expected = sorted(flows, key=lambda flow: (flow.year, flow.pk), reverse=True)
    assert shown == [flow.pk for flow in expected]


def test_the_flows_list_costs_the_same_at_ten_times_the_rows(client, secretariat, flows, django_assert_num_queries):
    client.force_login(secretariat)
    client.get(FLOWS)

    # Expect 7 queries: the session, the user, the user's and the Secretariat group's permissions, the years that
    # have flows, the count (on PostgreSQL, the estimate or the count in one), the page of flows with their
    # partners. The open-data licence comes from the cache, and the data releases' admin reads the same permissions.
    expected = 7
    with django_assert_num_queries(expected):
        client.get(FLOWS)
    for year in (2016, 2017, 2018, 2020, 2021, 2023, 2025, 2026, 2027):
        factories.MobilityFlowFactory.create_batch(6, year=year)
    with django_assert_num_queries(expected):
        page = client.get(FLOWS).content.decode()
    assert result_rows(page) == 50  # a page holds 50


@pytest.mark.parametrize("who", [None, "alice", "bob"])
def test_only_the_secretariat_reads_the_flows_list(client, alice, bob, flows, who):
    if who:
        client.force_login({"alice": alice, "bob": bob}[who])

    response = client.get(FLOWS)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_each_rows_checkbox_is_what_djangos_widget_writes(flows):
    flow = MobilityFlow.objects.select_related("origin", "destination").get(pk=flows[0].pk)
    model_admin = admin.site._registry[MobilityFlow]

    django_wrote = forms.CheckboxInput({"class": "action-select", "aria-label": (
        f"Select this object for an action - {flow}")}, lambda value: False).render(
        helpers.ACTION_CHECKBOX_NAME, str(flow.pk))

    assert model_admin.action_checkbox(flow) == django_wrote


@pytest.mark.django_db(transaction=True)
def test_postgresql_estimates_a_large_unfiltered_list_once_the_table_is_analysed(client, secretariat):
    need_postgres()
    de, th = factories.partner("DE"), factories.partner("TH")
    factories.MobilityFlowFactory.create_batch(6)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mobility_mobilityflow")
    client.force_login(secretariat)
    small = client.get(FLOWS).content.decode().split('<p class="paginator">')[1]
    assert "6 mobility flows" in small  # a small table is counted exactly
    assert "about" not in small
    MobilityFlow.objects.bulk_create(
        MobilityFlow(year=2000 + n % 20, origin=th, destination=de, reported_by=de, mode="physical",
                     level="higher_education", participants=1, programme=f"P{n}")
        for n in range(core_admin.ESTIMATE_FROM_ROWS + 500))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mobility_mobilityflow")

    everything = client.get(FLOWS).content.decode().split('<p class="paginator">')[1]
    one_year = client.get(FLOWS, {"year": "2003"}).content.decode().split('<p class="paginator">')[1]

    assert "about 10," in everything
    assert "about" not in one_year
    assert f"{(core_admin.ESTIMATE_FROM_ROWS + 500) // 20} mobility flows" in one_year  # the six are of 2024


ACTIVITIES = "/admin/mobility/activity/"


@pytest.fixture
def dated_activities(db):
    """Activities starting in 2019, 2022 (twice) and one with no start year or date."""
    return [factories.ActivityFactory(start_year=year, start_date=year and datetime.date(year, 3, 1))
            for year in (2022, 2019, None, 2022)]


def filter_choices(page: str, title: str) -> list[str]:
    chosen = page.split(f"By {title}")[1].split("</details>")[0]
    return [chunk.split("<")[0] for chunk in chosen.split('">')[2:]]


def test_the_start_year_filter_offers_each_year_once_and_the_activities_without_one(client, secretariat,
                                                                                   dated_activities):
    client.force_login(secretariat)

    page = client.get(ACTIVITIES).content.decode()
    empty = client.get(ACTIVITIES, {"start_year__isnull": "True"}).content.decode()

    assert filter_choices(page, "start year") == ["All", "2019", "2022", "-"]
    assert result_rows(empty) == 1


def test_the_date_hierarchy_offers_the_years_activities_start_in(client, secretariat, dated_activities):
    client.force_login(secretariat)

    page = client.get(ACTIVITIES).content.decode()
    in_2022 = client.get(ACTIVITIES, {"start_date__year": "2022"}).content.decode()

    assert '<a href="?start_date__year=2019">2019</a>' in page
    assert '<a href="?start_date__year=2022">2022</a>' in page
    assert result_rows(in_2022) == 2


def test_the_activities_list_costs_the_same_with_more_years(client, secretariat, dated_activities,
                                                            django_assert_num_queries):
    client.force_login(secretariat)
    client.get(ACTIVITIES)

    # Expect 11 queries: the session, the user, the user's and the Secretariat group's permissions, the objectives'
    # and instruments' filters, the start years, the count, the page of activities with their lead partners, the
    # first and last start date, and the years they start in.
    expected = 11
    with django_assert_num_queries(expected):
        client.get(ACTIVITIES)
    for year in range(2010, 2018):
        factories.ActivityFactory(start_year=year, start_date=datetime.date(year, 1, 1))
    with django_assert_num_queries(expected):
        page = client.get(ACTIVITIES).content.decode()
    assert filter_choices(page, "start year")[1:4] == ["2010", "2011", "2012"]


def test_postgresql_reads_the_date_hierarchys_years_from_the_index(secretariat, dated_activities):
    need_postgres()
    from mobility.models import Activity

    assert core_admin.indexed_years(Activity, "start_date") == [2019, 2022]


OBSERVATIONS = "/admin/objectives/observation/"


def test_the_observations_year_filter_offers_each_year_with_values_once(client, secretariat):
    indicator = factories.IndicatorFactory()
    for year, breakdown in ((2021, ""), (2019, ""), (2021, "region=asia"), (2023, "")):
        factories.ObservationFactory(indicator=indicator, year=year, breakdown=breakdown)
    client.force_login(secretariat)

    page = client.get(OBSERVATIONS).content.decode()
    in_2021 = client.get(OBSERVATIONS, {"year": "2021"}).content.decode()

    assert filter_choices(page, "year") == ["All", "2019", "2021", "2023"]
    assert result_rows(in_2021) == 2


def test_postgresql_reads_the_observations_years_from_their_index(db):
    need_postgres()
    from objectives.models import Observation

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'observation_year'")
        (definition,) = cursor.fetchone()
    assert definition.endswith(f"ON public.{Observation._meta.db_table} USING btree (year)")
