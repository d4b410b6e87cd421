"""What the home page and the progress chart show, shaped from the selectors' results for the templates."""

import datetime

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core import charts
from objectives import progress
from objectives.formats import num
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


def progress_table_rows(rows: list[dict], *, year: int | None) -> SafeString:
    """The progress chart's rows as HTML, written here rather than by the template engine: some 250 rows of six
    cells each were most of the page's time, a variable lookup and a filter call at a time. Each row is what the
    table's template drew: the code and name (an indicator's linking to its page as of the year asked), the status,
    and an indicator's figures or a roll-up's count of indicators assessed."""
    labels = {status: escape(progress.status_label(status)) for status in progress.STATUSES}
    not_assessed, by_hand = escape(_("Not assessed yet")), escape(_("set by hand"))
    no_indicator = escape(_("No indicator is defined for it yet."))
    as_of = f"?as_of={escape(year)}" if year else ""
    html = []
    for row in rows:
        result, level = row["result"], row["level"]
        name = escape(row["name"])
        if row["url"]:
            name = f'<a href="{escape(row["url"])}{as_of if level == "indicator" else ""}">{name}</a>'
        code = f"{escape(row['code'])} " if row["code"] else ""
        unit = f' <span class="muted">({escape(row["unit"])})</span>' if row.get("unit") else ""
        is_indicator = level == "indicator"
        status = labels[result.status] if is_indicator or result.indicator_count else not_assessed
        override = f'<span class="override">{by_hand}</span>' if result.is_override else ""
        if is_indicator:
            latest_year = f' <span class="year">{result.latest_year}</span>' if result.latest_year else ""
            target_year = f' <span class="year">{result.target_year}</span>' if result.target_value is not None else ""
            figures = (
                f'<td class="num">{_num(result.baseline_value)} <span class="year">{result.baseline_year}</span></td>'
                f'<td class="num">{_num(result.latest_value)}{latest_year}</td>'
                f'<td class="num">{_num(result.target_value)}{target_year}</td>'
                f'<td class="num">{"–" if result.ratio is None else f"{progress.rounded(result.ratio, 2):.2f}"}</td>'
            )
        else:
            figures = f'<td colspan="4" class="muted">{_assessed(result, no_indicator)}</td>'
        html.append(f'<tr class="level-{escape(level)}"><th scope="row">{code}{name}{unit}</th>'
                    f'<td class="cell-status cell-{escape(result.status)}">{status}{override}</td>{figures}</tr>')
    return mark_safe("\n".join(html))  # noqa: S308 every value above is escaped


def _num(value) -> str:
    return escape(num(value))


def _assessed(result: progress.RollupResult, no_indicator: str) -> str:
    if not result.indicator_count:
        return no_indicator
    if not result.scored_count:
        return escape(ngettext("Its indicator has no data after its baseline yet.",
                               "None of its %(counter)s indicators has data after its baseline yet.",
                               result.indicator_count) % {"counter": result.indicator_count})
    return escape(ngettext("%(scored)s of %(counter)s indicator assessed",
                           "%(scored)s of %(counter)s indicators assessed",
                           result.indicator_count) % {"scored": result.scored_count,
                                                      "counter": result.indicator_count})
