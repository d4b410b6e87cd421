"""On PostgreSQL and Redis (required in CI): a real Celery worker keeps the mobility totals current, and a
rebuild holds back other rebuilds but no writer."""

import psycopg2
import pytest
from django.db.models import F

from mobility import totals
from mobility.models import FlowTotalState
from mobility.selectors import flow_summary, flows
from tests import factories
from tests.services import need_postgres, wait_for

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


@pytest.mark.django_db(transaction=True)
def test_a_rebuild_under_way_holds_back_another_rebuild_but_no_writer():
    """On PostgreSQL a rebuild takes turns with other rebuilds on a lock of its own, and locks no row a write needs."""
    need_postgres()
    from django.db import OperationalError, connection, transaction

    factories.MobilityFlowFactory(year=2023, participants=10, female=None, fewer_opportunities=None)
    totals.rebuild()
    other = psycopg2.connect(**{key: value for key, value in connection.get_connection_params().items()
                                if key in ("dbname", "user", "host", "port", "password")})
    try:
        with other.cursor() as cursor:  # a rebuild under way elsewhere
            cursor.execute("SELECT pg_advisory_lock(%s)", [totals.REBUILD_LOCK])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '500ms'")
        # A writer goes through at once, and marks the totals stale.
        factories.MobilityFlowFactory(year=2024, participants=5, female=None, fewer_opportunities=None)
        assert not current()
        # Another rebuild waits its turn (here: gives up after the timeout).
        with pytest.raises(OperationalError), transaction.atomic():
            totals.rebuild()
    finally:
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = 0")
    totals.rebuild()
    assert current()
    assert [row["participants"] for row in flow_summary(flows(), ["year"], filters={})] == [10, 5]
