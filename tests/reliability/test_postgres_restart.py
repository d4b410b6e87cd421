"""PostgreSQL crashes and comes back while the portal is under load.

The portal runs as in production (gunicorn, DEBUG off) against a PostgreSQL
of the test's own, which is stopped in `immediate` mode (every backend
aborted, as in a crash, with recovery when it starts) and started again.
"""

import time

import pytest

from tests.reliability.servers import PortalServer, portal_environment
from tests.reliability.workload import AdminActivityWriter, activities_written, ids, record, run_workload

pytestmark = pytest.mark.reliability

# Clients sign in first (a few seconds of password hashing), then run a while before the crash and after it.
CRASH_AT, OUTAGE, AFTER, LIMIT = 10.0, 5.0, 8.0, 60.0
FAIL_FAST_SECONDS = 2.0
RECOVERED_WITHIN = 3.0


def test_a_restart_under_load_fails_fast_with_503_recovers_alone_and_leaves_no_write_half_done(
    reliability_postgres, portal_database
):
    postgres, url = reliability_postgres, portal_database
    env = portal_environment(url, None)
    server = PortalServer(env, workers=2, threads=4, name="postgres-restart").start()
    outage: dict[str, float] = {}

    def crash_and_restart(start: float, stop) -> None:
        time.sleep(max(0.0, start + CRASH_AT - time.monotonic()))
        outage["down"] = time.monotonic() - start
        postgres.stop("immediate")
        time.sleep(OUTAGE)
        postgres.start()
        outage["up"] = time.monotonic() - start
        time.sleep(AFTER)
        stop.set()

    try:
        figures = run_workload(server.port, clients=8, seconds=LIMIT, write_share=0.25, prefix="restart",
                               writer=AdminActivityWriter(ids(url)), on_tick=crash_and_restart)
        gunicorn_alive = server.process.poll() is None
    finally:
        server.stop()

    down, up = outage["down"], outage["up"]
    written_now = activities_written(url, "restart")
    acknowledged_now = figures.acknowledged_writes(ok=(302,))
    record("postgres-restart", {
        "clients": 8, "seconds": round(figures.duration, 1), "outage_seconds": round(up - down, 1),
        "requests": len(figures.results), "statuses": dict(figures.statuses),
        "errors_other_than_503": sum(r.status not in {200, 302, 503} for r in figures.results),
        "max_503_ms": round(max((r.seconds for r in figures.results if r.status == 503), default=0) * 1000),
        "writes_acknowledged": len(acknowledged_now),
        "acknowledged_found": sum(slug in written_now for slug in acknowledged_now),
        "rows_half_done": sum(counts[:3] != (2, 1, 1) for counts in written_now.values()),
    })
    assert figures.results, f"no client got going: {figures.setup_errors[:3]}"
    unexpected = [r for r in figures.results if r.status not in {200, 302, 503}]
    assert not unexpected, f"{len(unexpected)} answers other than 200, 302 or 503, first: {unexpected[:3]}"

    during = [r for r in figures.results if down + 0.5 <= r.started and r.started + r.seconds <= up]
    assert during, "no request fell inside the outage"
    # A page the cache holds may still be served; nothing that needs the database is.
    assert {r.status for r in during} <= {200, 503}
    assert {r.status for r in during if r.kind == "write"} == {503}
    assert sum(r.status == 503 for r in during) > len(during) / 2
    slow = [r for r in figures.results if r.status == 503 and r.seconds > FAIL_FAST_SECONDS]
    assert not slow, f"503s that took longer than {FAIL_FAST_SECONDS}s: {slow[:3]}"
    assert all(r.retry_after for r in figures.results if r.status == 503)

    before = [r for r in figures.results if r.started + r.seconds < down]
    after = [r for r in figures.results if r.started > up + RECOVERED_WITHIN]
    assert before and all(r.status in {200, 302} for r in before)
    assert after, "no request after the restart"
    assert all(r.status in {200, 302} for r in after), [r for r in after if r.status not in {200, 302}][:3]
    assert gunicorn_alive, "gunicorn died: the portal must recover without a restart"

    # Every acknowledged write is there, whole; no write is there in part, acknowledged or not.
    written = activities_written(url, "restart")
    acknowledged = figures.acknowledged_writes(ok=(302,))
    assert acknowledged
    missing = [slug for slug in acknowledged if slug not in written]
    assert not missing, f"{len(missing)} acknowledged writes are not in the database: {missing[:5]}"
    answered = {r.slug: (r.status, round(r.started, 1)) for r in figures.results if r.kind == "write"}
    partial = {slug: (counts, answered.get(slug)) for slug, counts in written.items()
               if counts[:3] != (2, 1, 1) or counts[3] < 1}
    assert not partial, f"half done ((partners, objectives, instruments, history), (answer, when)): {partial}; {outage}"
