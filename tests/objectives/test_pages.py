import csv
import io
import re

import pytest
from django.utils import timezone

from objectives.models import Observation
from tests import factories
from tests.csv_files import download_text, without_licence
from tests.pages import SIZES, build_portal


@pytest.fixture
def portal(db):
    return build_portal(1)


def test_the_objectives_page_lists_the_four_with_their_priorities_and_status(client, portal):
    response = client.get("/objectives/")
    assert response.status_code == 200
    page = response.content.decode()
    for objective in portal.objectives:
        assert f'href="{objective.get_absolute_url()}"' in page
    for priority in portal.priorities:
        assert priority.title in page
    assert "On track" in page
    assert 'href="/activities/?objective=1"' in page


def test_an_objective_shows_its_priorities_and_their_indicators_with_status_and_trend(client, portal):
    response = client.get("/objectives/1/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Objective number 1" in page
    assert "Priority 1.1" in page and "Priority 1.2" in page
    for indicator in portal.indicators[:2]:
        assert f'href="{indicator.get_absolute_url()}"' in page
        # The trend is a small chart with a title and a description.
        trend_id = f"trend-{indicator.code.replace('.', '-')}"
        assert f'id="{trend_id}" role="img" aria-labelledby="{trend_id}-title {trend_id}-desc"' in page
    assert "From 115 in 2021 to 160 in 2024." in page
    assert '<span class="status status-on_track">On track</span>' in page


def test_an_objective_shows_the_activities_that_serve_it_and_never_a_draft(client, portal):
    page = client.get("/objectives/1/").content.decode()
    assert "Activities serving this objective" in page
    assert portal.activities[0].title in page
    assert "An unpublished draft" not in page


def test_an_unknown_objective_is_not_found(client, portal):
    assert client.get("/objectives/9/").status_code == 404


def test_an_indicator_shows_its_chart_with_baseline_target_and_the_path_to_it(client, portal):
    indicator = portal.indicators[0]
    response = client.get(indicator.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    chart_id = f"chart-indicator-{indicator.code.replace('.', '-')}"
    assert f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"' in page
    # At this pace: 160 * 1.6 ** (6 / 4) = 323.82.
    description = ("Baseline 2020: 100 participants. Latest, 2024: 160. Target for 2030: 200. At this pace, 323.82 "
                   "in 2030. Status: On track.")
    assert f'<desc id="{chart_id}-desc">{description}</desc>' in page
    assert "Path to the target" in page
    assert "Baseline" in page and "Target" in page


def test_an_indicator_shows_every_figure_behind_its_status(client, portal):
    page = client.get(portal.indicators[0].get_absolute_url()).content.decode()
    assert "The figures behind the status" in page
    assert "100 participants (2020)" in page
    assert "160 participants (2024)" in page
    assert "200 participants (2030)" in page
    # (160 / 100) ** (1 / 4) - 1 and (200 / 100) ** (1 / 10) - 1
    assert "+12.47 % a year" in page
    assert "+7.18 % a year" in page
    assert "1.74" in page
    assert "Compound annual growth" in page
    assert "Higher is better" in page


def test_an_indicator_shows_its_data_as_a_table_and_its_breakdowns(client, portal):
    page = client.get(portal.indicators[0].get_absolute_url()).content.decode()
    assert "Observations of 1.1.a, in participants" in page
    for year, value in [(2021, "115"), (2022, "130"), (2023, "145"), (2024, "160")]:
        assert f'<th scope="row">{year}</th><td class="num">{value}</td>' in page
    assert "Breakdowns" in page
    assert "By region" in page
    assert '<th scope="row">Asia</th><td class="num">150</td>' in page


def test_an_indicators_data_downloads_as_csv(client, portal):
    response = client.get(f"{portal.indicators[0].get_absolute_url()}?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="indicator-1.1.a.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(without_licence(download_text(response)))))
    assert len(rows) == 5
    assert rows[0] == {"indicator": "1.1.a", "year": "2021", "breakdown": "", "value": "115.0",
                       "unit": "participants", "computed": "no", "coverage": "", "note": ""}
    assert rows[-1]["breakdown"] == "region=asia"


def test_an_indicator_as_of_an_earlier_year_uses_only_what_was_known_then(client, portal):
    page = client.get(f"{portal.indicators[0].get_absolute_url()}?as_of=2022").content.decode()
    assert "Status as of 2022" in page
    assert "130 participants (2022)" in page
    assert "Observed after 2022" in page


def test_a_count_shows_whole_numbers_in_its_figures_table_chart_and_csv(client, portal):
    teachers = factories.IndicatorFactory(priority=portal.priorities[0], code="1.1.t", unit="teachers", kind="count",
                                          baseline_value=3200.0, target_value=None)
    factories.ObservationFactory(indicator=teachers, year=2023, value=3093.04)

    page = client.get(teachers.get_absolute_url()).content.decode()
    rows = list(csv.DictReader(io.StringIO(without_licence(
        download_text(client.get(f"{teachers.get_absolute_url()}?format=csv"))))))

    assert "3,093 teachers (2023)" in page
    assert '<th scope="row">2023</th><td class="num">3,093</td>' in page
    assert "Latest, 2023: 3,093." in page
    assert "3,093.04" not in page
    assert "<title>Observed, 2023: 3,093</title>" in page  # a year has no thousands separator
    assert rows[0]["value"] == "3093"


def test_a_value_unchanged_at_its_precision_is_not_a_deterioration_nor_a_negative_ratio(client, portal):
    balance = factories.IndicatorFactory(priority=portal.priorities[0], code="1.1.r", unit="ratio", kind="measure",
                                         baseline_year=2019, baseline_value=0.7047, target_value=0.9)
    factories.ObservationFactory(indicator=balance, year=2023, value=0.7045)

    page = client.get(balance.get_absolute_url()).content.decode()

    assert "0.7 ratio (2019)" in page and "0.7 ratio (2023)" in page
    assert "Limited progress" in page
    assert "Deterioration" not in page
    assert "-0.00" not in page
    assert "<td>0.00</td>" in page


def test_an_indicator_without_a_target_says_its_chart_shows_none(client, portal):
    indicator = factories.IndicatorFactory(priority=portal.priorities[0], code="1.1.n", target_value=None)

    page = client.get(indicator.get_absolute_url()).content.decode()

    assert "No target is set, so the chart shows no target and no path to one." in page
    assert "path that would reach the target" not in page


def test_a_year_that_has_not_ended_is_shown_as_provisional_and_rests_no_status(client, portal):
    this_year = timezone.localdate().year
    activities = factories.IndicatorFactory(priority=portal.priorities[0], code="1.1.y", unit="activities",
                                            kind="count", baseline_year=this_year - 3, baseline_value=5.0,
                                            target_value=6.0)
    for year, value in [(this_year - 2, 6.0), (this_year - 1, 6.0), (this_year, 1.0)]:
        factories.ObservationFactory(indicator=activities, year=year, value=value)

    page = client.get(activities.get_absolute_url()).content.decode()

    assert f"Status as of {this_year - 1}" in page
    assert "Achieved" in page and "Deterioration" not in page
    assert "Year to date, provisional: the year has not ended" in page
    assert f'<option value="{this_year}"' not in page
    assert f'<option value="{this_year - 3}"' in page


def test_an_indicator_offers_the_years_from_its_baseline_to_its_last_whole_year(client, portal):
    page = client.get(portal.indicators[0].get_absolute_url()).content.decode()

    offered = [int(year) for year in re.findall(r'<option value="(\d+)"', page)]

    assert offered == [2024, 2023, 2022, 2021, 2020]


def test_an_indicator_with_a_status_set_by_hand_shows_the_reason(client, portal):
    indicator = portal.indicators[0]
    indicator.status_override = "moderate"
    indicator.override_reason = "The 2024 count is incomplete."
    indicator.save()
    page = client.get(indicator.get_absolute_url()).content.decode()
    assert "Set by hand:" in page
    assert "The 2024 count is incomplete." in page
    assert "Moderate progress" in page


def test_an_indicator_without_observations_says_so(client, portal):
    indicator = factories.IndicatorFactory(priority=portal.priorities[7], code="4.2.a", name="Not measured yet")
    page = client.get(indicator.get_absolute_url()).content.decode()
    assert "Insufficient data" in page
    assert "No observation has been recorded yet." in page


def test_an_indicator_that_falls_is_shown_deteriorating(client, portal):
    indicator = factories.IndicatorFactory(priority=portal.priorities[7], code="4.2.b")
    Observation.objects.create(indicator=indicator, year=2023, value=90)
    assert "Deterioration" in client.get(indicator.get_absolute_url()).content.decode()


def test_an_invalid_year_for_an_indicator_gets_a_friendly_message(client, portal):
    response = client.get(f"{portal.indicators[0].get_absolute_url()}?as_of=soon")
    assert response.status_code == 400
    assert "That year cannot be shown" in response.content.decode()


def test_an_unknown_indicator_is_not_found(client, portal):
    assert client.get("/indicators/9.9.z/").status_code == 404


@pytest.mark.parametrize("size", SIZES)
def test_the_objectives_page_takes_the_same_number_of_queries_whatever_the_size(
    client, db, django_assert_num_queries, size
):
    build_portal(size)
    # Expect 6 queries: the progress overview's objectives, priorities, indicators and observations;
    # the kept counts of activities per objective, stale after the activities were written, so the published
    # activities counted per objective
    with django_assert_num_queries(6):
        assert client.get("/objectives/").status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_an_objective_takes_the_same_number_of_queries_whatever_the_size(client, db, django_assert_num_queries, size):
    build_portal(size)
    # Expect 8 queries: the progress overview's objectives, priorities, indicators and observations;
    # the observations for the trends; the kept counts (stale after the activities were written); the related
    # activities with their lead partners; their count
    with django_assert_num_queries(8):
        assert client.get("/objectives/1/").status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_an_indicator_takes_the_same_number_of_queries_whatever_the_size(client, db, django_assert_num_queries, size):
    build_portal(size)
    # Expect 3 queries: the indicator with its priority and objective, its observations,
    # its headline series for the progress engine
    with django_assert_num_queries(3):
        assert client.get("/indicators/1.1.a/").status_code == 200
