"""The progress of the vision, objectives, priorities and indicators, read for pages and the API."""

import json

import pytest
from django.db import transaction

from objectives.models import Direction, Observation
from objectives.selectors import indicator_progress, progress_overview, progress_years, status_counts
from tests import factories


def indicator(priority, code, observations, **kwargs):
    """100 in 2020, aiming at 200 in 2030, with {year: value} observed."""
    made = factories.IndicatorFactory(priority=priority, code=code, **kwargs)
    for year, value in observations.items():
        factories.ObservationFactory(indicator=made, year=year, value=value)
    return made


@pytest.fixture
def strategy(db):
    """Two objectives: the first with an on-track and a deteriorating indicator, the second without data."""
    first = factories.ObjectiveFactory(number=1)
    second = factories.ObjectiveFactory(number=2)
    mobility = factories.PriorityFactory(objective=first, number=1, code="1.1")
    blended = factories.PriorityFactory(objective=first, number=2, code="1.2")
    factories.PriorityFactory(objective=second, number=1, code="2.1")
    indicator(mobility, "1.1.a", {2022: 110.0, 2024: 135.0})  # on track as of 2024
    indicator(mobility, "1.1.b", {2023: 90.0})  # deterioration
    indicator(blended, "1.2.a", {2022: 104.0}, target_value=None)  # 2 % a year: on track without a target
    return first, second


def test_the_overview_holds_every_objective_priority_and_indicator_in_order(strategy):
    overview = progress_overview()

    assert [item.objective.number for item in overview.objectives] == [1, 2]
    assert [p.priority.code for p in overview.objectives[0].priorities] == ["1.1", "1.2"]
    assert [i.indicator.code for i in overview.indicators] == ["1.1.a", "1.1.b", "1.2.a"]
    assert [i.result.status for i in overview.indicators] == ["on_track", "deterioration", "on_track"]


def test_it_rolls_indicators_up_to_priorities_objectives_and_the_vision(strategy):
    overview = progress_overview()
    first, second = overview.objectives

    assert first.priorities[0].result.score == pytest.approx(1.5)  # on track (3) and deterioration (0)
    assert first.priorities[1].result.score == pytest.approx(3.0)
    assert first.result.score == pytest.approx(2.25)  # priorities weigh the same, whatever their indicators
    assert first.result.status == "moderate"
    assert second.result.status == "insufficient_data"
    assert overview.vision.score == pytest.approx(2.25)  # the second objective has nothing to count
    assert overview.vision.status_label == "Moderate progress"


def test_by_default_it_is_as_of_the_latest_year_with_data(strategy):
    overview = progress_overview()

    assert overview.as_of == 2024
    assert {i.result.as_of for i in overview.indicators} == {2024}


def test_as_of_an_earlier_year_only_earlier_observations_count(strategy):
    overview = progress_overview(as_of=2022)

    a, b, _ = overview.indicators
    assert overview.as_of == 2022
    assert (a.result.latest_year, a.result.latest_value) == (2022, 110.0)
    assert b.result.status == "insufficient_data"


def test_it_counts_indicators_by_status_best_first(strategy):
    counts = status_counts(progress_overview())

    assert counts == {"achieved": 0, "on_track": 2, "moderate": 0, "limited": 0, "deterioration": 1,
                      "insufficient_data": 0}
    assert list(counts) == ["achieved", "on_track", "moderate", "limited", "deterioration", "insufficient_data"]


def test_it_reads_only_the_headline_series(strategy):
    first = progress_overview().indicators[0]
    factories.ObservationFactory(indicator=first.indicator, year=2025, value=1.0, breakdown="region=asia")

    assert progress_overview().indicators[0].result.latest_year == 2024


def test_the_overview_turns_into_plain_json(strategy):
    data = json.loads(json.dumps(progress_overview().as_dict()))

    assert data["as_of"] == 2024
    assert data["vision"]["status"] == "moderate"
    assert data["status_counts"]["on_track"] == 2
    indicator_data = data["objectives"][0]["priorities"][0]["indicators"][0]
    assert indicator_data["code"] == "1.1.a"
    assert set(indicator_data["result"]) >= {
        "status", "status_label", "score", "is_override", "override_reason", "baseline_year", "baseline_value",
        "latest_year", "latest_value", "target_year", "target_value", "actual_growth", "required_growth", "ratio",
        "method", "direction", "as_of", "explanation",
    }


def test_one_indicators_progress_takes_one_query(strategy, django_assert_num_queries):
    lower = indicator(strategy[0].priorities.get(code="1.1"), "1.1.c", {2022: 80.0},
                      direction=Direction.LOWER_IS_BETTER, target_value=50.0)

    # Expect 1 query: the indicator's headline observations
    with django_assert_num_queries(1):
        result = indicator_progress(lower)

    assert result.status == "on_track"
    assert result.direction == -1
    assert indicator_progress(lower, as_of=2021).status == "insufficient_data"


