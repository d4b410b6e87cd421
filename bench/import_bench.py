"""The import benchmark: a million flow rows as CSV through mobility.imports, against PostgreSQL's own floor.

    python -m bench.import_bench --scale large

In a scratch database (asem_bench_import, made afresh), with the same CSV
file each time:

- raw COPY: PostgreSQL's COPY of the file into a bare scratch table (the
  file's ten columns, no index, no constraint): the floor for moving these
  bytes into PostgreSQL;
- the floor (schema floor): COPY of the same rows, partner codes already
  turned into ids, into a twin of the flows table with its keys and indexes
  (its checks and deferred foreign keys too, checked at its commit): what
  PostgreSQL itself needs to store them where the portal keeps them, with no
  Python in the way;
- import (first upload): mobility.imports.import_flows() into the empty flows
  table, as an upload runs it (checking every row, writing, the host rule,
  the record, commit), right after a floor, --pairs times: the ratio of each
  pair is measured under the same load, in wall seconds and in CPU seconds
  (this process's and its PostgreSQL backend's), and the median is kept;
- import (same file again): the second upload of the same file, which
  changes nothing;
- a partner's return of 100 indicators x 10 years uploaded as a file, cold
  (bench/return_bench.py).

The refresh of computed indicators and the rebuild of the flow totals that an
import queues run in the Celery worker, not in the upload's request: they are
timed apart. Results go to bench/results/import.json and import.md.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

from bench.common import DATA, RESULTS, ensure_database, environment, machine, manage

DATABASE = "asem_bench_import"
COLUMNS = ("year int, origin text, destination text, mode text, level text, participants int, female int, "
           "fewer_opportunities int, programme text, source text")


def prepare(scale: str, *, fresh: bool) -> None:
    ensure_database(DATABASE, fresh=fresh)
    manage(scale, "migrate", "--no-input", "-v0", database=DATABASE)
    manage(scale, "load_strategy", database=DATABASE)


def setup_django(scale: str) -> None:
    os.environ.update(environment(scale, database=DATABASE))
    # The refresh an import queues belongs to the worker; it is timed on its own below.
    os.environ["REDIS_URL"] = ""
    import django

    django.setup()


def csv_file(scale_name: str) -> Path:
    from bench.dataset import SCALES, write_flows_csv
    from mobility.models import Partner

    path = DATA / f"flows-{scale_name}.csv"
    if not path.exists():
        write_flows_csv(path, SCALES[scale_name], list(Partner.objects.values_list("code", flat=True)))
    return path


def timed(function, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - started, value


def _backend_cpu(pid: int) -> float:
    """CPU seconds the PostgreSQL backend of that pid has used (it runs on this machine, at 127.0.0.1)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def work(function, *args, **kwargs) -> tuple[dict, object]:
    """Wall seconds of a step, and the CPU seconds it took in this process and in its PostgreSQL backend.

    On a busy machine the wall clock of a step stretches with everything else that runs; the CPU seconds are the
    work itself, and the same whatever the load. A fresh checkpoint first, so that no step pays for the last one's.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")
    pid = connection.connection.info.backend_pid
    python, postgres, started = time.process_time(), _backend_cpu(pid), time.perf_counter()
    value = function(*args, **kwargs)
    wall = time.perf_counter() - started
    return {"wall_s": round(wall, 2), "python_cpu_s": round(time.process_time() - python, 2),
            "postgres_cpu_s": round(_backend_cpu(pid) - postgres, 2)}, value


def raw_copy(path: Path) -> float:
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_copy")
        cursor.execute(f"CREATE TABLE bench_raw_copy ({COLUMNS})")

    def copy():
        with transaction.atomic(), connection.cursor() as cursor, path.open(encoding="utf-8") as fh:
            cursor.copy_expert("COPY bench_raw_copy FROM STDIN WITH (FORMAT csv, HEADER true)", fh)

    seconds, _ = timed(copy)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_copy")
    return seconds


def schema_floor(path: Path, *, foreign_keys: bool = True, indexes: bool = True) -> dict:
    """COPY with ids into a twin of the flows table: its indexes, checks and foreign keys, and no Python.

    Without foreign_keys or without indexes (all but the primary key and the
    unique key), it tells what each of them costs.
    """
    import csv
    import io

    from django.db import connection, transaction
    from django.utils import timezone

    from mobility.models import MobilityFlow, Partner

    table = MobilityFlow._meta.db_table
    ids = dict(Partner.objects.values_list("code", "pk"))
    now = timezone.now().isoformat()
    null = "\\N"
    out = io.StringIO()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for year, origin, destination, mode, level, participants, female, fewer, programme, source in reader:
            # Each row reported by its host, so each is its route's public figure.
            out.write(f"{year}\t{ids[origin]}\t{ids[destination]}\t{ids[destination]}\tt\t{mode}\t{level}\t"
                      f"{participants}\t{female or null}\t{fewer or null}\t{programme}\t{source}\tf\t{now}\n")
    payload = out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_flow_twin")
        cursor.execute(f"CREATE TABLE bench_flow_twin (LIKE {table} INCLUDING ALL)")
        if not indexes:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'bench_flow_twin' AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = 'bench_flow_twin'::regclass)"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
        if foreign_keys:
            cursor.execute(
                "SELECT pg_get_constraintdef(oid), conname FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'f'", [table],
            )
            for definition, name in cursor.fetchall():
                cursor.execute(f"ALTER TABLE bench_flow_twin ADD CONSTRAINT twin_{name[-20:]} {definition}")

    def copy() -> float:
        """The COPY and its commit, which checks the deferred foreign keys: the commit's seconds."""
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.copy_expert(
                    "COPY bench_flow_twin (year, origin_id, destination_id, reported_by_id, is_public, mode, level, "
                    "participants, female, fewer_opportunities, programme, source, is_demo, updated_at) FROM STDIN",
                    io.StringIO(payload),
                )
            copied = time.perf_counter()
        return time.perf_counter() - copied

    measured, commit = work(copy)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_flow_twin")
    return {**measured, "commit_s": round(commit, 2)}


