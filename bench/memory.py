"""The memory a web worker needs to send the API's CSV of every flow: flat, however many flows there are.

    python -m bench.memory [--flows 1000000] [--build]

Against its own PostgreSQL database (asem_bench_memory: the strategy, and
the flows written with COPY from bench/dataset.py's generator), one
gunicorn worker with DEBUG off, as production runs it. After a few small
requests (so the worker has imported and warmed what any request needs),
the worker's peak is reset and its resident memory read (VmRSS in
/proc/<pid>/status); then /api/v1/mobility/flows/?format=csv is downloaded
whole while VmRSS is sampled, and VmHWM (the peak since the reset) read at
the end. The growth is the peak less the memory before; the target is under
100 MB at a million flows. Results go to bench/results/memory.json and .md.
"""

import argparse
import datetime
import json
import sys
import threading
import time
import urllib.request
from pathlib import Path

from bench.common import PYTHON, RESULTS, ROOT, ensure_database, environment, flush_cache, machine, manage, query
from bench.run import HEADERS, Server, status_kb

DATABASE = "asem_bench_memory"
SCALE = "memory"
PATH = "/api/v1/mobility/flows/?format=csv"
WARM_UP = ("/healthz", "/api/v1/mobility/flows/?format=csv&page_size=1", "/api/v1/mobility/flows/?page_size=1")
TARGET_MB = 100
# Production's worker timeout (gunicorn.conf.py): its threaded worker stays alive through a download of minutes.
PRODUCTION_TIMEOUT = 30
SAMPLE_SECONDS = 0.05
READ_BYTES = 64 * 1024


def fill(flows: int) -> int:
    """Replace the database's flows with `flows` synthetic public ones (run inside Django, by --fill)."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from bench.dataset import SCALES, Scale, _build_flows
    from mobility.models import MobilityFlow, Partner

    call_command("load_strategy", verbosity=0)
    large = SCALES["large"]
    scale = Scale("memory", flows=flows, activities=0, indicators=0, first_year=large.first_year,
                  last_year=large.last_year)
    with transaction.atomic():
        MobilityFlow.objects.all()._raw_delete(MobilityFlow.objects.db)
        written = _build_flows(scale, dict(Partner.objects.values_list("code", "pk")))
    return written


class OneWorker(Server):
    """gunicorn with a single worker, on the memory benchmark's own database: the worker is the one measured."""

    def __init__(self, *, log: Path):
        super().__init__(SCALE, cache=True, workers=1, log=log, timeout=PRODUCTION_TIMEOUT)
        self.env = environment(SCALE, database=DATABASE)

    def worker_pid(self) -> int:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            if children:
                return int(children[0])
            time.sleep(0.1)
        raise RuntimeError("gunicorn started no worker")