def test_an_override_shows_with_its_reason(strategy):
    made = indicator(strategy[0].priorities.get(code="1.1"), "1.1.d", {2022: 90.0}, status_override="limited",
                     override_reason="A change of survey explains the fall.")

    result = indicator_progress(made)

    assert (result.status, result.computed_status, result.is_override) == ("limited", "deterioration", True)
    assert result.override_reason == "A change of survey explains the fall."


@pytest.fixture
def freeze_year(monkeypatch):
    """The year that has not ended yet, whatever today is."""
    monkeypatch.setattr("objectives.selectors.year_in_progress", lambda: 2026)
    return 2026


def test_the_years_offered_run_from_the_first_baseline_to_the_last_year_with_data(strategy):
    assert progress_years() == [2020, 2021, 2022, 2023, 2024]


def test_the_years_offered_leave_out_a_year_that_has_not_ended(strategy, freeze_year):
    indicator(strategy[0].priorities.get(code="1.2"), "1.2.b", {2025: 3.0, freeze_year: 1.0})

    assert progress_years()[-1] == 2025


def test_a_year_that_has_not_ended_makes_no_status_and_is_not_the_as_of_year(strategy, freeze_year):
    made = indicator(strategy[0].priorities.get(code="1.2"), "1.2.b", {2023: 6.0, 2025: 6.0, freeze_year: 1.0},
                     target_value=6.0)

    overview = progress_overview()
    result = next(i.result for i in overview.indicators if i.indicator == made)

    assert overview.as_of == 2025
    assert (result.latest_year, result.status) == (2025, "achieved")
    assert indicator_progress(made).latest_year == 2025


def test_counts_are_compared_as_whole_numbers(strategy):
    made = indicator(strategy[0].priorities.get(code="1.2"), "1.2.b", {2022: 100.4}, kind="count",
                     target_value=200.0)

    result = indicator_progress(made)

    assert (result.baseline_value, result.latest_value, result.status) == (100, 100, "limited")


def grow(objectives, size):
    """Add `size` more indicators with observations across the objectives' priorities."""
    for n in range(size):
        objective = objectives[n % 2]
        priority = factories.PriorityFactory(objective=objective, number=10 + n % 3,
                                             code=f"{objective.number}.{10 + n % 3}")
        indicator(priority, f"{objective.number}.{10 + n % 3}.g{n}", {2021 + n % 4: 100.0 + n, 2024: 150.0})


@pytest.mark.parametrize("size", [0, 25])
def test_the_overview_takes_four_queries_however_many_indicators(strategy, size, django_assert_num_queries):
    grow(strategy, size)

    # Expect 4 queries: the objectives, their priorities, the priorities' indicators, every headline observation
    with django_assert_num_queries(4):
        overview = progress_overview()

    assert len(overview.indicators) == 3 + size


@pytest.mark.django_db(transaction=True)
def test_the_overview_is_served_from_the_cache_until_data_changes(strategy, django_assert_num_queries):
    progress_overview()

    # Expect 0 queries: nothing has changed since the overview was computed
    with django_assert_num_queries(0):
        progress_overview()


def test_each_year_asked_for_is_cached_apart(strategy):
    assert progress_overview(as_of=2022).as_of == 2022
    assert progress_overview().as_of == 2024
    assert progress_overview(as_of=2022).as_of == 2022


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_shows_on_the_very_next_read(strategy):
    assert progress_overview().indicators[1].result.status == "deterioration"

    factories.ObservationFactory(indicator=progress_overview().indicators[1].indicator, year=2024, value=250.0)

    assert progress_overview().indicators[1].result.status == "achieved"


@pytest.mark.django_db(transaction=True)
def test_an_uncommitted_change_is_neither_served_stale_nor_cached(strategy):
    stale = progress_overview()
    first = stale.indicators[1].indicator

    with pytest.raises(RuntimeError), transaction.atomic():
        factories.ObservationFactory(indicator=first, year=2024, value=250.0)
        assert progress_overview().indicators[1].result.status == "achieved"
        raise RuntimeError  # rolled back: the achieved status must not outlive it

    assert not Observation.objects.filter(indicator=first, year=2024).exists()
    assert progress_overview().indicators[1].result.status == "deterioration"


@pytest.mark.django_db(transaction=True)
def test_an_indicator_edit_shows_on_the_very_next_read(strategy):
    progress_overview()
    first = progress_overview().indicators[0].indicator

    first.status_override = "deterioration"
    first.override_reason = "The source was withdrawn."
    first.save()

    result = progress_overview().indicators[0].result
    assert (result.status, result.is_override) == ("deterioration", True)
