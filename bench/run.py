"""Serve the portal as production does and drive it with wrk: latency, throughput, errors and queries per endpoint.

    python -m bench.run --scale large [--build] [--duration 10] [--connections 32]

Two passes, each against a fresh gunicorn (DEBUG off, PostgreSQL, Redis,
the production worker count):

- cold: Django's dummy cache, so every request computes its answer from the
  database; one connection, so the latency is the request's own time and
  not its wait behind others;
- warm: the Redis cache, primed by a few requests per endpoint, at the fixed
  concurrency (32 connections by default).

Public endpoints are read anonymously; the workspace, the review, the board
and the admin are read signed in, as the data builder's focal point for
Germany or its member of the secretariat: each signs in once a pass through
the sign-in form, and wrk sends the session's cookie. Each pass measures the
baseline (a constant answered through the same middleware, bench/urls.py)
again just before every endpoint; the ratio is the endpoint's p50 over that
baseline's p50, marked against its target. The memory of gunicorn's master
and of each worker is read after every endpoint, and its peak over the pass
reported against the target. Results go to bench/results/latest.json,
latest-meta.json and latest.md.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

from bench.common import (
    BENCH_FOCAL_PARTNER,
    BENCH_FOCAL_POINT,
    BENCH_PASSWORD,
    BENCH_SECRETARIAT,
    PYTHON,
    RESULTS,
    ROOT,
    database_name,
    ensure_database,
    environment,
    flush_cache,
    machine,
    manage,
    query,
)

BASELINE = "/__bench__/baseline/"
LUA = ROOT / "bench" / "wrk" / "report.lua"
HEADERS = {"X-Forwarded-Proto": "https"}
SIGN_IN = "/accounts/sign-in/"

# Who reads an endpoint: anyone (no cookie), or one of the two accounts bench/dataset.py makes.
PUBLIC, FOCAL_POINT, SECRETARIAT = "public", "focal point", "secretariat"
ACCOUNTS = {FOCAL_POINT: BENCH_FOCAL_POINT, SECRETARIAT: BENCH_SECRETARIAT}

ENDPOINTS = [
    ("home", "/", PUBLIC),
    ("progress", "/progress/", PUBLIC),
    ("objective", "/objectives/1/", PUBLIC),
    ("indicator", "/indicators/{indicator}/", PUBLIC),
    ("activities filtered", "/activities/?objective=1&mode=virtual", PUBLIC),
    ("activity", "/activities/{activity}/", PUBLIC),
    ("mobility", "/mobility/", PUBLIC),
    ("partner", "/partners/DE/", PUBLIC),
    ("api activities filtered", "/api/v1/activities/?objective=1&status=completed", PUBLIC),
    ("api progress", "/api/v1/progress/", PUBLIC),
    ("api mobility summary", "/api/v1/mobility/summary/?group_by=year,direction", PUBLIC),
    ("api mobility flows filtered", "/api/v1/mobility/flows/?year=2024&origin=DE", PUBLIC),
    # Partners' values and how partners compare (issue 16). A page answering 404 is not built yet: the run reports
    # it so and goes on.
    ("indicator partners report", "/indicators/{partner_indicator}/", PUBLIC),
    ("indicator partners", "/indicators/{partner_indicator}/partners/", PUBLIC),
    ("objective partners", "/objectives/1/partners/", PUBLIC),
    ("round", "/rounds/{round_slug}/", PUBLIC),
    ("api partner profile", "/api/v1/partners/DE/profile/", PUBLIC),
    ("api indicator comparison", "/api/v1/indicators/{partner_indicator}/comparison/", PUBLIC),
    ("api map of partners", "/api/v1/maps/partners/", PUBLIC),
    # Maps, open data, embeds and feeds (issues 16 and 17).
    ("api indicator map", "/api/v1/indicators/{partner_indicator}/map/", PUBLIC),
    ("embed indicator", "/embed/indicators/{partner_indicator}/", PUBLIC),
    ("embed indicator map", "/embed/indicators/{partner_indicator}/map/", PUBLIC),
    ("api indicator sdmx", "/api/v1/indicators/{partner_indicator}/sdmx/?format=sdmx-csv", PUBLIC),
    ("api mobility sdmx", "/api/v1/mobility/sdmx/?format=sdmx-csv", PUBLIC),
    ("indicator feed", "/indicators/{partner_indicator}/feed.atom", PUBLIC),
    ("activities feed", "/activities/feed.atom", PUBLIC),
    ("releases feed", "/data/feed.atom", PUBLIC),
    ("data releases", "/data/", PUBLIC),
    ("sitemap", "/sitemap.xml", PUBLIC),
    # The rest of the page types and API reads: lists, the instruments, the report, charts' files and CSVs.
    ("partners", "/partners/", PUBLIC),
    ("objectives", "/objectives/", PUBLIC),
    ("instruments", "/instruments/", PUBLIC),
    ("instrument", "/instruments/{instrument}/", PUBLIC),
    ("activities", "/activities/", PUBLIC),
    ("rounds", "/rounds/", PUBLIC),
    ("about", "/about/", PUBLIC),
    ("stocktaking report", "/reports/stocktaking/", PUBLIC),
    ("progress chart svg", "/progress/chart.svg", PUBLIC),
    ("mobility map svg", "/mobility/map.svg", PUBLIC),
    ("embed mobility", "/embed/mobility/", PUBLIC),
    ("partner values csv", "/partners/DE/values.csv", PUBLIC),
    ("api index", "/api/v1/", PUBLIC),
    ("api objectives", "/api/v1/objectives/", PUBLIC),
    ("api indicators", "/api/v1/indicators/", PUBLIC),
    ("api instruments", "/api/v1/instruments/", PUBLIC),
    ("api partners", "/api/v1/partners/", PUBLIC),
    ("api activities", "/api/v1/activities/", PUBLIC),
    ("api rounds", "/api/v1/rounds/", PUBLIC),
    ("api indicator observations", "/api/v1/indicators/{indicator}/observations/", PUBLIC),
    ("api indicator progress", "/api/v1/indicators/{indicator}/progress/", PUBLIC),
    ("api indicator partners", "/api/v1/indicators/{partner_indicator}/partners/", PUBLIC),
    ("api objective partners", "/api/v1/objectives/1/partners/", PUBLIC),
    ("api partner values", "/api/v1/partners/DE/values/", PUBLIC),
    ("api stocktaking report", "/api/v1/reports/stocktaking/", PUBLIC),
    ("api sdmx structure", "/api/v1/sdmx/structure/", PUBLIC),
    # Signed in: never from the whole-response cache, whatever the settings.
    ("workspace home", "/workspace/", FOCAL_POINT),
    ("workspace mobility", "/workspace/mobility/", FOCAL_POINT),
    ("workspace returns", "/workspace/returns/", FOCAL_POINT),
    ("return form", "/workspace/returns/{focal_return}/", FOCAL_POINT),
    ("return history", "/workspace/returns/{focal_return}/history/", FOCAL_POINT),
    ("review queue", "/workspace/review/returns/", SECRETARIAT),
    ("activity review queue", "/workspace/review/", SECRETARIAT),
    ("return review", "/workspace/returns/{review_return}/review/", SECRETARIAT),
    ("round board", "/rounds/{round_slug}/board/", SECRETARIAT),
    ("admin activities", "/admin/mobility/activity/", SECRETARIAT),
    ("admin flows", "/admin/mobility/mobilityflow/", SECRETARIAT),
    ("admin observations", "/admin/objectives/observation/", SECRETARIAT),
]
NOT_BUILT = "not built yet"

# The targets: a ratio to the floor's p50 in the same pass, and a worker's peak memory over the run.
TARGET_WARM_CACHED = 1.5  # warm, public, whole-response cache on
TARGET_WARM = 5.0  # warm, signed in, or public with the whole-response cache off
TARGET_COLD = 60.0  # cold, every endpoint
TARGET_WORKER_MB = 250


def endpoints(*, indicator: str, activity: str, partner_indicator: str = "1.1.a", round_slug: str = "missing",
              focal_return: int | str = 0, review_return: int | str = 0,
              instrument: str = "missing") -> list[tuple[str, str, str]]:
    """(name, path, who reads it) of what is measured, with the indicators, the activity, the round and the
    returns to show."""
    values = {"indicator": indicator, "activity": activity, "partner_indicator": partner_indicator,
              "round_slug": round_slug, "focal_return": focal_return, "review_return": review_return,
              "instrument": instrument}
    return [(name, path.format(**values), who) for name, path, who in ENDPOINTS]


def endpoints_in(database: str) -> list[tuple[str, str, str]]:
    """The endpoints, with an ASEM-level and a partner-reported indicator, an activity, a round and its returns
    from the data."""

    def first(sql: str, default):
        rows = query(database, sql)
        return rows[0][0] if rows else default

    round_slug = first("SELECT slug FROM reporting_round WHERE state <> 'draft' ORDER BY slug LIMIT 1", "missing")
    returns = ("SELECT r.id FROM reporting_return r JOIN reporting_round o ON o.id = r.round_id "
               "JOIN mobility_partner p ON p.id = r.partner_id WHERE o.slug = '{slug}' AND {where} "
               "ORDER BY p.code LIMIT 1")
    return endpoints(
        indicator=first("SELECT code FROM objectives_indicator WHERE source = 'manual' AND aggregation = 'asem' "
                        "ORDER BY code LIMIT 1", "1.1.a"),
        activity=first("SELECT slug FROM mobility_activity WHERE state = 'published' ORDER BY slug LIMIT 1",
                       "missing"),
        partner_indicator=first("SELECT code FROM objectives_indicator WHERE aggregation <> 'asem' "
                                "ORDER BY code LIMIT 1", "1.1.a"),
        round_slug=round_slug,
        focal_return=first(returns.format(slug=round_slug, where=f"p.code = '{BENCH_FOCAL_PARTNER}'"), 0),
        review_return=first(returns.format(slug=round_slug, where="r.state = 'submitted'"), 0),
        instrument=first("SELECT slug FROM instruments_instrument ORDER BY number LIMIT 1", "missing"),
    )


_COLLECTED: list[bool] = []  # whether this process has collected the static files yet


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn as the Dockerfile runs it, on a free local port."""

    def __init__(self, scale: str, *, cache: bool, workers: int, log: Path, response_cache: bool = True,
                 timeout: int = 120):
        self.port = free_port()
        self.timeout = timeout
        self.env = environment(scale, cache=cache, response_cache=response_cache)
        self.workers = workers
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        # As the Dockerfile does before gunicorn: with DEBUG off the pages name the collected, hashed files. Once a
        # run: they do not change between its passes, and compressing them takes minutes on a busy machine.
        if not _COLLECTED:
            subprocess.run([PYTHON, "manage.py", "collectstatic", "--no-input"], cwd=ROOT, env=self.env, check=True,
                           capture_output=True)
            _COLLECTED.append(True)
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "asem_portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--log-level", "warning", "--timeout", str(self.timeout)],
            cwd=ROOT, env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                get(self.base + "/healthz", timeout=2)
                return self
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within 60 seconds")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer to report, not to follow: a signed-in page redirecting to the sign-in form failed."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def request(url: str, *, headers: dict | None = None, data: bytes | None = None,
            timeout: float = 60) -> tuple[int, Message, bytes]:
    """One request to our own server, redirects not followed: its status, headers (every Set-Cookie) and body."""
    request = urllib.request.Request(url, data=data, headers={**HEADERS, **(headers or {})})  # noqa: S310
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def get(url: str, timeout: float = 60, *, cookie: str = "") -> tuple[int, dict, bytes]:
    status, headers, body = request(url, headers={"Cookie": cookie} if cookie else None, timeout=timeout)
    return status, dict(headers), body


