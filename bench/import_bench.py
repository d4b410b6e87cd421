"""The import benchmark: a million flow rows as CSV through mobility.imports, against a raw COPY of the same file.

    python -m bench.import_bench --scale large

In a scratch database (asem_bench_import, made afresh), with the same CSV
file each time:

- raw COPY: PostgreSQL's COPY of the file into a bare scratch table (the
  file's ten columns, no index, no constraint): the floor for moving these
  bytes into PostgreSQL;
- schema floor: COPY of the same rows, partner codes already turned into
  ids, into a copy of the flows table with all its indexes, checks and
  foreign keys: what PostgreSQL itself needs to store them where the portal
  keeps them, with no Python in the way;
- import (first upload): mobility.imports.import_flows() into the empty flows
  table, as an upload runs it (checking every row, COPY to a stage table,
  INSERT ... ON CONFLICT, commit);
- import (same file again): the second upload of the same file, which
  changes nothing.

The refresh of computed indicators and the rebuild of the flow totals that an
import queues run in the Celery worker, not in the upload's request: they are
timed apart. Results go to
bench/results/import.json and import.md.
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


def schema_floor(path: Path, *, foreign_keys: bool = True, indexes: bool = True) -> float:
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

    def copy():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.copy_expert(
                "COPY bench_flow_twin (year, origin_id, destination_id, reported_by_id, is_public, mode, level, "
                "participants, female, fewer_opportunities, programme, source, is_demo, updated_at) FROM STDIN",
                io.StringIO(payload),
            )

    seconds, _ = timed(copy)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_flow_twin")
    return seconds


def product_import(path: Path, *, empty_first: bool) -> tuple[float, dict]:
    from django.db import connection

    from mobility.imports import import_flows
    from mobility.models import MobilityFlow

    if empty_first:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {MobilityFlow._meta.db_table}")
    size = path.stat().st_size
    with path.open("rb") as fh:
        seconds, result = timed(import_flows, file=fh, filename=path.name, max_bytes=size + 1)
    return seconds, result.as_dict()


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
    parser.add_argument("--keep-database", action="store_true", help="Reuse asem_bench_import as it is.")
    parser.add_argument("--output", default=str(RESULTS / "import"))
    args = parser.parse_args(argv)

    prepare(args.scale, fresh=not args.keep_database)
    setup_django(args.scale)
    import mobility.totals
    import objectives.services

    objectives.services.schedule_refresh = lambda: True  # see setup_django
    mobility.totals._queue_rebuild = lambda: None  # the totals' rebuild is the worker's too, timed below
    computed_indicators()
    path = csv_file(args.scale)
    rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
    print(f"Import benchmark: {rows:,} rows, {path.stat().st_size / 1e6:.0f} MB of CSV", flush=True)
    load = [os.getloadavg()[0]]

    raw = [raw_copy(path) for _ in range(args.repeat)]
    print(f"  raw COPY into a bare table: {', '.join(f'{s:.2f}' for s in raw)} s", flush=True)
    floor = schema_floor(path)
    print(f"  COPY into a twin of the flows table (indexes, checks, foreign keys): {floor:.2f} s", flush=True)
    without_foreign_keys = schema_floor(path, foreign_keys=False)
    print(f"  the same without the foreign keys: {without_foreign_keys:.2f} s", flush=True)
    unique_only = schema_floor(path, foreign_keys=False, indexes=False)
    print(f"  the same without foreign keys and with only the primary and unique keys: {unique_only:.2f} s",
          flush=True)
    checking = check_only(path)
    print(f"  reading and checking the file alone: {checking:.2f} s", flush=True)
    first, first_result = product_import(path, empty_first=True)
    print(f"  import, first upload: {first:.2f} s ({first_result['created']:,} created)", flush=True)
    load.append(os.getloadavg()[0])
    again, again_result = product_import(path, empty_first=False)
    print(f"  import, same file again: {again:.2f} s ({again_result['unchanged']:,} unchanged)", flush=True)
    refresh = refresh_time()
    print(f"  refresh of computed indicators afterwards (in the worker): {refresh:.2f} s", flush=True)
    rebuild = timed(mobility.totals.rebuild)[0]
    print(f"  rebuild of the flow totals afterwards (in the worker): {rebuild:.2f} s", flush=True)
    load.append(os.getloadavg()[0])

    raw_median = statistics.median(raw)
    result = {
        "scale": args.scale, "rows": rows, "bytes": path.stat().st_size,
        "raw_copy_s": round(raw_median, 2), "raw_copy_runs_s": [round(s, 2) for s in raw],
        "schema_floor_s": round(floor, 2), "schema_without_foreign_keys_s": round(without_foreign_keys, 2),
        "schema_unique_key_only_s": round(unique_only, 2), "check_only_s": round(checking, 2),
        "import_s": round(first, 2), "import_again_s": round(again, 2), "refresh_s": round(refresh, 2),
        "totals_rebuild_s": round(rebuild, 2),
        "ratio": round(first / raw_median, 2), "ratio_to_schema_floor": round(first / floor, 2),
        "ratio_again": round(again / raw_median, 2),
        "import_result": first_result, "import_again_result": again_result,
        "load_average": [round(x, 1) for x in load], "machine": machine(),
        "finished": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    output.with_suffix(".md").write_text(markdown(result))
    print(f"  ratio import / raw COPY: {result['ratio']} (target 3); import / schema floor: "
          f"{result['ratio_to_schema_floor']}")
    return 0


def markdown(r: dict) -> str:
    return "\n".join([
        f"# Import benchmark: {r['rows']:,} flow rows ({r['bytes'] / 1e6:.0f} MB of CSV)",
        "",
        f"Run {r['finished']} on {r['machine']['cpus']} CPUs, load average {r['load_average']} (shared machine).",
        "",
        "| what | seconds | / raw COPY |",
        "| --- | ---: | ---: |",
        f"| raw COPY of the file into a bare table (median of {len(r['raw_copy_runs_s'])}) | {r['raw_copy_s']:.2f} "
        "| 1.00 |",
        f"| COPY of the same rows into a twin of the flows table (indexes, checks, foreign keys) "
        f"| {r['schema_floor_s']:.2f} | {r['schema_floor_s'] / r['raw_copy_s']:.2f} |",
        f"| the same without the two foreign keys | {r['schema_without_foreign_keys_s']:.2f} "
        f"| {r['schema_without_foreign_keys_s'] / r['raw_copy_s']:.2f} |",
        f"| the same without foreign keys, with only the primary and unique keys "
        f"| {r['schema_unique_key_only_s']:.2f} | {r['schema_unique_key_only_s'] / r['raw_copy_s']:.2f} |",
        f"| reading and checking the file alone (no writes) | {r['check_only_s']:.2f} "
        f"| {r['check_only_s'] / r['raw_copy_s']:.2f} |",
        f"| **import_flows(), first upload** | **{r['import_s']:.2f}** | **{r['ratio']:.2f}** |",
        f"| import_flows(), the same file again (changes nothing) | {r['import_again_s']:.2f} "
        f"| {r['ratio_again']:.2f} |",
        f"| refresh of computed indicators after it (Celery worker) | {r['refresh_s']:.2f} | |",
        f"| rebuild of the flow totals after it (Celery worker) | {r.get('totals_rebuild_s', 0):.2f} | |",
        "",
    ])


if __name__ == "__main__":
    sys.exit(main())
