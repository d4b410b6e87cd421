"""The figures a visitor can embed in another site or download as SVG and PNG, built from what a query asks.

Each builder draws its figure with the very function its page uses (objectives.charts, objectives.maps,
mobility.charts, mobility.maps), so an embed, a download and the page never disagree. A figure also says where it
comes from, the page it belongs to, whether it shows demonstration data, and what its embed shows beside it.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape

from django.db.models import Max
from django.http import Http404
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core import charts
from core.licence import current as current_licence
from mobility import charts as mobility_charts
from mobility.filters import MobilityFlowFilter
from mobility.maps import mobility_map
from mobility.selectors import flow_summary, flows, has_demo, regroup, years_and_directions
from objectives import charts as indicator_charts
from objectives import progress
from objectives.maps import indicator_map, map_year, map_years
from objectives.models import Indicator, year_asked
from objectives.selectors import (
    ProgressOverview,
    asem_series,
    indicator_progress,
    progress_overview,
    year_in_progress,
)

# The statuses' colours, as portal.css paints them: a file or an embed has no stylesheet variables to read.
STATUS_COLOURS = {
    progress.ACHIEVED: "#1a7f37", progress.ON_TRACK: "#2f9e44", progress.MODERATE: "#c99a06",
    progress.LIMITED: "#d9730d", progress.DETERIORATION: "#c92a2a", progress.INSUFFICIENT_DATA: "#868e96",
}


class BadParameter(ValueError):
    """A query parameter the figure cannot use: answered 400, naming it."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@dataclass
class Figure:
    name: str  # the files' name, without the extension
    title: str
    svg: SafeString
    page_url: str  # the full page the figure belongs to
    source: str
    shows_demo: bool
    kind: str  # which embed template shows it: chart, indicator, map or progress
    context: dict = field(default_factory=dict)

    def notes(self, *, page_address: str) -> list[str]:
        """The lines a downloaded file carries under the figure."""
        lines = [_("Source: %(source)s") % {"source": self.source}, current_licence().line(),
                 _("From %(address)s") % {"address": page_address}]
        if self.shows_demo:
            lines.append(_("Demonstration data: the figures are synthetic, generated to show how the portal works."))
        return lines


def year_parameter(params: Mapping, name: str) -> int | None:
    """A year asked in the query, None when not asked; anything but a year is refused, naming the parameter."""
    asked = params.get(name, "")
    if not asked:
        return None
    year = year_asked(asked)
    if year is None:
        raise BadParameter(name, _("Choose a year, such as 2024."))
    return year


def _indicator(code: str) -> Indicator:
    indicator = Indicator.objects.select_related("priority__objective").filter(code=code).first()
    if indicator is None:
        raise Http404(_("No indicator has the code %(code)s.") % {"code": code})
    return indicator


def indicator_source(indicator: Indicator) -> str:
    """Where an indicator's values come from, in the words its page uses."""
    if indicator.source == Indicator.Source.COMPUTED:
        text = _("Computed from the portal's data")
    elif indicator.source_url:
        text = indicator.data_source or _("The published source")
    elif indicator.is_partner_reported:
        text = _("Reported by the partners in reporting rounds, reviewed and approved by the secretariat")
    else:
        text = indicator.data_source or _("Entered by hand")
    if indicator.data_source and text != indicator.data_source:
        text = f"{text} ({indicator.data_source})"
    return f"{text}, {indicator.source_url}" if indicator.source_url else text


def indicator_figure(code: str, params: Mapping) -> Figure:
    """The indicator page's chart, as of the year asked (as_of) or the latest; three queries."""
    as_of = year_parameter(params, "as_of")
    indicator = _indicator(code)
    headline = [(year, indicator.at_precision(value)) for year, value in
                asem_series(indicator.observations).filter(breakdown="").values_list("year", "value")]
    result = indicator_progress(indicator, as_of=as_of)
    svg = indicator_charts.indicator_chart(indicator, result, sorted(p for p in headline if p[0] < year_in_progress()))
    return Figure(
        name=f"indicator-{indicator.code}" + (f"-{as_of}" if as_of else ""),
        title=f"{indicator.code} {indicator.name}", svg=svg, page_url=indicator.get_absolute_url(),
        source=indicator_source(indicator), shows_demo=indicator.is_demo, kind="indicator",
        context={"indicator": indicator, "result": result},
    )


def indicator_map_figure(code: str, params: Mapping) -> Figure:
    """An indicator's map of its partners' values in the year asked (year), or the latest before it partners
    reported; asked none, the latest whole year. Four queries: the indicator, its years, the partners, the values."""
    asked = year_parameter(params, "year")
    indicator = _indicator(code)
    if not indicator.is_partner_reported:
        raise Http404(_("Partners do not report %(code)s: it has no map.") % {"code": indicator.code})
    year = map_year(indicator, year=asked, years=map_years(indicator))
    if year is None:
        raise Http404(_("No partner has reported %(code)s yet.") % {"code": indicator.code})
    drawn = indicator_map(indicator, year=year)
    return Figure(
        name=f"indicator-{indicator.code}-map-{year}", title=drawn.title, svg=drawn.svg,
        page_url=indicator.get_absolute_url(), source=indicator_source(indicator), shows_demo=indicator.is_demo,
        kind="map", context={"map": drawn, "indicator": indicator, "year": year},
    )


