"""Writing computed indicators' observations from their metrics (objectives.services.refresh_computed_indicators)."""

import pytest

from objectives.models import Indicator, Observation
from objectives.registry import metrics
from objectives.services import COMPUTED_NOTE, refresh_computed_indicators
from objectives.tasks import refresh_computed_indicators as refresh_task
from tests import factories


@pytest.fixture
def series():
    """A metric whose values the test sets: {year: value}."""
    values = {2020: 100.0, 2021: 110.0, 2022: 125.0}
    metrics.register("tests.series", lambda: dict(values), label="A series the test sets")
    yield values
    metrics.unregister("tests.series")


@pytest.fixture
def computed(db, series):
    return factories.IndicatorFactory(code="1.1.a", source=Indicator.Source.COMPUTED, metric="tests.series")


def headline(indicator):
    return {o.year: (o.value, o.is_computed) for o in indicator.observations.filter(breakdown="")}


def test_it_writes_each_year_of_the_metric_as_a_computed_observation(computed):
    report = refresh_computed_indicators()

    assert headline(computed) == {2020: (100.0, True), 2021: (110.0, True), 2022: (125.0, True)}
    assert set(computed.observations.values_list("note", flat=True)) == {COMPUTED_NOTE}
    assert (report.indicators, report.created, report.updated, report.deleted) == (1, 3, 0, 0)


def test_a_second_run_over_unchanged_data_writes_nothing(computed):
    refresh_computed_indicators()
    history = Observation.history.count()

    report = refresh_computed_indicators()

    assert (report.created, report.updated, report.deleted, report.unchanged) == (0, 0, 0, 3)
    assert Observation.history.count() == history


def test_it_updates_changed_years_and_deletes_those_the_metric_no_longer_gives(computed, series):
    refresh_computed_indicators()
    series.pop(2020)
    series[2021] = 111.5
    series[2023] = 140.0

    report = refresh_computed_indicators()

    assert headline(computed) == {2021: (111.5, True), 2022: (125.0, True), 2023: (140.0, True)}
    assert (report.created, report.updated, report.deleted, report.unchanged) == (1, 1, 1, 1)


def test_computed_writes_keep_their_history(computed, series):
    refresh_computed_indicators()
    series[2021] = 111.5
    refresh_computed_indicators()

    changes = Observation.history.filter(year=2021).order_by("history_date")
    assert [(h.history_type, h.value) for h in changes] == [("+", 110.0), ("~", 111.5)]
    assert changes.last().history_change_reason == COMPUTED_NOTE


def test_hand_entered_observations_stay_as_entered(computed):
    factories.ObservationFactory(indicator=computed, year=2021, value=99.0, is_computed=False)

    report = refresh_computed_indicators()

    assert headline(computed)[2021] == (99.0, False)
    assert report.kept_by_hand == 1


def test_breakdowns_are_left_alone(computed):
    factories.ObservationFactory(indicator=computed, year=2024, value=7.0, breakdown="region=asia", is_computed=True)

    refresh_computed_indicators()

    assert computed.observations.get(breakdown="region=asia").value == 7.0


def test_indicators_entered_by_hand_are_left_alone(db, series):
    manual = factories.IndicatorFactory(code="1.1.b", source=Indicator.Source.MANUAL, metric="tests.series")

    report = refresh_computed_indicators()

    assert report.indicators == 0
    assert not manual.observations.exists()


def test_an_unknown_metric_is_reported_and_its_indicator_left_as_it_was(db, computed):
    stray = factories.IndicatorFactory(code="1.1.c", source=Indicator.Source.COMPUTED, metric="tests.nobody")
    factories.ObservationFactory(indicator=stray, year=2021, value=5.0, is_computed=True)

    report = refresh_computed_indicators()

    assert report.unknown_metrics == ["tests.nobody"]
    assert headline(stray) == {2021: (5.0, True)}
    assert len(headline(computed)) == 3


def test_a_failing_metric_does_not_keep_the_others_stale(db, computed):
    def broken():
        raise ZeroDivisionError

    metrics.register("tests.broken", broken, label="Broken")
    factories.IndicatorFactory(code="1.1.d", source=Indicator.Source.COMPUTED, metric="tests.broken")
    try:
        report = refresh_computed_indicators()
    finally:
        metrics.unregister("tests.broken")

    assert report.failed_metrics == ["tests.broken"]
    assert len(headline(computed)) == 3


def test_values_that_cannot_be_observations_are_skipped(db, computed, series):
    series.update({1500: 1.0, 2024: float("nan"), 2025: None})

    refresh_computed_indicators()

    assert set(headline(computed)) == {2020, 2021, 2022}


def test_only_the_indicators_asked_for_are_refreshed(db, computed):
    other = factories.IndicatorFactory(code="1.1.e", source=Indicator.Source.COMPUTED, metric="tests.series")

    refresh_computed_indicators(indicator_ids=[other.pk])

    assert not computed.observations.exists()
    assert len(headline(other)) == 3


def test_the_task_returns_the_report(computed):
    # Eager in the tests: the task runs in this process, as it does with no broker configured.
    result = refresh_task.delay().get()

    assert result["created"] == 3
    assert result["indicators"] == 1


def test_every_computed_observation_is_marked_so(computed):
    refresh_computed_indicators()

    assert not Observation.objects.filter(indicator=computed, is_computed=False).exists()
