"""The stocktaking report's charts, drawn on the server as SVG from the report's own figures.

The page and the PDF show the same charts from the same template: inline SVG, which a browser draws and WeasyPrint
writes into the PDF as vector paths. Each chart sits beside a table holding its numbers, so nothing is only in the
picture.
"""

from django.utils.translation import gettext as _

from core import charts
from core.charts import number
from objectives import progress
from reports.data import StocktakingReport


def report_charts(report: StocktakingReport) -> dict:
    """The charts a section draws, by section; a section with nothing to draw has none."""
    drawn = {}
    if any(row.is_indicator for row in report.progress):
        drawn["progress"] = _status_chart(report)
    if report.coverage.rows:
        drawn["coverage"] = _instrument_chart(report)
    if report.mobility.flows:
        drawn["mobility"] = _mobility_chart(report)
    return drawn


def _status_chart(report: StocktakingReport):
    period = report.period
    indicators = [row for row in report.progress if row.is_indicator]
    start = [sum(1 for row in indicators if row.start.status == status) for status in progress.STATUSES]
    end = [sum(1 for row in indicators if row.end.status == status) for status in progress.STATUSES]
    labels = [progress.status_label(status) for status in progress.STATUSES]
    as_of_start = _("As of %(year)s") % {"year": period.baseline_year}
    as_of_end = _("As of %(year)s") % {"year": period.end}
    return charts.bar_chart(
        chart_id="chart-report-statuses",
        title=_("The %(count)s indicators by status, as of %(start)s and as of %(end)s") % {
            "count": len(indicators), "start": period.baseline_year, "end": period.end},
        description=" ".join(
            _("%(status)s: %(start)s, then %(end)s.") % {"status": label, "start": before, "end": after}
            for label, before, after in zip(labels, start, end, strict=True)
        ),
        categories=labels,
        series=[(as_of_start, start), (as_of_end, end)],
        width=960,  # room for the six statuses' names under their bars
        height=340,
    )


def _instrument_chart(report: StocktakingReport):
    coverage = report.coverage
    rows = [(instrument.name, total) for instrument, total in zip(coverage.instruments, coverage.instrument_totals,
                                                                    strict=True)]
    return charts.horizontal_bar_chart(
        chart_id="chart-report-instruments",
        title=_("Activities of %(period)s through each instrument") % {"period": report.period.label},
        description=" ".join(_("%(instrument)s: %(n)s.") % {"instrument": name, "n": number(total)}
                             for name, total in rows),
        rows=rows,
        label_width=330,
    )


def _mobility_chart(report: StocktakingReport):
    years = report.mobility.years
    to_europe, to_asia = _("Asia to Europe"), _("Europe to Asia")
    return charts.bar_chart(
        chart_id="chart-report-mobility",
        title=_("Participants by year and direction between Asia and Europe, %(period)s") % {
            "period": report.period.label},
        description=" ".join(
            _("%(year)s: %(to_europe)s from Asia to Europe, %(to_asia)s from Europe to Asia.") % {
                "year": row.year, "to_europe": number(row.asia_to_europe), "to_asia": number(row.europe_to_asia)}
            for row in years
        ),
        categories=[str(row.year) for row in years],
        series=[(to_europe, [row.asia_to_europe for row in years]), (to_asia, [row.europe_to_asia for row in years])],
        height=300,
    )
