"""Live refresh: a change to flows, activities, indicators or observations queues one refresh once it commits."""

import pytest
from django.db import transaction

from core import changes
from core.changes import data_changed
from mobility.models import MobilityFlow
from objectives.models import Indicator
from objectives.registry import metrics
from objectives.tasks import refresh_computed_indicators as refresh_task
from tests import factories

# These tests commit for real: on_commit callbacks only run when a transaction does.
pytestmark = pytest.mark.django_db(transaction=True)


def flow(n, origin, destination):
    return MobilityFlow(year=2024, origin=origin, destination=destination, mode="physical",
                        level="higher_education", participants=10, programme=f"Import {n}", reported_by=destination)


def test_a_change_queues_a_refresh_when_its_transaction_commits(queued):
    with transaction.atomic():
        factories.MobilityFlowFactory()
        assert queued.call_count == 0

    assert queued.call_count == 1


def test_a_rolled_back_change_queues_nothing(queued):
    with pytest.raises(RuntimeError), transaction.atomic():
        factories.MobilityFlowFactory()
        raise RuntimeError

    assert queued.call_count == 0


def ready_to_queue(queued):
    """Partners exist and the refresh their creation queued has run: the next change queues afresh."""
    route = factories.partner("TH"), factories.partner("DE")
    refresh_task.apply()
    queued.reset_mock()
    return route


def test_an_import_of_many_flows_saved_one_by_one_queues_one_refresh(queued):
    route = ready_to_queue(queued)

    with transaction.atomic():
        for n in range(500):
            flow(n, *route).save()

    assert MobilityFlow.objects.count() == 500
    assert queued.call_count == 1


def test_an_import_of_ten_thousand_flows_in_batches_queues_one_refresh(queued):
    route = ready_to_queue(queued)

    # As a bulk import does: bulk_create sends no signals, so it says once per batch that data changed.
    with transaction.atomic():
        for start in range(0, 10_000, 1_000):
            MobilityFlow.objects.bulk_create([flow(n, *route) for n in range(start, start + 1_000)])
            data_changed()

    assert MobilityFlow.objects.count() == 10_000
    assert queued.call_count == 1


def test_changes_committed_while_a_refresh_waits_in_the_queue_queue_no_other(queued):
    route = factories.partner("TH"), factories.partner("DE")
    for n in range(20):
        flow(n, *route).save()  # twenty transactions, one after the other

    assert queued.call_count == 1


def test_once_the_refresh_starts_the_next_change_queues_another(queued):
    factories.MobilityFlowFactory()
    refresh_task.apply()  # the worker picks the queued refresh up

    factories.MobilityFlowFactory()

    assert queued.call_count == 2


@pytest.mark.parametrize("change", ["flow", "flow deleted", "activity", "activity objectives", "activity instruments",
                                    "indicator", "observation", "observation deleted"])
def test_each_kind_of_change_queues_a_refresh(queued, change):
    objective = factories.ObjectiveFactory(number=1)
    instrument = factories.InstrumentFactory(slug="policy-dialogue")
    activity = factories.ActivityFactory()
    existing_flow = factories.MobilityFlowFactory()
    observation = factories.ObservationFactory()
    queued.reset_mock()
    refresh_task.apply()

    {
        "flow": lambda: factories.MobilityFlowFactory(),
        "flow deleted": lambda: existing_flow.delete(),
        "activity": lambda: activity.save(),
        "activity objectives": lambda: activity.objectives.add(objective),
        "activity instruments": lambda: activity.instruments.add(instrument),
        "indicator": lambda: factories.IndicatorFactory(),
        "observation": lambda: factories.ObservationFactory(indicator=observation.indicator, year=2023),
        "observation deleted": lambda: observation.delete(),
    }[change]()

    assert queued.call_count == 1


def test_a_change_replaces_the_cache_generation_when_it_commits():
    before = changes.generation()
    with transaction.atomic():
        factories.MobilityFlowFactory()
        assert changes.generation() == before

    assert changes.generation() != before


def test_the_refresh_own_writes_queue_no_further_refresh(queued):
    metrics.register("tests.constant", lambda: {2021: 1.0, 2022: 2.0}, label="Constant")
    try:
        indicator = factories.IndicatorFactory(source=Indicator.Source.COMPUTED, metric="tests.constant")
        assert queued.call_count == 1

        report = refresh_task.apply().get()  # takes the refresh off the queue and writes two observations
    finally:
        metrics.unregister("tests.constant")

    assert report["created"] == 2
    assert indicator.observations.count() == 2
    assert queued.call_count == 1


def test_with_no_broker_the_refresh_runs_in_process_after_the_commit():
    metrics.register("tests.constant", lambda: {2021: 1.0, 2022: 2.0}, label="Constant")
    try:
        indicator = factories.IndicatorFactory(source=Indicator.Source.COMPUTED, metric="tests.constant")
    finally:
        metrics.unregister("tests.constant")

    assert sorted(indicator.observations.values_list("year", "value")) == [(2021, 1.0), (2022, 2.0)]
