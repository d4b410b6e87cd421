import pytest

from asem_portal.tasks import ping

pytestmark = pytest.mark.service


def test_a_task_makes_the_round_trip_through_a_real_worker(celery_worker):
    result = ping.delay("hello")
    assert result.get(timeout=30) == "pong:hello"
    assert "asem_portal.tasks.ping" in celery_worker.log.read_text()


def test_without_a_worker_tasks_run_in_process(settings):
    assert ping.delay("in-process").get(timeout=5) == "pong:in-process"
