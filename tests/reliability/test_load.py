"""Load: 64 clients mixing page and API reads with API writes for 60 seconds, then the database is checked.

Left out of the default run (marker `load`); `make reliability` runs it and
writes its figures to .pytest_cache/reliability/figures.jsonl, which
docs/reliability.md quotes. RELIABILITY_CLIENTS and RELIABILITY_SECONDS size it.
"""

import os
import threading

import pytest

from tests.reliability.servers import HttpClient, PortalServer, manage, portal_environment, query
from tests.reliability.workload import READ_PATHS, activities_written, record, run_workload

pytestmark = [pytest.mark.reliability, pytest.mark.load]

CLIENTS = int(os.environ.get("RELIABILITY_CLIENTS", "64"))
SECONDS = float(os.environ.get("RELIABILITY_SECONDS", "60"))
API_READS = ["/api/v1/activities/", "/api/v1/activities/?page=2", "/api/v1/partners/", "/api/v1/objectives/",
             "/api/v1/progress/", "/api/v1/mobility/flows/", "/api/v1/mobility/summary/?group_by=year,direction",
             "/api/v1/indicators/", "/api/v1/instruments/", "/api/v1/strategy/"]


class ApiActivityWriter:
    """Creates an activity with two partners, an objective and an instrument through the API, with a token."""

    def __init__(self, token: str):
        self.token = token

    def prepare(self, client: HttpClient) -> None:
        client.token = self.token

    def write(self, client: HttpClient, slug: str):
        return client.send_json("POST", "/api/v1/activities/", {
            "slug": slug, "title": f"Load test activity {slug}", "summary": "Written by the load test.",
            "activity_type": "conference", "status": "completed", "lead_partner": "DE", "partners": ["DE", "TH"],
            "objectives": [1], "instruments": ["people-to-people"], "start_date": "2024-05-01", "start_year": 2024,
        })


@pytest.fixture
def portal(portal_database):
    env = portal_environment(portal_database, None)
    manage(env, "load_demo")
    server = PortalServer(env, workers=3, threads=8, name="load").start()
    yield portal_database, server
    server.stop()


def test_64_clients_for_60_seconds_get_no_5xx_and_every_acknowledged_write_is_stored(portal):
    url, server = portal
    token = query(url, "SELECT key FROM authtoken_token LIMIT 1")[0][0]

    figures = run_workload(server.port, clients=CLIENTS, seconds=SECONDS, write_share=0.15, prefix="load",
                           writer=ApiActivityWriter(token), read_paths=READ_PATHS + API_READS, timeout=60)

    written = activities_written(url, "load")
    acknowledged = figures.acknowledged_writes(ok=(201,))
    missing = [slug for slug in acknowledged if slug not in written]
    partial = {slug: counts for slug, counts in written.items() if counts[:3] != (2, 1, 1) or counts[3] < 1}
    record("load", {
        "clients": CLIENTS, "seconds": round(figures.duration, 1), "requests": len(figures.results),
        "reads": figures.count("read"), "writes": figures.count("write"), "statuses": dict(figures.statuses),
        "errors_5xx_or_no_answer": len(figures.server_errors), "writes_acknowledged": len(acknowledged),
        "acknowledged_found": len(acknowledged) - len(missing), "rows_written": len(written),
        "rows_half_done": len(partial), "requests_per_second": round(len(figures.results) / figures.duration, 1),
        "p50_ms": round(figures.percentile(50) * 1000), "p95_ms": round(figures.percentile(95) * 1000),
        "p99_ms": round(figures.percentile(99) * 1000), "max_ms": round(figures.percentile(100) * 1000),
        "write_p95_ms": round(figures.percentile(95, "write") * 1000),
    })

    errors = figures.server_errors
    assert not errors, f"{len(errors)} 5xx or unanswered, first: {errors[:3]}"
    unexpected = {status for status in figures.statuses if status not in {200, 201}}
    assert not unexpected, [r for r in figures.results if r.status in unexpected][:3]
    assert acknowledged, "no write was acknowledged"
    assert not missing, f"{len(missing)} acknowledged writes are not in the database: {missing[:5]}"
    assert not partial, f"writes half done: {partial}"
    assert set(written) == set(acknowledged), "a write the client never saw acknowledged is in the database"


def test_concurrent_edits_of_one_activity_end_in_one_winner_and_412s_never_a_silent_overwrite(portal):
    url, server = portal
    token = query(url, "SELECT key FROM authtoken_token LIMIT 1")[0][0]
    setup = HttpClient(server.port)
    setup.token = token
    created = setup.send_json("POST", "/api/v1/activities/", {"slug": "contested", "title": "Contested",
                                                              "lead_partner": "DE"})
    assert created.status == 201, created.text
    editors, rounds = 16, 10
    outcomes = []

    for round_number in range(rounds):
        barrier = threading.Barrier(editors)
        answers: dict[int, int | str] = {}

        def edit(editor: int, barrier=barrier, answers=answers, round_number=round_number) -> None:
            client = HttpClient(server.port, timeout=60)
            client.token = token
            try:
                read = client.get("/api/v1/activities/contested/", Accept="application/json")
                etag = read.headers.get("etag", f"missing: {read.status} {read.text[:200]}")
                barrier.wait(timeout=90)
                response = client.send_json("PATCH", "/api/v1/activities/contested/",
                                            {"summary": f"round {round_number} by editor {editor}"},
                                            **{"If-Match": etag})
                answers[editor] = response.status
            except Exception as exc:  # reported in the assertion below, with the rest
                answers[editor] = f"{type(exc).__name__}: {exc}"
            finally:
                client.close()

        threads = [threading.Thread(target=edit, args=(n,)) for n in range(editors)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        winners = [editor for editor, status in answers.items() if status == 200]
        summary = query(url, "SELECT summary FROM mobility_activity WHERE slug = 'contested'")[0][0]
        outcomes.append((sorted(map(str, answers.values())), winners, summary))

        assert len(answers) == editors
        assert len(winners) == 1, answers
        assert sorted(map(str, answers.values())) == ["200"] + ["412"] * (editors - 1), answers
        assert summary == f"round {round_number} by editor {winners[0]}", "the stored edit is not the winner's"

    record("concurrent-edits", {"editors": editors, "rounds": rounds, "winners_per_round": 1,
                                "412s": sum(statuses.count("412") for statuses, _w, _s in outcomes),
                                "silent_overwrites": 0})
