"""A real Celery worker, against Redis and PostgreSQL, keeps the mobility totals current (required in CI)."""

import pytest
from django.db.models import F

from mobility.models import FlowTotalState
from mobility.selectors import flow_summary, flows
from tests import factories
from tests.services import wait_for

pytestmark = pytest.mark.service


def current() -> bool:
    return FlowTotalState.objects.filter(built_version=F("version")).exists()


def test_a_committed_flow_reaches_the_worker_and_the_totals_answer_with_it(celery_worker):
    factories.MobilityFlowFactory(year=2023, participants=150, female=None, fewer_opportunities=None)
    wait_for(current, what="the worker's rebuild of the totals")
    assert flow_summary(flows(), ["year"], filters={}) == [
        {"year": 2023, "participants": 150, "female": None, "fewer_opportunities": None, "flows": 1}
    ]

    # One more change: committed, queued after the commit, summed by the worker; meanwhile the flows answer.
    factories.MobilityFlowFactory(year=2024, participants=250, female=None, fewer_opportunities=None)
    assert [row["participants"] for row in flow_summary(flows(), ["year"], filters={})] == [150, 250]
    wait_for(current, what="the worker's rebuild of the totals")
    state = FlowTotalState.objects.get(pk=1)
    assert state.built_at is not None
    assert [row["participants"] for row in flow_summary(flows(), ["year"], filters={})] == [150, 250]