def progress_chart(overview: ProgressOverview) -> SafeString:
    """The progress summary: the vision's and each objective's status, and its indicators' statuses as a bar."""
    rows = [(_("The vision: all four objectives"), overview.vision)] + [
        (_("Objective %(number)s: %(title)s") % {"number": item.objective.number, "title": item.objective.title},
         item.result) for item in overview.objectives]
    width, row_height, left, bar_right = 640, 58, 12, 440
    legend = _legend_rows(width - 2 * left)
    height = row_height * len(rows) + 16 + 24 * len(legend)
    as_of = overview.as_of or "–"
    chart = charts.Chart(
        "chart-progress-summary", _("Progress toward 2030, as of %(year)s") % {"year": as_of},
        " ".join(_("%(name)s: %(status)s (%(scored)s of %(count)s indicators assessed).") % {
            "name": name, "status": _summary_status(result), "scored": result.scored_count,
            "count": result.indicator_count} for name, result in rows),
        width, height)
    for n, (name, result) in enumerate(rows):
        top = 8 + n * row_height
        shown = name if len(name) <= 70 else name[:69] + "…"
        chart.text(left, top + 16, shown, weight="bold" if n == 0 else "normal")
        x = float(left)
        total = result.indicator_count or 1
        for status in progress.STATUSES:
            count = result.counts.get(status, 0)
            if count:
                part = count / total * (bar_right - left)
                chart.add(f'<rect x="{x:.1f}" y="{top + 26}" width="{part:.1f}" height="16" '
                          f'fill="{STATUS_COLOURS[status]}"><title>{escape(progress.status_label(status))}: '
                          f"{count}</title></rect>")
                x += part
        if not result.indicator_count:
            chart.add(f'<rect x="{left}" y="{top + 26}" width="{bar_right - left}" height="16" fill="none" '
                      f'stroke="{charts.GRID}"/>')
        colour = STATUS_COLOURS.get(result.status, STATUS_COLOURS[progress.INSUFFICIENT_DATA])
        chart.add(f'<circle cx="{bar_right + 20}" cy="{top + 34}" r="7" fill="{colour}" stroke="{charts.INK}" '
                  f'stroke-width=".5"/>')
        chart.text(bar_right + 34, top + 39, _summary_status(result), weight="bold")
    for line, entries in enumerate(legend):
        y = 8 + row_height * len(rows) + 16 + 24 * line
        for x, status in entries:
            chart.add(f'<rect x="{left + x:.1f}" y="{y - 11}" width="12" height="12" fill="{STATUS_COLOURS[status]}"/>')
            chart.text(left + x + 16, y, progress.status_label(status), size=13, colour=charts.MUTED)
    return chart.render()


def _legend_rows(room: float) -> list[list[tuple[float, str]]]:
    """The statuses' swatches in lines that fit the room: each line's (offset, status)."""
    lines, x = [[]], 0.0
    for status in progress.STATUSES:
        width = 16 + len(progress.status_label(status)) * 13 * 0.6 + 14
        if x + width > room and lines[-1]:
            lines.append([])
            x = 0.0
        lines[-1].append((x, status))
        x += width
    return lines


def _summary_status(result: progress.RollupResult) -> str:
    return result.status_label if result.indicator_count else _("Not assessed yet")


def progress_figure(params: Mapping) -> Figure:
    """The progress summary as of the year asked (as_of), or the latest; the overview's four queries."""
    overview = progress_overview(as_of=year_parameter(params, "as_of"))
    return Figure(
        name=f"progress-{overview.as_of}" if overview.as_of else "progress",
        title=_("Progress toward the ASEM Education Strategy 2030, as of %(year)s") % {"year": overview.as_of or "–"},
        svg=progress_chart(overview), page_url=reverse("progress"),
        source=_("The portal's progress chart: each indicator's status by the method of the UN SDG Progress Chart, "
                 "weighted up to its objective and the vision"),
        shows_demo=any(item.indicator.is_demo for item in overview.indicators), kind="progress",
        context={"overview": overview},
    )


def _chosen_flows(params: Mapping):
    """The public flows the mobility page's filters choose, and the filters' cleaned data; a refused filter raises."""
    filterset = MobilityFlowFilter(params, queryset=flows())
    if not filterset.is_valid():
        name, messages = next(iter(filterset.form.errors.items()))
        raise BadParameter(name, " ".join(messages))
    return filterset.qs, filterset.form.cleaned_data


def _mobility_source() -> str:
    return _("Public mobility flows reported by the partners, each route as its host country reports it")


def mobility_figure(params: Mapping) -> Figure:
    """The mobility page's main chart, participants by year and direction, for the flows its filters choose."""
    selected, asked = _chosen_flows(params)
    by_year = years_and_directions(regroup(flow_summary(selected, ["year", "direction"], filters=asked),
                                           ["year", "direction"]))
    svg = mobility_charts.directions_chart(by_year)
    return Figure(
        name="mobility-directions", title=_("Participants by year and direction between Asia and Europe"), svg=svg,
        page_url=reverse("mobility:mobility"), source=_mobility_source(),
        shows_demo=has_demo(selected), kind="chart", context={"caption": _(
            "Participants moving from Asia to Europe and from Europe to Asia each year.")},
    )


def mobility_map_figure(params: Mapping) -> Figure:
    """Where participants went: the years the filters ask, or the latest year with flows."""
    selected, asked = _chosen_flows(params)
    latest = selected.aggregate(latest=Max("year"))["latest"]
    drawn = mobility_map(selected, filters=asked, latest_year=latest, focus=asked["partner"].code
                         if asked.get("partner") else None)
    if drawn is None:
        raise Http404(_("No mobility flow matches these filters."))
    return Figure(
        name="mobility-map", title=drawn.title, svg=drawn.svg, page_url=reverse("mobility:mobility"),
        source=_mobility_source(), shows_demo=has_demo(selected), kind="map",
        context={"map": drawn},
    )


BUILDERS = {
    "indicator": indicator_figure,
    "indicator-map": indicator_map_figure,
    "progress": progress_figure,
    "mobility": mobility_figure,
    "mobility-map": mobility_map_figure,
}