def _cookies(headers: Message) -> dict[str, str]:
    found = {}
    for header in headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        found[name.strip()] = value.strip()
    return found


def sign_in(server: Server, username: str) -> str:
    """Sign in through the sign-in form, as a browser does; the Cookie header that carries the session."""
    status, headers, body = request(server.base + SIGN_IN)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None:
        raise RuntimeError(f"The sign-in form answered {status} without a form")
    cookies = _cookies(headers)
    origin = "https://" + server.base.removeprefix("http://")  # as the TLS proxy in front would see it
    form = urllib.parse.urlencode({"username": username, "password": BENCH_PASSWORD,
                                   "csrfmiddlewaretoken": token.group(1).decode()}).encode()
    status, headers, _ = request(server.base + SIGN_IN, data=form, headers={
        "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
        "Origin": origin, "Referer": origin + SIGN_IN, "Content-Type": "application/x-www-form-urlencoded",
    })
    cookies.update(_cookies(headers))
    if status != 302 or "sessionid" not in cookies:
        raise RuntimeError(f"{username} could not sign in (the form answered {status}): build the data again "
                           "(make bench-data), which sets the benchmark accounts' password")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def wrk(url: str, *, connections: int, threads: int, duration: int, cookie: str = "") -> dict:
    command = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
               *(["-H", f"Cookie: {cookie}"] if cookie else []), "-s", str(LUA), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    return json.loads(line.removeprefix("BENCH_JSON "))


