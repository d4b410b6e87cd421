"""A partner's return of 100 indicators x 10 years uploaded as a file, cold: read and saved whole or not at all.

    python -m bench.return_bench             # both formats, each in a fresh process, in asem_bench_import
    python -m bench.return_bench --into bench/results/import    # and into the import benchmark's results

What the upload page does with a filled file (workspace/return_files.py):
reporting.template.read_filled() reads and checks every cell against the
round, then reporting.services.save_return() writes the 1,000 values and the
return's new version in one transaction. The round, its indicators and the
partner's return are made first, untimed (bench-return-* codes, in the
import benchmark's own database); the return is emptied before each run, so
every run saves the same 1,000 new values. Each format is timed in a process
of its own that has done nothing else, so nothing is warm: not Python's
imports, not Django's caches, not the database connection.
"""

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.common import PYTHON, ROOT, environment

DATABASE = "asem_bench_import"
INDICATORS, FIRST_YEAR, YEARS = 100, 2016, 10
ROUND_SLUG = "bench-return-upload"
CODE_PREFIX = "bench-return-"
PARTNER = "DE"
USERNAME = "bench-return-focal-point"


def _setup_django(scale: str) -> None:
    os.environ.update(environment(scale, database=DATABASE))
    os.environ["REDIS_URL"] = ""  # the refresh a save may queue belongs to the worker
    import django

    django.setup()


def _round():
    """The round, its 100 indicators and Germany's return, made once; the return emptied and at version 0."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from mobility.models import PartnerMembership
    from objectives.models import Indicator, Priority
    from partners.models import Partner
    from reporting.models import Return, ReturnVersion, Round

    priorities = list(Priority.objects.order_by("code"))
    kinds = [Indicator.Kind.COUNT, Indicator.Kind.PERCENTAGE, Indicator.Kind.MEASURE]
    aggregations = [Indicator.Aggregation.SUM, Indicator.Aggregation.MEAN, Indicator.Aggregation.MEAN]
    indicators = []
    for i in range(INDICATORS):
        priority = priorities[i % len(priorities)]
        indicators.append(Indicator.objects.get_or_create(code=f"{priority.code}.{CODE_PREFIX}{i + 1:03d}", defaults={
            "priority": priority, "name": f"Return benchmark indicator {i + 1}", "unit": "units",
            "kind": kinds[i % 3], "aggregation": aggregations[i % 3], "baseline_year": FIRST_YEAR,
            "baseline_value": 10.0, "methodology": "Benchmark indicator.",
        })[0])
    round_, _ = Round.objects.get_or_create(slug=ROUND_SLUG, defaults={
        "name": "Return benchmark round", "first_year": FIRST_YEAR, "last_year": FIRST_YEAR + YEARS - 1,
        "deadline": timezone.localdate() + datetime.timedelta(days=30), "state": Round.State.OPEN,
        "opened_at": timezone.now(),
    })
    round_.indicators.set(indicators)
    partner = Partner.objects.get(code=PARTNER)
    report, _ = Return.objects.get_or_create(round=round_, partner=partner)
    user, _ = get_user_model().objects.get_or_create(username=USERNAME)
    PartnerMembership.objects.get_or_create(user=user, partner=partner)
    report.values.all().delete()
    ReturnVersion.objects.filter(report=report).delete()
    Return.objects.filter(pk=report.pk).update(version=0, state=Return.State.DRAFT)
    report.refresh_from_db()
    return report, user


def _filled_file(report, fmt: str) -> bytes:
    """The return's own template, every value filled in as a focal point would: whole counts, percentages, measures."""
    import csv
    import io

    from openpyxl import load_workbook

    from reporting import template

    def value(code: str, year: int) -> float:
        number = int(code.rsplit("-", 1)[1])
        kind = (number - 1) % 3  # as _round gives each its kind
        return [1000 + number * 7 + year, round(20 + (number + year) % 70 + 0.5, 1), round(1 + number / 100, 2)][kind]

    if fmt == "csv":
        reader = csv.reader(io.StringIO(template.build_csv(report).decode("utf-8")))
        header = next(reader)
        code_at, year_at, value_at = header.index("indicator"), header.index("year"), header.index("value")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for row in reader:
            if len(row) > value_at and row[code_at].strip():
                row[value_at] = value(row[code_at], int(row[year_at]))
            writer.writerow(row)
        return out.getvalue().encode("utf-8")
    workbook = load_workbook(io.BytesIO(template.build_xlsx(report)))
    sheet = workbook[template.VALUES]
    header = [cell.value for cell in sheet[1]]
    code_at, year_at, value_at = header.index("indicator"), header.index("year"), header.index("value")
    for row in sheet.iter_rows(min_row=2):
        if row[code_at].value:
            row[value_at].value = value(row[code_at].value, int(row[year_at].value))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def measure(scale: str, fmt: str) -> dict:
    """In a fresh process: make the file (untimed), then read and save it as the upload page does, timed."""
    _setup_django(scale)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import mobility.totals
    import objectives.services

    # What the save queues after its commit (the refresh of computed indicators, the totals' rebuild) is the Celery
    # worker's, not the upload's: without a broker it would run here, inline, over the import's million flows.
    objectives.services.schedule_refresh = lambda: True
    mobility.totals._queue_rebuild = lambda: None

    report, user = _round()
    data = _filled_file(report, fmt)
    report_id, version = report.pk, report.version
    connection.close()  # the upload's own connection, as a request opens it

    from reporting import services, template
    from reporting.models import Return

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        report = Return.objects.select_related("round", "partner").get(pk=report_id)
        filled = template.read_filled(report=report, file=data, filename=f"return.{fmt}", version=version)
        read = time.perf_counter()
        services.save_return(report=report, user=user, version=filled.version, values=filled.values,
                             answers=filled.answers, flows=filled.flows, reason=f"Uploaded from return.{fmt}")
        ended = time.perf_counter()
    report.refresh_from_db()
    saved = report.values.count()
    assert saved == INDICATORS * YEARS, f"{saved} values saved, not {INDICATORS * YEARS}"
    return {"format": fmt, "indicators": INDICATORS, "years": YEARS, "values": saved, "bytes": len(data),
            "seconds": round(ended - started, 3), "read_s": round(read - started, 3),
            "save_s": round(ended - read, 3), "queries": len(queries)}


