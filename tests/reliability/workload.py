"""A bounded mix of reads and writes against a running portal, and the checks made on the database after it.

Clients are threads, each on its own keep-alive connection; every request is
recorded (status, time taken, when it started), and every write carries a
slug of its own so the database can be asked afterwards whether each
acknowledged write is there, whole.
"""

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import psycopg2

from tests.reliability.servers import HttpClient

SECRETARIAT = ("sam", "correct horse battery staple")
READ_PATHS = ["/", "/activities/", "/activities/?q=ASEM", "/partners/", "/partners/DE/", "/progress/",
              "/objectives/", "/instruments/", "/mobility/", "/about/"]


@dataclass
class Result:
    kind: str  # "read" or "write"
    path: str
    status: int  # 0: no HTTP answer at all
    seconds: float
    started: float
    error: str = ""
    slug: str = ""
    retry_after: str | None = None


@dataclass
class Figures:
    """What a run did, in numbers a person can read."""

    results: list[Result] = field(default_factory=list)
    duration: float = 0.0
    setup_errors: list[str] = field(default_factory=list)

    def count(self, kind: str | None = None, statuses=None) -> int:
        return sum(1 for r in self.results
                   if (kind is None or r.kind == kind) and (statuses is None or r.status in statuses))

    @property
    def statuses(self) -> Counter:
        return Counter(r.status for r in self.results)

    @property
    def server_errors(self) -> list[Result]:
        return [r for r in self.results if r.status >= 500 or r.status == 0]

    def acknowledged_writes(self, ok=(201, 200, 302)) -> list[str]:
        return [r.slug for r in self.results if r.kind == "write" and r.status in ok]

    def percentile(self, p: float, kind: str | None = None) -> float:
        times = sorted(r.seconds for r in self.results if kind is None or r.kind == kind)
        if not times:
            return 0.0
        return times[min(len(times) - 1, round(p / 100 * (len(times) - 1)))]


class AdminActivityWriter:
    """Adds a published activity with two partners, an objective and an instrument through the admin's form."""

    def __init__(self, ids: dict[str, int]):
        self.ids = ids

    def prepare(self, client: HttpClient) -> None:
        client.login_admin(*SECRETARIAT)
        self.csrf = client.csrf_token("/admin/mobility/activity/add/")
        client.form_token = self.csrf

    def write(self, client: HttpClient, slug: str):
        form = {
            "csrfmiddlewaretoken": client.form_token, "title": f"Load test activity {slug}", "slug": slug,
            "summary": "Written by the reliability tests.", "description": "", "activity_type": "conference",
            "status": "completed", "state": "published", "review_note": "", "start_date": "2024-05-01",
            "end_date": "2024-05-02", "start_year": "2024", "end_year": "", "place": "Bangkok", "delivery_mode":
            "physical", "lead_partner": self.ids["DE"], "lead_description": "", "partners": [self.ids["DE"],
            self.ids["TH"]], "objectives": [self.ids["objective"]], "instruments": [self.ids["instrument"]],
            "participants_asia": "10", "participants_europe": "12", "website": "", "source_url": "", "outcomes": "",
            "_save": "Save",
        }
        return client.post_form("/admin/mobility/activity/add/", form)