def drain(server: Server, limit: float = 600) -> None:
    """Wait until the server has worked through what wrk left queued: slow endpoints leave requests behind."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            get(server.base + BASELINE, timeout=limit)
        except OSError:
            continue
        if time.monotonic() - started < 0.5:
            return


def measure(server: Server, name: str, path: str, *, cache: str, connections: int, threads: int,
            duration: int, who: str = PUBLIC, cookie: str = "") -> dict:
    drain(server)
    started = time.monotonic()
    status, headers, body = get(server.base + path, timeout=600, cookie=cookie)
    first_us = (time.monotonic() - started) * 1e6
    queries = headers.get("X-Bench-Queries")
    if status == 404:
        return not_built(name, path, cache=cache, connections=connections, who=who)
    result = wrk(server.base + path, connections=connections, threads=threads, duration=duration, cookie=cookie)
    if not result["requests"]:
        # Not one answer within the duration: the request timed alone before it stands for every percentile, so
        # the row shows how slow the endpoint is rather than nothing.
        result.update({key: first_us for key in ("p50_us", "p95_us", "p99_us", "max_us")},
                      duration_us=result["duration_us"] or first_us)
    errors = sum(result[key] for key in result if key.startswith("errors_"))
    seconds = result["duration_us"] / 1e6
    return {
        "endpoint": name, "path": path, "who": who, "cache": cache, "connections": connections, "status": status,
        "queries": int(queries) if queries is not None else None,
        "p50_ms": round(result["p50_us"] / 1000, 2), "p95_ms": round(result["p95_us"] / 1000, 2),
        "p99_ms": round(result["p99_us"] / 1000, 2), "max_ms": round(result["max_us"] / 1000, 2),
        "rps": round(result["requests"] / seconds, 1) if seconds else 0.0, "requests": result["requests"],
        "errors": errors + (0 if status == 200 else 1),
        "error_detail": {key.removeprefix("errors_"): result[key] for key in result
                         if key.startswith("errors_") and result[key]},
        "bytes": len(body), "load_average": round(os.getloadavg()[0], 2),
    }


def not_built(name: str, path: str, *, cache: str, connections: int, who: str = PUBLIC) -> dict:
    """The row of an endpoint that answers 404: a page still to be built, reported as such and not measured."""
    return {
        "endpoint": name, "path": path, "who": who, "cache": cache, "connections": connections, "status": 404,
        "queries": None, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None, "rps": None, "requests": 0,
        "errors": 0, "error_detail": {}, "bytes": 0, "load_average": round(os.getloadavg()[0], 2), "note": NOT_BUILT,
    }


def target(row: dict, *, response_cache: bool) -> float | None:
    """The most an endpoint's ratio to the floor may be: cold, or warm from the whole-response cache, or warm without
    it (signed in, it never answers)."""
    if row["endpoint"] == "baseline":
        return None
    if row["cache"] == "cold":
        return TARGET_COLD
    return TARGET_WARM_CACHED if response_cache and row["who"] == PUBLIC else TARGET_WARM


def judge(row: dict, *, response_cache: bool) -> dict:
    """The row with its target and whether it met it: a ratio within the target, and no error."""
    row["target"] = target(row, response_cache=response_cache)
    if row["target"] is None or row.get("note") == NOT_BUILT or row["ratio"] is None:
        row["met"] = None
    else:
        row["met"] = row["ratio"] <= row["target"] and row["errors"] == 0
    return row


# Memory ------------------------------------------------------------------------------------------------------------


def status_kb(pid: int, field: str) -> int | None:
    """A field of /proc/<pid>/status in kB (VmRSS, VmHWM), or None once the process has gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def processes(server: Server) -> dict[int, str]:
    """gunicorn's master and its workers now: {pid: "master" or "worker"}."""
    master = server.process.pid
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        children = []
    return {master: "master", **{int(pid): "worker" for pid in children}}


