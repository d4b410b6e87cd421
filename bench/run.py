"""Serve the portal as production does and drive it with wrk: latency, throughput, errors and queries per endpoint.

    python -m bench.run --scale large [--build] [--duration 10] [--connections 32]

Two passes, each against a fresh gunicorn (DEBUG off, PostgreSQL, Redis,
the production worker count):

- cold: Django's dummy cache, so every request computes its answer from the
  database; one connection, so the latency is the request's own time and
  not its wait behind others;
- warm: the Redis cache, primed by a few requests per endpoint, at the fixed
  concurrency (32 connections by default).

Each pass measures the baseline first (a constant answered through the same
middleware, bench/urls.py), then every endpoint; the ratio is an endpoint's
p50 over the baseline's p50 in the same pass. Results go to
bench/results/latest.json and latest.md.
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
import urllib.request
from pathlib import Path

from bench.common import (
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


ENDPOINTS = [
    ("home", "/"),
    ("progress", "/progress/"),
    ("objective", "/objectives/1/"),
    ("indicator", "/indicators/{indicator}/"),
    ("activities filtered", "/activities/?objective=1&mode=virtual"),
    ("activity", "/activities/{activity}/"),
    ("mobility", "/mobility/"),
    ("partner", "/partners/DE/"),
    ("api activities filtered", "/api/v1/activities/?objective=1&status=completed"),
    ("api progress", "/api/v1/progress/"),
    ("api mobility summary", "/api/v1/mobility/summary/?group_by=year,direction"),
    ("api mobility flows filtered", "/api/v1/mobility/flows/?year=2024&origin=DE"),
    # Partners' values and how partners compare (issue 16). A page answering 404 is not built yet: the run reports
    # it so and goes on.
    ("indicator partners report", "/indicators/{partner_indicator}/"),
    ("indicator partners", "/indicators/{partner_indicator}/partners/"),
    ("objective partners", "/objectives/1/partners/"),
    ("round", "/rounds/{round_slug}/"),
    ("api partner profile", "/api/v1/partners/DE/profile/"),
    ("api indicator comparison", "/api/v1/indicators/{partner_indicator}/comparison/"),
    ("api map of partners", "/api/v1/maps/partners/"),
]
NOT_BUILT = "not built yet"


def endpoints(*, indicator: str, activity: str, partner_indicator: str = "1.1.a",
              round_slug: str = "missing") -> list[tuple[str, str]]:
    """(name, path) of what is measured, with the indicators, the activity and the round to show."""
    values = {"indicator": indicator, "activity": activity, "partner_indicator": partner_indicator,
              "round_slug": round_slug}
    return [(name, path.format(**values)) for name, path in ENDPOINTS]


def endpoints_in(database: str) -> list[tuple[str, str]]:
    """The endpoints, with an ASEM-level and a partner-reported indicator, an activity and a round from the data."""

    def first(sql: str, default: str) -> str:
        rows = query(database, sql)
        return rows[0][0] if rows else default

    return endpoints(
        indicator=first("SELECT code FROM objectives_indicator WHERE source = 'manual' AND aggregation = 'asem' "
                        "ORDER BY code LIMIT 1", "1.1.a"),
        activity=first("SELECT slug FROM mobility_activity WHERE state = 'published' ORDER BY slug LIMIT 1",
                       "missing"),
        partner_indicator=first("SELECT code FROM objectives_indicator WHERE aggregation <> 'asem' "
                                "ORDER BY code LIMIT 1", "1.1.a"),
        round_slug=first("SELECT slug FROM reporting_round WHERE state <> 'draft' ORDER BY slug LIMIT 1", "missing"),
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn as the Dockerfile runs it, on a free local port."""

    def __init__(self, scale: str, *, cache: bool, workers: int, log: Path, response_cache: bool = True):
        self.port = free_port()
        self.env = environment(scale, cache=cache, response_cache=response_cache)
        self.workers = workers
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        # As the Dockerfile does before gunicorn: with DEBUG off the pages name the collected, hashed files.
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--no-input"], cwd=ROOT, env=self.env, check=True,
                       capture_output=True)
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "asem_portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--log-level", "warning", "--timeout", "120"],
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


def get(url: str, timeout: float = 60) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=HEADERS)  # noqa: S310 - http to our own local server
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wrk(url: str, *, connections: int, threads: int, duration: int) -> dict:
    command = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
               "-s", str(LUA), url]
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
            duration: int) -> dict:
    drain(server)
    status, headers, body = get(server.base + path, timeout=600)
    queries = headers.get("X-Bench-Queries")
    if status == 404:
        return not_built(name, path, cache=cache, connections=connections)
    result = wrk(server.base + path, connections=connections, threads=threads, duration=duration)
    errors = sum(result[key] for key in result if key.startswith("errors_"))
    seconds = result["duration_us"] / 1e6
    return {
        "endpoint": name, "path": path, "cache": cache, "connections": connections, "status": status,
        "queries": int(queries) if queries is not None else None,
        "p50_ms": round(result["p50_us"] / 1000, 2), "p95_ms": round(result["p95_us"] / 1000, 2),
        "p99_ms": round(result["p99_us"] / 1000, 2), "max_ms": round(result["max_us"] / 1000, 2),
        "rps": round(result["requests"] / seconds, 1) if seconds else 0.0, "requests": result["requests"],
        "errors": errors + (0 if status == 200 else 1),
        "error_detail": {key.removeprefix("errors_"): result[key] for key in result
                         if key.startswith("errors_") and result[key]},
        "bytes": len(body), "load_average": round(os.getloadavg()[0], 2),
    }