def run_workload(port: int, *, clients: int, seconds: float, write_share: float, writer=None,
                 read_paths=READ_PATHS, prefix: str = "load", max_requests_per_client: int = 100_000,
                 timeout: float = 30, on_tick=None) -> Figures:
    """Drive the portal with `clients` threads for `seconds` (and never more than the request cap).

    ``on_tick(start, stop)`` runs in the calling thread while the clients work; setting the ``stop`` event
    ends the run early.
    """
    figures = Figures()
    stop = threading.Event()
    lock = threading.Lock()
    start = time.monotonic()
    deadline = start + seconds

    def client_loop(number: int) -> None:
        rng = random.Random(number)
        client = HttpClient(port, timeout=timeout)
        if writer is not None and write_share > 0:
            prepared = False
            while not prepared and time.monotonic() < deadline:
                try:
                    writer.prepare(client)
                    prepared = True
                except Exception as exc:  # the database may be away at this moment: try again shortly
                    figures.setup_errors.append(f"{type(exc).__name__}: {exc}"[:300])
                    time.sleep(0.5)
        mine: list[Result] = []
        sequence = 0
        while time.monotonic() < deadline and not stop.is_set() and sequence < max_requests_per_client:
            sequence += 1
            is_write = writer is not None and rng.random() < write_share
            slug = f"{prefix}-{number}-{sequence}" if is_write else ""
            path = "write" if is_write else rng.choice(read_paths)
            began = time.monotonic()
            try:
                response = writer.write(client, slug) if is_write else client.get(path)
                result = Result("write" if is_write else "read", path, response.status, response.seconds,
                                began - start, slug=slug, retry_after=response.headers.get("retry-after"))
                if response.status >= 500:
                    result.error = response.text[:300]
            except Exception as exc:  # connection refused or reset, a timeout: no HTTP answer
                result = Result("write" if is_write else "read", path, 0, time.monotonic() - began, began - start,
                                error=f"{type(exc).__name__}: {exc}"[:300], slug=slug)
                time.sleep(0.05)
            mine.append(result)
        client.close()
        with lock:
            figures.results.extend(mine)

    threads = [threading.Thread(target=client_loop, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    if on_tick is not None:
        on_tick(start, stop)
    for thread in threads:
        thread.join(timeout=seconds + timeout + 60)
    figures.duration = time.monotonic() - start
    figures.results.sort(key=lambda r: r.started)
    return figures


def ids(database_url: str) -> dict[str, int]:
    with psycopg2.connect(database_url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT code, id FROM mobility_partner WHERE code IN ('DE', 'TH')")
        found = dict(cursor.fetchall())
        cursor.execute("SELECT id FROM objectives_objective WHERE number = 1")
        found["objective"] = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM instruments_instrument ORDER BY number LIMIT 1")
        found["instrument"] = cursor.fetchone()[0]
    conn.close()
    return found


def activities_written(database_url: str, prefix: str) -> dict[str, tuple[int, int, int, int]]:
    """For each activity the run wrote: its partners, objectives, instruments and history rows."""
    with psycopg2.connect(database_url) as conn, conn.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.slug,
                   (SELECT count(*) FROM mobility_activity_partners p WHERE p.activity_id = a.id),
                   (SELECT count(*) FROM mobility_activity_objectives o WHERE o.activity_id = a.id),
                   (SELECT count(*) FROM mobility_activity_instruments i WHERE i.activity_id = a.id),
                   (SELECT count(*) FROM mobility_historicalactivity h WHERE h.id = a.id)
            FROM mobility_activity a WHERE a.slug LIKE %s
            """,
            [f"{prefix}-%"],
        )
        rows = {slug: tuple(counts) for slug, *counts in cursor.fetchall()}
    conn.close()
    return rows


def create_secretariat(env) -> None:
    from tests.reliability.servers import manage

    manage(env, "shell", "-c",
           "from django.contrib.auth.models import Group, User\n"
           f"u = User.objects.create_user({SECRETARIAT[0]!r}, 'sam@example.org', {SECRETARIAT[1]!r}, is_staff=True,"
           " is_superuser=True)\n"
           "u.groups.add(Group.objects.get(name='Secretariat'))\n"
           "from rest_framework.authtoken.models import Token\n"
           "print(Token.objects.create(user=u).key)")


def record(name: str, figures: dict) -> None:
    """Keep a run's figures for docs/reliability.md: one JSON line per test in .pytest_cache/reliability/."""
    import json
    import os

    from tests.reliability.servers import LOGS

    LOGS.mkdir(parents=True, exist_ok=True)
    path = os.environ.get("RELIABILITY_FIGURES", str(LOGS / "figures.jsonl"))
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"test": name, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **figures}) + "\n")