class MemoryWatch:
    """The resident memory of gunicorn's master and each worker, read after every endpoint: the latest VmRSS and the
    peak (VmHWM, the kernel's own high-water mark, which catches what happened between two readings). A worker that
    gunicorn replaced keeps its last reading."""

    def __init__(self):
        self.seen: dict[int, dict] = {}

    def read(self, server: Server) -> None:
        for pid, role in processes(server).items():
            rss, peak = status_kb(pid, "VmRSS"), status_kb(pid, "VmHWM")
            if rss is None or peak is None:
                continue
            entry = self.seen.setdefault(pid, {"pid": pid, "role": role, "rss_mb": 0.0, "peak_mb": 0.0})
            entry["rss_mb"] = round(rss / 1024, 1)
            entry["peak_mb"] = max(entry["peak_mb"], round(peak / 1024, 1))

    def report(self) -> dict:
        workers = [entry for entry in self.seen.values() if entry["role"] == "worker"]
        peak = max((entry["peak_mb"] for entry in workers), default=None)
        return {
            "processes": sorted(self.seen.values(), key=lambda entry: (entry["role"] != "master", entry["pid"])),
            "worker_peak_mb": peak, "target_mb": TARGET_WORKER_MB,
            "met": peak is not None and peak <= TARGET_WORKER_MB,
        }


