"""Redis goes away: the portal serves pages and API reads without a cache, writes still commit, and the work
they would have queued is done by the nightly refresh once Redis is back.

Redis (cache and broker, as in production) is one of the test's own, killed
with SIGKILL and started again on the same port with the data it had.
"""

import pytest

from tests.reliability.servers import (
    HttpClient,
    PortalServer,
    WorkerProcess,
    manage,
    portal_environment,
    query,
)
from tests.reliability.workload import READ_PATHS, SECRETARIAT
from tests.services import wait_for

pytestmark = pytest.mark.reliability

API_READS = ["/api/v1/activities/", "/api/v1/partners/", "/api/v1/objectives/", "/api/v1/progress/",
             "/api/v1/mobility/summary/"]
INDICATOR = "1.1.z"
CREATE_INDICATOR = f"""
from objectives.models import Indicator, Priority
Indicator.objects.create(
    priority=Priority.objects.get(code="1.1"), code="{INDICATOR}", name="Participants from Asia to Europe",
    unit="participants", baseline_year=2020, baseline_value=1, source="computed", metric="mobility.asia_to_europe",
)
"""
NIGHTLY_REFRESH = (
    "from objectives.tasks import refresh_computed_indicators as task; print(task.delay().get(timeout=60))"
)


def observation_2024(url: str):
    rows = query(url, "SELECT o.value FROM objectives_observation o JOIN objectives_indicator i"
                      " ON i.id = o.indicator_id WHERE i.code = %s AND o.year = 2024 AND o.breakdown = ''", [INDICATOR])
    return rows[0][0] if rows else None


def test_without_redis_reads_answer_writes_commit_and_the_nightly_refresh_catches_up(portal_database, redis_server):
    url = portal_database
    env = portal_environment(url, redis_server.url(0))
    manage(env, "shell", "-c", CREATE_INDICATOR)
    partners = dict(query(url, "SELECT code, id FROM mobility_partner WHERE code IN ('TH', 'DE')"))
    server = PortalServer(env, name="redis-gone").start()
    worker = WorkerProcess(env, name="redis-gone-worker").start()
    try:
        reader = HttpClient(server.port)
        assert reader.get("/readyz").status == 200
        api_reads = [path for path in API_READS if reader.get(path).status == 200]
        for path in READ_PATHS:
            assert reader.get(path).status == 200, path

        redis_server.kill()

        for path in [*READ_PATHS, *api_reads]:
            response = reader.get(path)
            assert response.status == 200, (path, response.status, response.text[:300])
            assert response.seconds < 5, (path, response.seconds)
        ready = reader.get("/readyz")
        assert ready.status == 503
        assert set(ready.json()["failing"]) == {"cache", "broker"}

        admin = HttpClient(server.port)
        admin.login_admin(*SECRETARIAT)
        response = add_flow(admin, partners, 4321, "Written while Redis was away")
        assert response.status == 302, response.text[:2000]
        assert response.seconds < 5, "queuing the refresh must fail fast, not hold the write"
        assert query(url, "SELECT participants FROM mobility_mobilityflow WHERE programme = %s",
                     ["Written while Redis was away"]) == [(4321,)]
        assert observation_2024(url) is None, "no refresh could have run without the broker"

        redis_server.start()
        wait_for(lambda: reader.get("/readyz").status == 200, 15, 0.5, what="/readyz answering 200 again")
        # What beat sends at 02:30: the worker, reconnected by itself, recomputes everything.
        manage(env, "shell", "-c", NIGHTLY_REFRESH, timeout=120)
        assert observation_2024(url) == 4321.0

        # And the web tier queues again by itself: the next write's refresh runs on the worker.
        response = add_flow(admin, partners, 1000, "Written once Redis was back")
        assert response.status == 302, response.text[:2000]
        wait_for(lambda: observation_2024(url) == 5321.0, 30, 0.5, what="the refresh queued by the next write")
    finally:
        worker.stop()
        server.stop()


def add_flow(admin: HttpClient, partners: dict, participants: int, programme: str):
    token = admin.csrf_token("/admin/mobility/mobilityflow/add/")
    return admin.post_form("/admin/mobility/mobilityflow/add/", {
        "csrfmiddlewaretoken": token, "year": "2024", "origin": partners["TH"], "destination": partners["DE"],
        "mode": "physical", "level": "higher_education", "participants": str(participants), "female": "",
        "fewer_opportunities": "", "programme": programme, "source": "reliability test", "_save": "Save",
    })
