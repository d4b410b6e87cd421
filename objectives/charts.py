"""The indicator pages' charts: the observations against the baseline, the target and the path between them."""

from django.utils.translation import gettext as _

from core import charts
from core.charts import Marker, Series, number
from objectives.models import Indicator
from objectives.progress import GROWTH_CAGR, METHOD_CAGR, IndicatorResult


def required_path(result: IndicatorResult) -> list[tuple[int, float]]:
    """The values year by year that would reach the target, growing as the method measures growth."""
    if result.target_value is None or result.target_year is None:
        return []
    start, span = result.baseline_value, result.target_year - result.baseline_year
    compound = start > 0 and result.target_value > 0 and result.growth_method in (GROWTH_CAGR, None)
    points = []
    for step in range(span + 1):
        if compound:
            value = start * (result.target_value / start) ** (step / span)
        else:
            value = start + (result.target_value - start) * step / span
        points.append((result.baseline_year + step, round(value, 4)))
    return points


def projection_path(result: IndicatorResult) -> list[tuple[int, float]]:
    """The values year by year from the latest value to the projection, growing as the projection does: compound
    growth curves, a linear change goes straight and, projected past a floor, stays at it."""
    projection = result.projection
    if projection is None or result.latest_year is None:
        return []
    start, end, span = result.latest_value, projection.value, projection.year - result.latest_year
    if projection.method == METHOD_CAGR:
        steps = [start * (end / start) ** (step / span) for step in range(span + 1)]
    else:
        pace = (start - result.baseline_value) / (result.latest_year - result.baseline_year)
        # The projection stops at a floor where the straight line would cross it: so does its path.
        bound = max if end > start + pace * span else min if end < start + pace * span else None
        steps = [start + pace * step for step in range(span + 1)]
        steps = [bound(value, end) for value in steps] if bound else steps
    steps[-1] = end
    return [(result.latest_year + step, round(value, 4)) for step, value in enumerate(steps)]


def describe(indicator: Indicator, result: IndicatorResult) -> str:
    parts = [_("Baseline %(year)s: %(value)s %(unit)s.") % {
        "year": result.baseline_year, "value": number(result.baseline_value), "unit": indicator.unit}]
    if result.latest_year is not None:
        parts.append(_("Latest, %(year)s: %(value)s.") % {
            "year": result.latest_year, "value": number(result.latest_value)})
    else:
        parts.append(_("No observation yet."))
    if result.target_value is not None:
        parts.append(_("Target for %(year)s: %(value)s.") % {
            "year": result.target_year, "value": number(result.target_value)})
    else:
        parts.append(_("No target is set."))
    if result.projection is not None:
        parts.append(_("At this pace, %(value)s in %(year)s.") % {
            "value": number(result.projection.value), "year": result.projection.year})
    parts.append(_("Status: %(status)s.") % {"status": result.status_label})
    return " ".join(parts)


def indicator_chart(indicator: Indicator, result: IndicatorResult, headline: list[tuple[int, float]]):
    as_of = result.as_of
    used = [(year, value) for year, value in headline if as_of is None or year <= as_of]
    later = [(year, value) for year, value in headline if as_of is not None and year > as_of]
    series = [Series(_("Observed"), used, style=0)]
    if later:
        series.append(Series(_("Observed after %(year)s") % {"year": as_of}, later, style=4))
    path = required_path(result)
    if path:
        series.append(Series(_("Path to the target"), path, style=1, show_markers=False))
    pace = projection_path(result)
    if pace:
        # The observed line goes on dashed, in its own colour: where it leads, not where it has been.
        series.append(Series(_("At this pace"), pace, style=0, dashed=True, show_markers=False))
    markers = [Marker(_("Baseline"), result.baseline_year, result.baseline_value, shape="square")]
    if result.target_value is not None:
        markers.append(Marker(_("Target"), result.target_year, result.target_value, shape="diamond"))
    return charts.line_chart(
        chart_id=f"chart-indicator-{indicator.code.replace('.', '-')}",
        title=_("%(code)s %(name)s, in %(unit)s") % {"code": indicator.code, "name": indicator.name,
                                                      "unit": indicator.unit},
        description=describe(indicator, result),
        series=series,
        markers=markers,
        today=as_of if later else None,
        today_label=_("As of %(year)s") % {"year": as_of} if later else "",
        y_label=indicator.unit,
        y_from_zero=indicator.baseline_value >= 0,
    )


def trend(indicator: Indicator, points: list[tuple[int, float]]):
    """The sparkline beside an indicator in a table."""
    points = sorted(points)
    if points:
        description = _("From %(first)s in %(first_year)s to %(last)s in %(last_year)s.") % {
            "first": number(points[0][1]), "first_year": points[0][0], "last": number(points[-1][1]),
            "last_year": points[-1][0]}
    else:
        description = _("No observations yet.")
    return charts.sparkline(
        chart_id=f"trend-{indicator.code.replace('.', '-')}",
        title=_("Trend of %(code)s") % {"code": indicator.code},
        description=description,
        points=points,
    )