def product_import(path: Path, *, empty_first: bool) -> tuple[dict, dict]:
    from django.db import connection

    from mobility.imports import import_flows
    from mobility.models import MobilityFlow

    if empty_first:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {MobilityFlow._meta.db_table}")
    size = path.stat().st_size
    with path.open("rb") as fh:
        measured, result = work(import_flows, file=fh, filename=path.name, max_bytes=size + 1)
    return measured, result.as_dict()


def check_only(path: Path) -> float:
    from mobility.imports import read_rows

    def run():
        with path.open("rb") as fh:
            _, rows, _ = read_rows(file=fh, filename=path.name, max_bytes=path.stat().st_size + 1)
            for _ in rows:
                pass

    return timed(run)[0]


def computed_indicators() -> None:
    """The ten computed indicators the large dataset has, so the refresh after the import has its real work."""
    import dataclasses
    import random

    from bench.dataset import SCALES, _build_indicators
    from objectives.models import Indicator

    if not Indicator.objects.filter(source=Indicator.Source.COMPUTED).exists():
        _build_indicators(dataclasses.replace(SCALES["small"], indicators=20), random.Random(1))


def refresh_time() -> float:
    from objectives.services import refresh_computed_indicators

    return timed(refresh_computed_indicators)[0]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="large", choices=["tiny", "small", "large"])
    parser.add_argument("--repeat", type=int, default=3, help="Runs of the raw COPY (the median is kept).")
    parser.add_argument("--pairs", type=int, default=3,
                        help="Runs of the schema floor and the import, back to back (the median ratio is kept).")
    parser.add_argument("--keep-database", action="store_true", help="Reuse asem_bench_import as it is.")
    parser.add_argument("--output", default=str(RESULTS / "import"))
    args = parser.parse_args(argv)

    prepare(args.scale, fresh=not args.keep_database)
    setup_django(args.scale)
    import mobility.totals
    import objectives.services
    from bench import return_bench

    objectives.services.schedule_refresh = lambda: True  # see setup_django
    mobility.totals._queue_rebuild = lambda: None  # the totals' rebuild is the worker's too, timed below
    computed_indicators()
    path = csv_file(args.scale)
    rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
    print(f"Import benchmark: {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB of CSV", flush=True)
    load = [os.getloadavg()[0]]

    raw = [raw_copy(path) for _ in range(args.repeat)]
    print(f"  raw COPY into a bare table: {', '.join(f'{s:.2f}' for s in raw)} s", flush=True)
    # The floor and the import back to back, so that each ratio is measured under the same load.
    pairs = []
    for _ in range(args.pairs):
        floor = schema_floor(path)
        first, outcome = product_import(path, empty_first=True)
        pairs.append({
            "floor": floor, "import": first, "ratio": round(first["wall_s"] / floor["wall_s"], 2),
            "cpu_ratio": round(cpu(first) / cpu(floor), 2), "load_average": round(os.getloadavg()[0], 1),
            "phases": outcome["phases"], "result": outcome,
        })
        print(f"  floor (COPY into a twin of the flows table with its keys and indexes): {floor}; import, first "
              f"upload: {first} ({outcome['created']:,} created); ratio {pairs[-1]['ratio']}, in CPU seconds "
              f"{pairs[-1]['cpu_ratio']}; phases {outcome['phases']}", flush=True)
    middle = sorted(pairs, key=lambda pair: pair["ratio"])[len(pairs) // 2]
    without_foreign_keys = schema_floor(path, foreign_keys=False)
    print(f"  the floor without the foreign keys: {without_foreign_keys}", flush=True)
    unique_only = schema_floor(path, foreign_keys=False, indexes=False)
    print(f"  the floor without foreign keys and with only the primary and unique keys: {unique_only}", flush=True)
    checking = check_only(path)
    print(f"  reading and checking the file alone: {checking:.2f} s", flush=True)
    load.append(os.getloadavg()[0])
    again, again_result = product_import(path, empty_first=False)
    print(f"  import, same file again: {again} ({again_result['unchanged']:,} unchanged); phases "
          f"{again_result['phases']}", flush=True)
    refresh = refresh_time()
    print(f"  refresh of computed indicators afterwards (in the worker): {refresh:.2f} s", flush=True)
    rebuild = timed(mobility.totals.rebuild)[0]
    print(f"  rebuild of the flow totals afterwards (in the worker): {rebuild:.2f} s", flush=True)
    load.append(os.getloadavg()[0])
    returned = return_bench.run(args.scale)
    print(f"  a return of {returned['values']:,} values uploaded, cold: {returned['seconds']:.2f} s "
          f"({returned['queries']} queries)", flush=True)

    raw_median = statistics.median(raw)
    first, floor = middle["import"]["wall_s"], middle["floor"]["wall_s"]
    result = {
        "scale": args.scale, "rows": rows, "bytes": path.stat().st_size,
        "raw_copy_s": round(raw_median, 2), "raw_copy_runs_s": [round(s, 2) for s in raw],
        "pairs": [{key: value for key, value in pair.items() if key != "result"} for pair in pairs],
        "schema_floor_s": floor, "schema_floor": middle["floor"],
        "schema_without_foreign_keys_s": without_foreign_keys["wall_s"],
        "schema_unique_key_only_s": unique_only["wall_s"], "check_only_s": round(checking, 2),
        "import_s": first, "import": middle["import"], "import_again_s": again["wall_s"], "import_again": again,
        "refresh_s": round(refresh, 2), "totals_rebuild_s": round(rebuild, 2),
        "ratio": round(first / raw_median, 2), "ratio_to_schema_floor": middle["ratio"],
        "cpu_ratio_to_schema_floor": middle["cpu_ratio"],
        "ratio_again": round(again["wall_s"] / raw_median, 2),
        "import_phases_s": middle["phases"], "import_again_phases_s": again_result["phases"],
        "import_result": middle["result"], "import_again_result": again_result,
        "return_upload": returned,
        "load_average": [round(x, 1) for x in load], "machine": machine(),
        "finished": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    output.with_suffix(".md").write_text(markdown(result))
    print(f"  ratio import / floor: {result['ratio_to_schema_floor']} (median of {len(pairs)}; target 1.25), in CPU "
          f"seconds {result['cpu_ratio_to_schema_floor']}; import / raw COPY: {result['ratio']}")
    return 0


STEPS = ["write", "write, straight in", "write, merged", "merge", "host rule and data changed", "record", "commit"]


def _step_order(name: str) -> int:
    return STEPS.index(name) if name in STEPS else len(STEPS)


def cpu(measured: dict) -> float:
    return measured["python_cpu_s"] + measured["postgres_cpu_s"]


def markdown(r: dict) -> str:
    floor, pairs, raw = r["schema_floor_s"], r["pairs"], r["raw_copy_s"]

    def line(what: str, seconds: float, *, bold: bool = False) -> str:
        cells = [what, f"{seconds:.2f}", f"{seconds / floor:.2f}", f"{seconds / raw:.2f}"]
        return "| " + " | ".join(f"**{c}**" if bold else c for c in cells) + " |"

    lines = [
        f"# Import benchmark: {r['rows']:,} flow rows ({r['bytes'] / 1e6:.0f} MB of CSV)",
        "",
        f"Run {r['finished']} on {r['machine']['cpus']} CPUs, load average {r['load_average']} (shared machine).",
        "",
        "The floor is PostgreSQL's COPY of the same rows, partner codes already turned into ids, into a twin of the "
        "flows table with its keys and indexes (its checks and deferred foreign keys too, checked at its commit); "
        f"each import is measured right after a floor, {len(pairs)} times, and the pair with the median ratio is "
        "shown. Each step starts after a CHECKPOINT.",
        "",
        "| what | seconds | / floor | / raw COPY |",
        "| --- | ---: | ---: | ---: |",
        line(f"raw COPY of the file into a bare table (median of {len(r['raw_copy_runs_s'])})", raw),
        line("floor: COPY into a twin of the flows table with its keys and indexes", floor, bold=True),
        line("import_flows(), first upload", r["import_s"], bold=True),
        line("the floor without the foreign keys", r["schema_without_foreign_keys_s"]),
        line("the floor without foreign keys, with only the primary and unique keys", r["schema_unique_key_only_s"]),
        line("reading and checking the file alone (no writes)", r["check_only_s"]),
        line("import_flows(), the same file again (changes nothing)", r["import_again_s"]),
        f"| refresh of computed indicators after it (Celery worker) | {r['refresh_s']:.2f} | | |",
        f"| rebuild of the flow totals after it (Celery worker) | {r.get('totals_rebuild_s', 0):.2f} | | |",
        "",
        "Each floor and import, back to back: wall seconds, and CPU seconds (this process's and its PostgreSQL "
        "backend's, which a busy machine does not stretch):",
        "",
        "| floor: wall (commit) | floor: CPU | import: wall (commit) | import: CPU (Python + PostgreSQL) "
        "| import / floor, wall | the same, CPU | load average |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *[f"| {p['floor']['wall_s']:.2f} ({p['floor']['commit_s']:.2f}) | {cpu(p['floor']):.2f} "
          f"| {p['import']['wall_s']:.2f} ({p['phases'].get('commit', 0):.2f}) | {cpu(p['import']):.2f} "
          f"({p['import']['python_cpu_s']:.2f} + {p['import']['postgres_cpu_s']:.2f}) "
          f"| {p['ratio']:.2f} | {p['cpu_ratio']:.2f} | {p['load_average']} |" for p in pairs],
        "",
        "Where the import's time goes, in wall seconds (the pair shown above; the same file again beside it):",
        "",
        "| step | first upload | same file again |",
        "| --- | ---: | ---: |",
        *[f"| {name} | {r['import_phases_s'].get(name, 0):.2f} | {r['import_again_phases_s'].get(name, 0):.2f} |"
          for name in sorted(dict.fromkeys([*r["import_phases_s"], *r["import_again_phases_s"]]), key=_step_order)],
        "",
    ]
    returned = r.get("return_upload")
    if returned:
        lines += [
            f"A partner's return uploaded as a file, cold (a fresh process): {returned['indicators']} indicators x "
            f"{returned['years']} years ({returned['values']:,} values), read by reporting/template.py and saved whole "
            "or not at all by reporting/services.py, as the upload page does (target 2 s):",
            "",
            "| file | size | seconds | reading | saving | queries |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            *[f"| {run['format'].upper()} | {run['bytes'] / 1024:.0f} KB | {run['seconds']:.2f} | {run['read_s']:.2f} "
              f"| {run['save_s']:.2f} | {run['queries']} |" for run in returned["runs"]],
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