def run(scale: str = "large") -> dict:
    """Both formats, each in a process of its own; the slower is the result, the other kept beside it."""
    runs = []
    for fmt in ("xlsx", "csv"):
        out = subprocess.run([PYTHON, "-m", "bench.return_bench", "--scale", scale, "--measure", fmt], cwd=ROOT,
                             env=environment(scale, database=DATABASE), check=True, capture_output=True, text=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    slowest = max(runs, key=lambda r: r["seconds"])
    return {**slowest, "runs": runs}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="large", choices=["tiny", "small", "large"])
    parser.add_argument("--measure", choices=["xlsx", "csv"], help="Time one format in this process.")
    parser.add_argument("--into", help="Put the result into this import benchmark's results (.json and .md).")
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.scale, args.measure)))
        return 0
    from bench.import_bench import markdown, prepare

    prepare(args.scale, fresh=False)
    result = run(args.scale)
    if args.into:
        output = Path(args.into)
        results = json.loads(output.with_suffix(".json").read_text())
        results["return_upload"] = result
        output.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
        output.with_suffix(".md").write_text(markdown(results))
    for r in result["runs"]:
        print(f"{r['format']}: {r['values']:,} values, {r['bytes'] / 1024:.0f} KB: {r['seconds']:.2f} s "
              f"(reading {r['read_s']:.2f}, saving {r['save_s']:.2f}), {r['queries']} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