def not_built(name: str, path: str, *, cache: str, connections: int) -> dict:
    """The row of an endpoint that answers 404: a page still to be built, reported as such and not measured."""
    return {
        "endpoint": name, "path": path, "cache": cache, "connections": connections, "status": 404, "queries": None,
        "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None, "rps": None, "requests": 0, "errors": 0,
        "error_detail": {}, "bytes": 0, "load_average": round(os.getloadavg()[0], 2), "note": NOT_BUILT,
    }


def run_pass(scale: str, cache: str, paths: list[tuple[str, str]], args) -> list[dict]:
    connections = args.connections if cache == "warm" else args.cold_connections
    log = RESULTS.parent / "data" / f"gunicorn-{scale}-{cache}.log"
    flush_cache(scale)
    rows = []
    with Server(scale, cache=cache == "warm", workers=args.workers, log=log,
                response_cache=not args.no_response_cache) as server:
        for _, path in [("baseline", BASELINE), *paths]:
            for _ in range(3 if cache == "warm" else 1):
                get(server.base + path)  # warm the cache, the workers' imports and PostgreSQL's buffers
        baseline = None
        for name, path in paths:
            # The machine may be shared: the baseline is measured again right before each endpoint, so a ratio
            # compares two measurements taken under the same load.
            baseline = measure(server, "baseline", BASELINE, cache=cache, connections=connections,
                               threads=args.threads, duration=max(3, args.duration // 2))
            row = measure(server, name, path, cache=cache, connections=connections, threads=args.threads,
                          duration=args.duration)
            row["baseline_p50_ms"] = baseline["p50_ms"]
            row["baseline_rps"] = baseline["rps"]
            if row.get("note") == NOT_BUILT:
                row["ratio"] = None
                rows.append(row)
                print(f"  {cache:4} {name:28} {NOT_BUILT} (404)", flush=True)
                continue
            row["ratio"] = round(row["p50_ms"] / baseline["p50_ms"], 2) if baseline["p50_ms"] else None
            rows.append(row)
            print(f"  {cache:4} {name:28} p50 {row['p50_ms']:8.2f} ms  p99 {row['p99_ms']:8.2f} ms  "
                  f"{row['rps']:8.1f} rps  errors {row['errors']}  queries {row['queries']}  "
                  f"baseline p50 {baseline['p50_ms']:.2f} ms  ratio {row['ratio']}", flush=True)
        if baseline is not None:
            baseline.update(baseline_p50_ms=baseline["p50_ms"], baseline_rps=baseline["rps"], ratio=1.0)
            rows.insert(0, baseline)
    return rows


def response_cache_state(args) -> str:
    """Whether whole responses were cached, as production does by default, or not in this run."""
    return "off (RESPONSE_CACHE=false for this run)" if args.no_response_cache else "on (the production default)"


def markdown(rows: list[dict], meta: dict) -> str:
    lines = [
        f"# Benchmark results: {meta['scale']} scale",
        "",
        f"Run {meta['finished']} on {meta['machine']['cpus']} CPUs ({meta['machine']['cpu_model']}), "
        f"{meta['machine']['memory_gib']} GiB; gunicorn with {meta['workers']} sync workers, DEBUG off, "
        f"PostgreSQL and Redis. Data: {meta['data']}.",
        "",
        f"- cold: dummy cache (every request computed), {meta['cold_connections']} connection(s), "
        f"{meta['duration']} s per endpoint",
        f"- warm: Redis cache primed, {meta['connections']} connections, {meta['duration']} s per endpoint",
        "- ratio: the endpoint's p50 over the baseline's p50, the baseline measured again just before each endpoint "
        "(target: 3 or less, warm); the baseline row shows the last of those runs",
        f"- whole-response cache (asem_portal/response_cache.py): {meta['response_cache']}",
        f"- load average on the machine during the run (other work shares it): {meta['load_average']}",
        "",
        "| endpoint | cache | p50 ms | p95 ms | p99 ms | req/s | errors | queries | baseline p50 ms | ratio | load |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        if row.get("note") == NOT_BUILT:
            lines.append(f"| {row['endpoint']} (`{row['path']}`) | {row['cache']} | {NOT_BUILT} (404) "
                         f"| | | | | | | | {row['load_average']} |")
            continue
        lines.append(
            f"| {row['endpoint']} (`{row['path']}`) | {row['cache']} | {row['p50_ms']:.2f} | {row['p95_ms']:.2f} "
            f"| {row['p99_ms']:.2f} | {row['rps']:.0f} | {row['errors']} | {row['queries']} "
            f"| {row['baseline_p50_ms']:.2f} | {row['ratio']:.2f} | {row['load_average']} |"
        )
    lines.append("")
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
                        help="Run the server with RESPONSE_CACHE=false, to measure what the response cache saves.")
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
    counts = query(database, "SELECT (SELECT count(*) FROM mobility_mobilityflow), "
                             "(SELECT count(*) FROM mobility_activity), (SELECT count(*) FROM objectives_indicator), "
                             "(SELECT count(*) FROM objectives_observation)")[0]
    data = f"{counts[0]:,} flows, {counts[1]:,} activities, {counts[2]:,} indicators, {counts[3]:,} observations"
    print(f"Benchmarking {args.scale}: {data}", flush=True)

    passes = [name for name in args.passes.split(",") if name]
    if not passes:
        return 0
    paths = [(name, path) for name, path in endpoints_in(database) if re.search(args.only, name)]
    rows = []
    started_load = os.getloadavg()[0]
    for cache in passes:
        rows += run_pass(args.scale, cache, paths, args)
    meta = {
        "response_cache": response_cache_state(args),
        "scale": args.scale, "data": data, "workers": args.workers, "connections": args.connections,
        "cold_connections": args.cold_connections, "duration": args.duration, "machine": machine(),
        "finished": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": f"{started_load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end",
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