def reset_peak(pid: int) -> None:
    """Start VmHWM again from the current resident size (Linux's clear_refs, 5)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def download(url: str, into: dict) -> None:
    """Read the whole response a block at a time, keeping only its size, its lines and its first and last line."""
    started = time.monotonic()
    into.update(status=None, bytes=0, lines=0, header="", last_line="", seconds=None)
    request = urllib.request.Request(url, headers=HEADERS)  # noqa: S310 - http to our own local server
    with urllib.request.urlopen(request, timeout=3600) as response:  # noqa: S310
        into["status"] = response.status
        into["content_type"] = response.headers.get("Content-Type")
        into["link"] = response.headers.get("Link")
        size = lines = 0
        first = last = b""
        tail = b""
        while block := response.read(READ_BYTES):
            if not first:
                first = block.split(b"\r\n", 1)[0]
            size += len(block)
            lines += block.count(b"\n")
            tail = (tail + block)[-4096:]
        last = tail.rstrip(b"\r\n").rsplit(b"\n", 1)[-1]
    into.update(bytes=size, lines=lines, header=first.decode(), last_line=last.decode().strip(),
                seconds=round(time.monotonic() - started, 1))


def measure(server: OneWorker, path: str) -> dict:
    for warm in WARM_UP:
        urllib.request.urlopen(urllib.request.Request(server.base + warm, headers=HEADERS), timeout=60).read()  # noqa: S310
    pid = server.worker_pid()
    reset_peak(pid)
    before = status_kb(pid, "VmRSS")
    result: dict = {}
    thread = threading.Thread(target=download, args=(server.base + path, result), daemon=True)
    samples = []
    thread.start()
    while thread.is_alive():
        samples.append(status_kb(pid, "VmRSS"))
        time.sleep(SAMPLE_SECONDS)
    thread.join()
    peak = max(status_kb(pid, "VmHWM"), *samples)
    after = status_kb(pid, "VmRSS")
    return {
        **result, "path": path, "worker_pid": pid, "samples": len(samples),
        "rss_before_mb": round(before / 1024, 1), "rss_peak_mb": round(peak / 1024, 1),
        "rss_after_mb": round(after / 1024, 1), "growth_mb": round((peak - before) / 1024, 1),
        "target_growth_mb": TARGET_MB,
        # Every tenth sample, to draw how the worker's memory went during the download.
        "rss_during_mb": [round(kb / 1024, 1) for kb in samples[::10]],
    }


def markdown(row: dict, meta: dict) -> str:
    verdict = "under" if row["growth_mb"] < TARGET_MB else "OVER"
    return "\n".join([
        "# Memory benchmark: the API's CSV of every flow",
        "",
        f"Run {meta['finished']} on {meta['machine']['cpus']} CPUs ({meta['machine']['cpu_model']}), "
        f"{meta['machine']['memory_gib']} GiB; one threaded gunicorn worker (gunicorn.conf.py), DEBUG off, "
        "PostgreSQL and Redis. "
        f"Data: {meta['flows']:,} flows.",
        "",
        f"`GET {row['path']}`: {row['status']}, {'whole' if row.get('complete') else 'CUT SHORT'}, "
        f"{row['bytes'] / 1e6:,.1f} MB in {row['lines']:,} lines in {row['seconds']} s.",
        "",
        "| worker RSS before | peak during (VmHWM) | after | growth | target |",
        "| ---: | ---: | ---: | ---: | ---: |",
        f"| {row['rss_before_mb']} MB | {row['rss_peak_mb']} MB | {row['rss_after_mb']} MB "
        f"| {row['growth_mb']} MB | under {TARGET_MB} MB ({verdict}) |",
        "",
        f"Last line of the file: `{row['last_line']}`",
        "",
    ])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=1_000_000)
    parser.add_argument("--build", action="store_true", help="Write the flows again even if their count is right.")
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--output", default=str(RESULTS / "memory"), help="Path and stem of the result files.")
    args = parser.parse_args(argv)
    if args.fill is not None:
        print(f"Wrote {fill(args.fill):,} flows", flush=True)
        return 0

    ensure_database(DATABASE)
    manage(SCALE, "migrate", "--no-input", "-v0", database=DATABASE)
    count = query(DATABASE, "SELECT count(*) FROM mobility_mobilityflow WHERE is_public")[0][0]
    if args.build or count != args.flows:
        import subprocess

        subprocess.run([PYTHON, "-m", "bench.memory", "--fill", str(args.flows)], cwd=ROOT, check=True,
                       env=environment(SCALE, database=DATABASE))
        query(DATABASE, "SELECT 1")
    flows = query(DATABASE, "SELECT count(*) FROM mobility_mobilityflow WHERE is_public")[0][0]
    print(f"Measuring the worker's memory while it sends {PATH} of {flows:,} flows", flush=True)
    flush_cache(SCALE)
    with OneWorker(log=RESULTS.parent / "data" / "gunicorn-memory.log") as server:
        row = measure(server, PATH)
    complete = row["status"] == 200 and row["lines"] >= flows + 2  # the header, every flow and the licence line
    row["complete"] = complete
    print(f"  {row['status']}, complete: {complete}, {row['bytes'] / 1e6:,.1f} MB, {row['lines']:,} lines in "
          f"{row['seconds']} s; RSS {row['rss_before_mb']} MB before, peak {row['rss_peak_mb']} MB: "
          f"growth {row['growth_mb']} MB", flush=True)
    meta = {"flows": flows, "machine": machine(),
            "finished": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps({"meta": meta, "result": row}, indent=2) + "\n")
    output.with_suffix(".md").write_text(markdown(row, meta))
    print(f"Wrote {output.with_suffix('.json')} and {output.with_suffix('.md')}")
    return 0 if complete and row["growth_mb"] < TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main())
