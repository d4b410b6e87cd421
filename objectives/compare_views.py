"""Pages comparing partners: ranked on one indicator, and side by side on one objective. Parse, read, render."""

from django.shortcuts import get_object_or_404, render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.charts import horizontal_bar_chart
from core.exports import Column, csv_response
from core.sorting import sort_links
from objectives import progress
from objectives.compare import IndicatorComparison, MatrixRow, indicator_comparison, objective_matrix
from objectives.models import Indicator, Objective, year_asked
from objectives.status_html import explained_status_html

COMPARISON_COLUMNS = [
    Column("rank", lambda row: row["rank"]),
    Column("partner", lambda row: row["partner"].code),
    Column("name", lambda row: row["partner"].name),
    Column("region", lambda row: row["partner"].region),
    Column("year", lambda row: row["year"]),
    Column("value", lambda row: row["value"]),
    Column("unit", lambda row: row["unit"]),
    Column("status", lambda row: row["status"]),
]


def comparison_records(comparison: IndicatorComparison) -> list[dict]:
    """The ranking as CSV rows, then a row for each partner that did not report the year (no rank, no value)."""
    indicator = comparison.indicator
    ranked = [{"rank": row.rank, "partner": row.partner, "year": comparison.year, "unit": indicator.unit,
               "value": indicator.at_precision(row.value), "status": row.result.status} for row in comparison.rows]
    missing = [{"rank": "", "partner": partner, "year": comparison.year, "unit": indicator.unit, "value": "",
                "status": "not_reported"} for partner in comparison.not_reported]
    return ranked + missing


@require_safe
def indicator_partners(request, code):
    indicator = get_object_or_404(Indicator.objects.select_related("priority__objective"), code=code)
    asked = request.GET.get("year", "").strip()
    year = year_asked(asked) if asked else None
    year_error = _("Choose a year, such as 2024.") if asked and year is None else ""
    comparison = indicator_comparison(indicator, year=year)
    if request.GET.get("format") == "csv":
        return csv_response(f"indicator-{indicator.code}-partners-{comparison.year or 'none'}.csv",
                            comparison_records(comparison), COMPARISON_COLUMNS, whole=True)
    grouped = request.GET.get("group") == "region"
    chart = horizontal_bar_chart(
        chart_id="ranking",
        title=_("%(code)s by partner, %(year)s") % {"code": indicator.code, "year": comparison.year or "–"},
        description=_("A bar for each partner that reported %(code)s in %(year)s, best first, the same values as the "
                      "table.") % {"code": indicator.code, "year": comparison.year or "–"},
        rows=[(row.partner.name, indicator.at_precision(row.value)) for row in comparison.rows],
    )
    context = {
        "indicator": indicator,
        "objective": indicator.priority.objective,
        "comparison": comparison,
        "groups": comparison.groups() if grouped else None,
        "grouped": grouped,
        "year_error": year_error,
        "asked_year": asked,
        "chart": chart,
        "shows_demo_data": indicator.is_demo,
    }
    return render(request, "objectives/compare_indicator.html", context, status=400 if year_error else 200)


MATRIX_ORDERS = ["partner", "region", "summary"]

MATRIX_COLUMNS = [
    Column("partner", lambda row: row.partner.code),
    Column("name", lambda row: row.partner.name),
    Column("region", lambda row: row.partner.region),
    Column("overall", lambda row: row.summary.status),
]


def _status_key(result) -> int:
    return progress.status_rank(result.status)


def _measured(result) -> bool:
    """A status to sort by: one with data; insufficient data sorts last whichever way, as no status does."""
    return result is not None and result.status != "insufficient_data"


def sorted_rows(rows: list[MatrixRow], order: str, codes: list[str]) -> list[MatrixRow]:
    """The partners in the order asked: by name, region, overall status or one indicator's status ("-" first for
    the other way); a partner without a status there, or with too little data for one, sorts last either way, and
    ties keep the names' order."""
    key_name = order.lstrip("-")
    if key_name in codes:
        index = codes.index(key_name)
        key = lambda row: _status_key(row.cells[index])  # noqa: E731
        known = [row for row in rows if _measured(row.cells[index])]
        unknown = [row for row in rows if not _measured(row.cells[index])]
    elif key_name == "summary":
        key = lambda row: _status_key(row.summary)  # noqa: E731
        known = [row for row in rows if row.reported and _measured(row.summary)]
        unknown = [row for row in rows if not (row.reported and _measured(row.summary))]
    elif key_name == "region":
        key, known, unknown = (lambda row: row.partner.region), rows, []
    else:
        return list(rows) if not order.startswith("-") else list(reversed(rows))
    return sorted(known, key=key, reverse=order.startswith("-")) + unknown


def cells_html(cells: list[progress.IndicatorResult | None]) -> SafeString:
    """A row's status cells, written directly: a thousand cells through the status include took most of the page's
    time."""
    not_reported = format_html('<td><span class="muted">{}</span></td>', _("not reported"))
    return format_html_join("", "{}", ((format_html("<td>{}</td>", explained_status_html(cell)) if cell
                                        else not_reported,) for cell in cells))


@require_safe
def objective_partners(request, number):
    objective = get_object_or_404(Objective, number=number)
    matrix = objective_matrix(objective)
    codes = [indicator.code for indicator in matrix.indicators]
    if request.GET.get("format") == "csv":
        columns = MATRIX_COLUMNS + [
            Column(code, lambda row, i=i: row.cells[i].status if row.cells[i] else "not_reported")
            for i, code in enumerate(codes)
        ]
        return csv_response(f"objective-{objective.number}-partners.csv", matrix.rows, columns, whole=True)
    order = request.GET.get("order", "")
    if order.lstrip("-") not in MATRIX_ORDERS + codes:
        order = "partner"
    links = sort_links(order, MATRIX_ORDERS + codes)
    context = {
        "objective": objective,
        "matrix": matrix,
        "columns": [{"indicator": indicator, "sort": links[indicator.code]} for indicator in matrix.indicators],
        "rows": [(row, cells_html(row.cells)) for row in sorted_rows(matrix.rows, order, codes)],
        "sort": links,
        "shows_demo_data": any(indicator.is_demo for indicator in matrix.indicators),
    }
    return render(request, "objectives/compare_objective.html", context)
