import re

import pytest
from django.utils import timezone

from objectives.models import Observation
from tests import factories
from tests.pages import SIZES, build_portal


@pytest.fixture
def portal(db):
    return build_portal(1)


def test_the_chart_lists_all_four_objectives_every_priority_and_each_indicators_status(client, portal):
    response = client.get("/progress/")
    assert response.status_code == 200
    page = response.content.decode()
    for objective in portal.objectives:
        assert objective.title in page
    for priority in portal.priorities:
        assert priority.title in page
    # Each indicator grows 15 a year from 100 toward 200 in 2030: about 10.7 % a year against 7.2 % required.
    for indicator in portal.indicators:
        assert indicator.name in page
    assert page.count('class="cell-status cell-on_track"') >= len(portal.indicators)
    assert "The progress chart, as of 2024" in page


def test_each_status_cell_is_coloured_and_says_its_status_in_words(client, portal):
    page = client.get("/progress/").content.decode()
    assert '<td class="cell-status cell-on_track">On track' in page


def test_a_priority_without_indicators_says_it_is_not_assessed_yet_in_words_that_agree(client, portal):
    page = client.get("/progress/").content.decode()

    assert '<td class="cell-status cell-insufficient_data">Not assessed yet' in page
    assert "No indicator is defined for it yet." in page
    assert "0 of 0 indicators assessed" not in page


def test_a_priority_whose_indicators_have_no_data_yet_says_so(client, portal):
    factories.IndicatorFactory(priority=portal.priorities[3], code="2.2.a")

    page = client.get("/progress/").content.decode()

    assert "Its indicator has no data after its baseline yet." in page
    assert "0 of 1 indicator assessed" not in page


def test_the_chart_and_its_indicators_rest_on_the_last_whole_year_not_the_one_in_progress(client, portal):
    this_year = timezone.localdate().year
    Observation.objects.create(indicator=portal.indicators[0], year=this_year, value=1.0)
    Observation.objects.create(indicator=portal.indicators[0], year=this_year - 1, value=175.0)

    page = client.get("/progress/").content.decode()
    home = client.get("/").content.decode()

    assert f"The progress chart, as of {this_year - 1}" in page
    assert f'175 <span class="year">{this_year - 1}</span>' in page
    assert f"The vision, as of {this_year - 1}" in home
    assert "cell-deterioration" not in page


def test_a_year_that_is_not_a_number_stays_selected_beside_its_error(client, portal):
    page = client.get("/progress/?as_of=abc").content.decode()

    assert '<option value="abc" selected>abc</option>' in page
    assert "That year cannot be shown" in page


def test_the_year_selector_offers_the_strategy_years_with_data_and_nothing_earlier(client, portal):
    page = client.get("/progress/").content.decode()

    offered = [int(year) for year in re.findall(r'<option value="(\d+)"', page)]

    # From the first baseline (2020) to the last year with data (2024); never 2001, never the year in progress.
    assert offered == [2024, 2023, 2022, 2021, 2020]


def test_an_earlier_year_counts_only_the_observations_up_to_it(client, portal):
    page = client.get("/progress/?as_of=2020").content.decode()
    assert "The progress chart, as of 2020" in page
    # No observation after the 2020 baseline yet: nothing can be judged.
    assert 'class="cell-status cell-on_track"' not in page
    assert '<option value="2020" selected>2020</option>' in page
    # Links to the indicators keep the year.
    assert f'href="{portal.indicators[0].get_absolute_url()}?as_of=2020"' in page


def test_a_deterioration_shows_as_such(client, portal):
    indicator = factories.IndicatorFactory(priority=portal.priorities[4], code="3.1.z", name="Falling indicator")
    Observation.objects.create(indicator=indicator, year=2023, value=80)
    page = client.get("/progress/").content.decode()
    assert "Falling indicator" in page
    assert '<td class="cell-status cell-deterioration">Deterioration' in page


def test_a_status_set_by_hand_says_so(client, portal):
    indicator = portal.indicators[0]
    indicator.status_override = "limited"
    indicator.override_reason = "The 2024 figures are provisional."
    indicator.save()
    page = client.get("/progress/").content.decode()
    assert "set by hand" in page


def test_the_legend_explains_the_method(client, portal):
    page = client.get("/progress/").content.decode()
    assert "How a status is worked out" in page
    assert "compound annual growth rate" in page
    for label in ["Achieved", "On track", "Moderate progress", "Limited progress", "Deterioration",
                  "Insufficient data"]:
        assert label in page


@pytest.mark.parametrize("as_of", ["abc", "1800", "2020.5", "%C2%B2", "2" * 5000])
def test_an_invalid_year_gets_a_friendly_message_and_the_latest_chart(client, portal, as_of):
    response = client.get(f"/progress/?as_of={as_of}")
    assert response.status_code == 400
    page = response.content.decode()
    assert "That year cannot be shown" in page
    assert "The progress chart, as of 2024" in page


@pytest.mark.parametrize("size", SIZES)
def test_it_takes_the_same_number_of_queries_whatever_the_size(client, db, django_assert_num_queries, size):
    build_portal(size)
    # Expect 5 queries: the years with data (for the year selector); the progress overview's objectives,
    # priorities, indicators and observations. No indicator here is one partners report, so no map: with one, the
    # map's three more are pinned in tests/core/test_maps_pages.py
    with django_assert_num_queries(5):
        assert client.get("/progress/?as_of=2023").status_code == 200
