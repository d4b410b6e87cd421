"""What the home page and the progress chart show, shaped from the selectors' results for the templates."""

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import charts
from objectives import progress
from objectives.models import Strategy
from objectives.selectors import ProgressOverview

# How each status is reached: the legend of the progress chart (DESIGN.md section 3).
LEGEND = [
    (progress.ACHIEVED, gettext_lazy("The latest value meets or passes the target.")),
    (progress.ON_TRACK, gettext_lazy(
        "Growing at 95 % or more of the rate needed to reach the target by its year "
        "(without a target: 1.5 % a year or more).")),
    (progress.MODERATE, gettext_lazy(
        "Growing at 60 % to 95 % of the rate needed (without a target: 0.5 % to 1.5 % a year).")),
    (progress.LIMITED, gettext_lazy(
        "Growing at less than 60 % of the rate needed (without a target: up to 0.5 % a year).")),
    (progress.DETERIORATION, gettext_lazy("Moving away from the target.")),
    (progress.INSUFFICIENT_DATA, gettext_lazy("No observation after the baseline year yet.")),
]


def status_count_rows(counts: dict[str, int]) -> list[dict]:
    return [{"status": status, "label": progress.status_label(status), "count": count}
            for status, count in counts.items()]


def status_chart(counts: dict[str, int]):
    total = sum(counts.values())
    description = "; ".join(f"{progress.status_label(status)}: {count}" for status, count in counts.items()) + "."
    return charts.status_bar(
        chart_id="chart-status-counts",
        title=_("The %(total)s indicators by status") % {"total": total},
        description=description,
        segments=[(progress.status_label(status), count, f"var(--{status})") for status, count in counts.items()],
    )


def strategy_timeline(strategy: Strategy, today: datetime.date):
    start_of_year = datetime.date(today.year, 1, 1)
    days_in_year = (datetime.date(today.year + 1, 1, 1) - start_of_year).days
    position = today.year + (today - start_of_year).days / days_in_year
    whole = strategy.end_year + 1 - strategy.start_year
    done = min(max(position - strategy.start_year, 0), whole) / whole
    return charts.timeline(
        chart_id="chart-timeline",
        title=_("The strategy's years, %(start)s to %(end)s") % {
            "start": strategy.start_year, "end": strategy.end_year},
        description=_("Today, %(today)s, is %(percent)s %% of the way through the strategy's period.") % {
            "today": date_format(today, "DATE_FORMAT"), "percent": round(done * 100)},
        start=strategy.start_year,
        end=strategy.end_year,
        today=position,
        today_label=_("Today"),
    )


def progress_rows(overview: ProgressOverview) -> list[dict]:
    """The progress chart as rows: the vision, then each objective, its priorities and their indicators."""
    rows = [{"level": "vision", "code": "", "name": _("The vision: all four objectives"), "result": overview.vision,
             "url": ""}]
    for objective in overview.objectives:
        rows.append({"level": "objective", "code": str(objective.objective.number),
                     "name": objective.objective.title, "result": objective.result,
                     "url": objective.objective.get_absolute_url()})
        for priority in objective.priorities:
            rows.append({"level": "priority", "code": priority.priority.code, "name": priority.priority.title,
                         "result": priority.result, "url": ""})
            for item in priority.indicators:
                rows.append({"level": "indicator", "code": item.indicator.code, "name": item.indicator.name,
                             "result": item.result, "url": item.indicator.get_absolute_url(),
                             "unit": item.indicator.unit})
    return rows
