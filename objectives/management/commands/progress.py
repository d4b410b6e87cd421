import json

from django.core.management.base import BaseCommand, CommandError

from objectives.models import FIRST_YEAR, LAST_YEAR
from objectives.progress import MAX_SCORE, status_label
from objectives.selectors import progress_overview, status_counts

COLUMNS = ("code", "status", "ratio", "latest", "year", "method", "indicator")


class Command(BaseCommand):
    help = "Print the progress toward 2030 of the vision, each objective and each indicator."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=int, metavar="YEAR",
                            help="Count only observations up to this year (default: the latest year with data).")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, as_of=None, format="table", **options):
        if as_of is not None and not FIRST_YEAR <= as_of <= LAST_YEAR:
            raise CommandError(f"--as-of must be a year from {FIRST_YEAR} to {LAST_YEAR}, not {as_of}.")
        overview = progress_overview(as_of)
        if format == "json":
            self.stdout.write(json.dumps(overview.as_dict(), indent=2, default=str))
            return
        self.stdout.write(f"Progress toward 2030 as of {overview.as_of or 'no data yet'}")
        self.stdout.write(f"Vision: {_describe(overview.vision)}")
        counts = [f"{n} {status_label(status).lower()}" for status, n in status_counts(overview).items() if n]
        self.stdout.write(f"Indicators: {', '.join(counts) or 'none'}")
        for item in overview.objectives:
            objective = item.objective
            self.stdout.write(f"\nObjective {objective.number}. {objective.short_title or objective.title}")
            self.stdout.write(f"  {_describe(item.result)}")
            rows = [
                (i.indicator.code, i.result.status_label + (" (set by hand)" if i.result.is_override else ""),
                 _number(i.result.ratio, 3), _number(i.result.latest_value), str(i.result.latest_year or "-"),
                 i.result.method, i.indicator.name)
                for i in item.indicators
            ]
            if not rows:
                self.stdout.write("  No indicators yet.")
                continue
            widths = [max(len(row[n]) for row in [COLUMNS, *rows]) for n in range(len(COLUMNS) - 1)]
            for row in [COLUMNS, *rows]:
                cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
                self.stdout.write("  " + "  ".join([*cells, row[-1]]))


def _describe(result) -> str:
    if result.score is None:
        return f"{result.status_label} ({result.indicator_count} indicators, none with data)"
    return (f"{result.status_label}: score {result.score:.2f} of {MAX_SCORE:g}, "
            f"{result.scored_count} of {result.indicator_count} indicators with data")


def _number(value, decimals: int = 2) -> str:
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"
