"""A Celery worker dies in the middle of the refresh task: the task runs again, and gives the same result.

The task is held mid-run by a row lock the test takes on the computed
indicator (the refresh locks its indicators before it writes), so the kill
lands while the task is certainly running. Settings acknowledge late and
reject on a lost worker, so the message is not lost with the worker.
"""

import time

import psycopg2
import pytest

from tests.reliability.servers import WorkerProcess, manage, portal_environment, query
from tests.services import wait_for

pytestmark = pytest.mark.reliability

INDICATOR = "1.1.w"
SETUP = f"""
from objectives.models import Indicator, Priority
from mobility.models import MobilityFlow, Partner
Indicator.objects.create(
    priority=Priority.objects.get(code="1.1"), code="{INDICATOR}", name="Participants from Asia to Europe",
    unit="participants", baseline_year=2020, baseline_value=1, source="computed", metric="mobility.asia_to_europe",
)
th, de, fr = (Partner.objects.get(code=c) for c in ("TH", "DE", "FR"))
for year, n in ((2022, 300), (2023, 450), (2024, 700)):
    MobilityFlow.objects.create(year=year, origin=th, destination=de, level="higher_education", participants=n,
                                reported_by=de)
    MobilityFlow.objects.create(year=year, origin=th, destination=fr, level="tvet", participants=n // 3,
                                reported_by=fr)
# The refresh those writes queued is not the one under test.
from asem_portal.celery import app
app.control.purge()
"""
SEND = "from objectives.tasks import refresh_computed_indicators as task; print(task.delay().id)"
EXPECTED = {2022: 400.0, 2023: 600.0, 2024: 933.0}


def observations(url: str) -> dict[int, float]:
    rows = query(url, "SELECT o.year, o.value FROM objectives_observation o JOIN objectives_indicator i"
                      " ON i.id = o.indicator_id WHERE i.code = %s AND o.breakdown = '' ORDER BY o.year", [INDICATOR])
    return dict(rows)


def result_of(env, task_id: str) -> str:
    return manage(env, "shell", "-c", f"from celery.result import AsyncResult; print(AsyncResult({task_id!r}).get("
                                      "timeout=60))", timeout=120).strip()


def refresh_waiting_on_lock(url: str) -> bool:
    return bool(query(url, "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type ="
                           " 'Lock' AND query ILIKE '%%objectives_indicator%%'"))


def hold_the_indicator(url: str):
    conn = psycopg2.connect(url)
    cursor = conn.cursor()
    cursor.execute("SELECT id FROM objectives_indicator WHERE code = %s FOR UPDATE", [INDICATOR])
    return conn


@pytest.fixture
def prepared(portal_database, redis_server):
    env = portal_environment(portal_database, redis_server.url(0), CELERY_VISIBILITY_TIMEOUT="5")
    manage(env, "shell", "-c", SETUP)
    assert observations(portal_database) == {}
    return portal_database, env


@pytest.mark.parametrize("what_dies", ["the pool process", "the whole worker"])
def test_a_task_whose_worker_dies_mid_run_runs_again_with_the_same_result(prepared, what_dies):
    url, env = prepared
    worker = WorkerProcess(env, name="worker-killed").start()
    replacement = None
    lock = hold_the_indicator(url)
    try:
        task_id = manage(env, "shell", "-c", SEND).strip().splitlines()[-1]
        wait_for(lambda: refresh_waiting_on_lock(url), 30, 0.2, what="the refresh starting and waiting on the lock")
        if what_dies == "the pool process":
            # The parent sees its child lost and, rejecting on a lost worker, puts the task back at once.
            for child in worker.children():
                import os
                import signal

                os.kill(child, signal.SIGKILL)
        else:
            # Nobody is left to hand the task back: the broker redelivers it after the visibility timeout.
            worker.kill()
            replacement = WorkerProcess(env, name="worker-replacement").start()
        lock.rollback()
        started = time.monotonic()
        result = result_of(env, task_id)
        rerun_seconds = time.monotonic() - started
    finally:
        lock.close()
        worker.stop()
        if replacement:
            replacement.stop()

    assert "'created': 3" in result, result
    assert observations(url) == EXPECTED
    assert rerun_seconds < 60
    log = (replacement or worker).log_text()
    assert log.count("objectives.tasks.refresh_computed_indicators") >= 1
    if what_dies == "the pool process":
        assert "WorkerLostError" in worker.log_text()

    # Idempotent: a further run (the nightly one, say) finds nothing to change.
    again = manage(env, "shell", "-c", "from objectives.services import refresh_computed_indicators as refresh;"
                                       " print(refresh().as_dict())")
    assert "'created': 0, 'updated': 0, 'deleted': 0" in again, again
    assert observations(url) == EXPECTED