# A pass ------------------------------------------------------------------------------------------------------------


def run_pass(scale: str, cache: str, paths: list[tuple[str, str, str]], args) -> tuple[list[dict], dict]:
    """Every endpoint under one server: its rows, judged against their targets, and the processes' memory."""
    connections = args.connections if cache == "warm" else args.cold_connections
    log = RESULTS.parent / "data" / f"gunicorn-{scale}-{cache}.log"
    flush_cache(scale)
    rows = []
    response_cache = not args.no_response_cache
    memory = MemoryWatch()
    with Server(scale, cache=cache == "warm", workers=args.workers, log=log, response_cache=response_cache) as server:
        cookies = {who: sign_in(server, ACCOUNTS[who]) for who in {who for _, _, who in paths} if who != PUBLIC}
        for _, path, who in [("baseline", BASELINE, PUBLIC), *paths]:
            for _ in range(3 if cache == "warm" else 1):
                # warm the cache, the workers' imports and PostgreSQL's buffers
                get(server.base + path, timeout=600, cookie=cookies.get(who, ""))
        memory.read(server)
        baseline = None
        for name, path, who in paths:
            # The machine may be shared: the baseline is measured again right before each endpoint, so a ratio
            # compares two measurements taken under the same load.
            baseline = measure(server, "baseline", BASELINE, cache=cache, connections=connections,
                               threads=args.threads, duration=max(1, args.duration // 2))
            row = measure(server, name, path, cache=cache, connections=connections, threads=args.threads,
                          duration=args.duration, who=who, cookie=cookies.get(who, ""))
            memory.read(server)
            row["baseline_p50_ms"] = baseline["p50_ms"]
            row["baseline_rps"] = baseline["rps"]
            if row.get("note") == NOT_BUILT:
                row["ratio"] = None
                rows.append(judge(row, response_cache=response_cache))
                print(f"  {cache:4} {name:28} {NOT_BUILT} (404)", flush=True)
                continue
            row["ratio"] = round(row["p50_ms"] / baseline["p50_ms"], 2) if baseline["p50_ms"] else None
            rows.append(judge(row, response_cache=response_cache))
            print(f"  {cache:4} {name:28} p50 {row['p50_ms']:8.2f} ms  p99 {row['p99_ms']:8.2f} ms  "
                  f"{row['rps']:8.1f} rps  errors {row['errors']}  queries {row['queries']}  "
                  f"baseline p50 {baseline['p50_ms']:.2f} ms  ratio {row['ratio']} (target {row['target']}: "
                  f"{verdict(row)})", flush=True)
        if baseline is not None:
            baseline.update(baseline_p50_ms=baseline["p50_ms"], baseline_rps=baseline["rps"], ratio=1.0,
                            target=None, met=None)
            rows.insert(0, baseline)
    return rows, memory.report()


def response_cache_state(args) -> str:
    """Whether whole responses were cached, as production does by default, or not in this run."""
    return "off (RESPONSE_CACHE=false for this run)" if args.no_response_cache else "on (the production default)"


def verdict(row: dict) -> str:
    return "" if row.get("met") is None else "met" if row["met"] else "**not met**"


def _memory_lines(memory: dict) -> list[str]:
    lines = [
        "## Memory",
        "",
        f"Each process's resident memory, read after every endpoint; peak is the kernel's high-water mark (VmHWM). "
        f"Target: a worker's peak over the whole run at most {TARGET_WORKER_MB} MB.",
        "",
        "| pass | process | pid | peak MB | last MB | target |",
        "| --- | --- | ---: | ---: | ---: | --- |",
    ]
    for cache, report in memory.items():
        for entry in report["processes"]:
            met = "" if entry["role"] == "master" else (
                f"{TARGET_WORKER_MB} MB: {'met' if entry['peak_mb'] <= TARGET_WORKER_MB else '**not met**'}")
            lines.append(f"| {cache} | {entry['role']} | {entry['pid']} | {entry['peak_mb']:.1f} "
                         f"| {entry['rss_mb']:.1f} | {met} |")
    lines.append("")
    return lines


def markdown(rows: list[dict], meta: dict) -> str:
    judged = [row for row in rows if row.get("met") is not None]
    missed = [row for row in judged if not row["met"]]
    memory = meta.get("memory", {})
    peaks = [report["worker_peak_mb"] for report in memory.values() if report.get("worker_peak_mb") is not None]
    lines = [
        f"# Benchmark results: {meta['scale']} scale",
        "",
        f"Run {meta['finished']} on {meta['machine']['cpus']} CPUs ({meta['machine']['cpu_model']}), "
        f"{meta['machine']['memory_gib']} GiB; gunicorn with {meta['workers']} threaded workers (gunicorn.conf.py), "
        "DEBUG off, "
        f"PostgreSQL and Redis. Data: {meta['data']}.",
        "",
        f"- cold: dummy cache (every request computed), {meta['cold_connections']} connection(s), "
        f"{meta['duration']} s per endpoint",
        f"- warm: Redis cache primed, {meta['connections']} connections, {meta['duration']} s per endpoint",
        "- ratio: the endpoint's p50 over the baseline's p50, the baseline measured again just before each endpoint "
        "(the baseline row shows the last of those runs)",
        f"- targets: warm and public with the whole-response cache, {TARGET_WARM_CACHED}x; warm and signed in, or "
        f"public with that cache off, {TARGET_WARM:g}x; cold, {TARGET_COLD:g}x; no error anywhere",
        "- who: public endpoints are read anonymously; the others signed in through the sign-in form, as the "
        f"benchmark's focal point for {BENCH_FOCAL_PARTNER} ({BENCH_FOCAL_POINT}) or its member of the secretariat "
        f"({BENCH_SECRETARIAT}), wrk sending the session's cookie",
        f"- whole-response cache (asem_portal/response_cache.py): {meta['response_cache']}",
        f"- load average on the machine during the run (other work shares it): {meta['load_average']}",
        "",
        f"Targets met: {len(judged) - len(missed)} of {len(judged)} measured rows"
        + ("; not met: " + ", ".join(f"{row['endpoint']} ({row['cache']})" for row in missed) if missed else "")
        + (f". Workers' peak memory: {max(peaks):.1f} MB (target {TARGET_WORKER_MB} MB: "
           f"{'met' if max(peaks) <= TARGET_WORKER_MB else 'not met'})" if peaks else "") + ".",
        "",
        "| endpoint | who | cache | p50 ms | p95 ms | p99 ms | req/s | errors | queries | baseline p50 ms | ratio "
        "| target | met | load |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for row in rows:
        who = row.get("who", PUBLIC)
        if row.get("note") == NOT_BUILT:
            lines.append(f"| {row['endpoint']} (`{row['path']}`) | {who} | {row['cache']} | {NOT_BUILT} (404) "
                         f"| | | | | | | | | | {row['load_average']} |")
            continue
        goal = f"{row['target']:g}" if row.get("target") is not None else ""
        lines.append(
            f"| {row['endpoint']} (`{row['path']}`) | {who} | {row['cache']} | {row['p50_ms']:.2f} "
            f"| {row['p95_ms']:.2f} | {row['p99_ms']:.2f} | {row['rps']:.0f} | {row['errors']} | {row['queries']} "
            f"| {row['baseline_p50_ms']:.2f} | {row['ratio']:.2f} | {goal} | {verdict(row)} | {row['load_average']} |"
        )
    lines.append("")
    if memory:
        lines += _memory_lines(memory)
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="small", choices=["tiny", "small", "large"])
    parser.add_argument("--build", action="store_true", help="(Re)build the dataset first.")
    parser.add_argument("--duration", type=int, default=10, help="Seconds of load per endpoint.")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--cold-connections", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (the Dockerfile runs 3).")
    parser.add_argument("--passes", default="cold,warm", help="cold, warm or both; empty to only build.")
    parser.add_argument("--no-response-cache", action="store_true",
                        help="Run the server with RESPONSE_CACHE=false, to measure what the response cache saves "
                             "(public endpoints only: signed-in ones never use it, and the main run measures them).")
    parser.add_argument("--only", default="", help="A regular expression: measure only the endpoints it matches.")
    parser.add_argument("--output", default=str(RESULTS / "latest"), help="Path and stem of the result files.")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2

    database = database_name(args.scale)
    ensure_database(database)
    manage(args.scale, "migrate", "--no-input", "-v0")
    built = query(database, "SELECT count(*) FROM mobility_mobilityflow")[0][0]
    if args.build or not built:
        manage(args.scale, "build_bench_data", "--scale", args.scale)
    elif not query(database, "SELECT count(*) FROM mobility_flowtotalstate WHERE built_version = version")[0][0]:
        # A migration left the kept totals stale: rebuild them, as the worker would after the next change.
        manage(args.scale, "rebuild_flow_totals")
    counts = query(database, "SELECT (SELECT count(*) FROM mobility_mobilityflow WHERE is_public), "
                             "(SELECT count(*) FROM mobility_mobilityflow WHERE NOT is_public), "
                             "(SELECT count(*) FROM mobility_activity), (SELECT count(*) FROM objectives_indicator), "
                             "(SELECT count(*) FROM objectives_observation), "
                             "(SELECT count(*) FROM objectives_observation WHERE partner_id IS NOT NULL), "
                             "(SELECT count(*) FROM reporting_return), (SELECT count(*) FROM reporting_reminder)")[0]
    data = (f"{counts[0]:,} public flows (and {counts[1]:,} reported by the other end, kept beside them), "
            f"{counts[2]:,} activities, {counts[3]:,} indicators, {counts[4]:,} observations ({counts[5]:,} partners' "
            f"values), {counts[6]:,} returns, {counts[7]:,} reminders")
    print(f"Benchmarking {args.scale}: {data}", flush=True)

    passes = [name for name in args.passes.split(",") if name]
    if not passes:
        return 0
    paths = [(name, path, who) for name, path, who in endpoints_in(database) if re.search(args.only, name)
             and (who == PUBLIC or not args.no_response_cache)]
    rows = []
    memory = {}
    started_load = os.getloadavg()[0]
    for cache in passes:
        found, memory[cache] = run_pass(args.scale, cache, paths, args)
        rows += found
    meta = {
        "response_cache": response_cache_state(args),
        "scale": args.scale, "data": data, "workers": args.workers, "connections": args.connections,
        "cold_connections": args.cold_connections, "duration": args.duration, "machine": machine(),
        "finished": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": f"{started_load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end",
        "targets": {"warm_cached": TARGET_WARM_CACHED, "warm": TARGET_WARM, "cold": TARGET_COLD,
                    "worker_mb": TARGET_WORKER_MB},
        "memory": memory,
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps(rows, indent=2) + "\n")
    output.with_name(output.name + "-meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    output.with_suffix(".md").write_text(markdown(rows, meta))
    print(f"Wrote {output.with_suffix('.json')} and {output.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
