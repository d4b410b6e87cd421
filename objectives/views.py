"""Public pages of the objectives and their indicators: parse, call a selector, render.

The pages show the activities that serve each objective too: the app that holds activities registers them in
objectives.registry, so objectives never imports it.
"""

from collections import defaultdict

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.charts import number
from core.exports import Column, csv_response
from core.sorting import sort_links
from objectives import charts, progress
from objectives.formats import growth, method_label, num, ratio
from objectives.forms import AsOfForm
from objectives.maps import indicator_map, map_year, map_years
from objectives.models import Indicator, Observation
from objectives.registry import related_activities
from objectives.selectors import (
    PartnerProgress,
    as_of_years,
    asem_headline,
    asem_series,
    indicator_progress,
    partner_progress,
    progress_overview,
    year_in_progress,
)
from objectives.status_html import status_span
from partners.models import Partner

RELATED_ACTIVITIES_SHOWN = 10

OBSERVATION_COLUMNS = [
    Column("indicator", lambda o: o.indicator.code),
    Column("year", lambda o: o.year),
    Column("breakdown", lambda o: o.breakdown),
    Column("value", lambda o: o.indicator.at_precision(o.value)),
    Column("unit", lambda o: o.indicator.unit),
    Column("computed", lambda o: "yes" if o.is_computed else "no"),
    Column("coverage", lambda o: o.coverage),  # how many partners a value made from theirs rests on
    Column("note", lambda o: o.note),
]


@require_safe
def objective_list(request):
    overview = progress_overview()
    counts = related_activities.counts()
    objectives = [
        {"item": item, "activities": counts.get(item.objective.number, (0, 0))[0]} for item in overview.objectives
    ]
    shows_demo = any(i.indicator.is_demo for i in overview.indicators) or any(d for _n, d in counts.values())
    return render(request, "objectives/objective_list.html",
                  {"overview": overview, "objectives": objectives, "shows_demo_data": shows_demo})


@require_safe
def objective_detail(request, number):
    overview = progress_overview()
    item = next((o for o in overview.objectives if o.objective.number == number), None)
    if item is None:
        raise Http404("No such objective.")
    series = defaultdict(list)
    indicators = {i.indicator.pk: i.indicator for i in item.indicators}
    # A year in progress is left out of the trends: its partial count would read as a fall.
    for indicator_id, year, value in asem_headline(Observation.objects.filter(
        indicator__in=[i.indicator.pk for i in item.indicators], year__lt=year_in_progress()
    )).order_by("year").values_list("indicator_id", "year", "value"):
        series[indicator_id].append((year, indicators[indicator_id].at_precision(value)))
    priorities = [
        {"item": priority, "indicators": (rows := [
            {"item": i, "trend": charts.trend(i.indicator, series[i.indicator.pk])} for i in priority.indicators
        ]), "rows": indicator_rows(rows)}
        for priority in item.priorities
    ]
    shown, activity_count = related_activities.first(item.objective, limit=RELATED_ACTIVITIES_SHOWN)
    context = {
        "overview": overview,
        "item": item,
        "objective": item.objective,
        "priorities": priorities,
        "activities": shown,
        "activity_count": activity_count,
        "shows_demo_data": any(i.indicator.is_demo for i in item.indicators) or any(a.is_demo for a in shown),
    }
    return render(request, "objectives/objective_detail.html", context)


@require_safe
def indicator_detail(request, code):
    indicator = get_object_or_404(Indicator.objects.select_related("priority__objective"), code=code)
    # Read through the indicator's own manager, each observation's .indicator is this one: no query per row.
    observations = list(asem_series(indicator.observations).order_by("breakdown", "year"))
    if request.GET.get("format") == "csv":
        return csv_response(f"indicator-{indicator.code}.csv", observations, OBSERVATION_COLUMNS, whole=True)
    headline = [(o.year, indicator.at_precision(o.value)) for o in observations if not o.breakdown]
    form = AsOfForm(request.GET, years=as_of_years(first=indicator.baseline_year, with_data=[y for y, _v in headline]))
    result = indicator_progress(indicator, as_of=form.year)
    partners = partner_progress(indicator, as_of=form.year) if indicator.is_partner_reported else []
    order = request.GET.get("order", "")
    context = {
        "indicator": indicator,
        "priority": indicator.priority,
        "objective": indicator.priority.objective,
        "form": form,
        "result": result,
        # The table shows a year in progress as provisional; the chart leaves it out.
        "chart": charts.indicator_chart(indicator, result, [p for p in headline if p[0] < year_in_progress()]),
        "headline": [o for o in observations if not o.breakdown],
        "breakdowns": breakdown_tables(observations),
        "shows_demo_data": indicator.is_demo,
        "year_in_progress": year_in_progress(),
        "aggregation_text": aggregation_text(indicator),
        "partner_count": Partner.objects.count() if indicator.is_partner_reported else None,
        "partners": (partners := sorted_partners(partners, order)),
        "partner_rows": partner_rows(partners, indicator),
        "sort": sort_links(order if order.lstrip("-") in PARTNER_ORDERS else "partner", PARTNER_ORDERS),
    }
    if indicator.is_partner_reported and (year := map_year(indicator, year=form.year, years=map_years(indicator))):
        context["map"] = indicator_map(indicator, year=year)  # the year the page's as-of control asks, or before it
    return render(request, "objectives/indicator_detail.html", context, status=200 if form.is_valid() else 400)


def indicator_rows(rows: list[dict]) -> SafeString:
    """A priority's indicators on its objective's page as HTML table rows, written here rather than by the template
    engine, as partner_rows() does: each is what the table's template drew, its status as includes/status.html."""
    html = []
    for row in rows:
        indicator, result = row["item"].indicator, row["item"].result
        status = status_span(result)
        latest = f' <span class="muted">{result.latest_year}</span>' if result.latest_year else ""
        target = f' <span class="muted">{result.target_year}</span>' if result.target_year else ""
        html.append(
            f'<tr><th scope="row"><a href="{escape(indicator.get_absolute_url())}">{escape(indicator.code)} '
            f'{escape(indicator.name)}</a> <span class="muted">({escape(indicator.unit)})</span></th>'
            f'<td>{status}</td>'
            f'<td class="num">{escape(num(result.baseline_value))} <span class="muted">{result.baseline_year}</span>'
            f'</td><td class="num">{escape(num(result.latest_value))}{latest}</td>'
            f'<td class="num">{escape(num(result.target_value))}{target}</td>'
            f'<td class="spark">{_shown(row["trend"])}</td></tr>'
        )
    return mark_safe("\n".join(html))  # noqa: S308 every value above is escaped


def _shown(value) -> str:
    """A value as the template engine prints it: escaped, unless it is already safe HTML (a chart)."""
    return conditional_escape(value if isinstance(value, str) else str(value))


def partner_rows(items: list[PartnerProgress], indicator: Indicator) -> SafeString:
    """The partners' table rows as HTML, written here rather than by the template engine: 53 rows of a status and
    its figures each were most of the page's time, a variable lookup and a filter call at a time. Each row is what
    the table's template drew, through the pages' own filters."""
    words = {text: escape(_(text)) for text in ("none", "none yet", "none set", "Figures", "Baseline", "Latest",
                                                "Target", "Actual growth", "Required growth", "Ratio", "Method")}
    decimals = indicator.decimals
    html = []
    for item in items:
        result = item.result
        if result.target_value is not None:
            own_target = f"{escape(num(result.target_value, decimals))} ({result.target_year})"
        else:
            own_target = f'<span class="muted">{words["none"]}</span>'
        pace = "–"
        if result.projection:
            pace = escape(num(result.projection.value, decimals))
            if result.projection.year != indicator.target_year:
                pace += f" ({result.projection.year})"
        status = status_span(result)
        latest = (f"{escape(num(result.latest_value))} ({result.latest_year})" if result.latest_year
                  else words["none yet"])
        target = (f"{escape(num(result.target_value))} ({result.target_year})" if result.target_value is not None
                  else words["none set"])
        explanation = escape(result.explanation)
        html.append(
            f'<tr id="partner-{escape(item.partner.code)}"><th scope="row">{escape(item.partner.name)}</th>'
            f'<td class="num">{escape(num(result.latest_value, decimals))}</td>'
            f'<td class="num">{"–" if result.latest_year is None else result.latest_year}</td>'
            f'<td class="num">{own_target}</td><td class="num">{pace}</td>'
            f'<td class="cell-status"><span title="{explanation}">{status}</span><details><summary>'
            f'{words["Figures"]}</summary><dl class="facts">'
            f'<dt>{words["Baseline"]}</dt><dd>{escape(num(result.baseline_value))} ({result.baseline_year})</dd>'
            f'<dt>{words["Latest"]}</dt><dd>{latest}</dd><dt>{words["Target"]}</dt><dd>{target}</dd>'
            f'<dt>{words["Actual growth"]}</dt><dd>{escape(growth(result.actual_growth, result.growth_method))}</dd>'
            f'<dt>{words["Required growth"]}</dt>'
            f'<dd>{escape(growth(result.required_growth, result.growth_method))}</dd>'
            f'<dt>{words["Ratio"]}</dt><dd>{escape(ratio(result.ratio))}</dd>'
            f'<dt>{words["Method"]}</dt><dd>{escape(method_label(result.method))}</dd>'
            f'</dl><p>{explanation}</p></details></td></tr>'
        )
    return mark_safe("\n".join(html))  # noqa: S308 every value above is escaped


def breakdown_tables(observations: list[Observation]) -> list[dict]:
    """Observations with a breakdown, one table per key (region, mode, ...): a row per value, a column per year."""
    tables: dict[str, dict[str, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for o in observations:
        if o.breakdown:
            key, _sep, value = o.breakdown.partition("=")
            tables[key][value][o.year] = o.indicator.at_precision(o.value)
    result = []
    for key, rows in sorted(tables.items()):
        years = sorted({year for values in rows.values() for year in values})
        result.append({
            "key": key.replace("_", " "),
            "years": years,
            "rows": [{"value": value.replace("_", " "), "values": [values.get(year) for year in years]}
                     for value, values in sorted(rows.items())],
        })
    return result


def aggregation_text(indicator: Indicator) -> str:
    """How the partners' values make the ASEM value, in words; empty for an indicator measured for ASEM as a whole."""
    rule = {
        Indicator.Aggregation.SUM: _(
            "The ASEM value of a year is the sum of the values of the partners that reported that year."),
        Indicator.Aggregation.MEAN: _(
            "The ASEM value of a year is the simple mean of the values of the partners that reported that year: "
            "each partner counts the same, so large partners do not outweigh small ones."),
        Indicator.Aggregation.COUNT: _(
            "The ASEM value of a year is how many partners reported a value of at least %(least)s that year "
            "(for a yes or no question, yes is 1 and no is 0).") % {"least": number(indicator.count_at_least)},
    }.get(indicator.aggregation)
    if rule is None:
        return ""
    return " ".join([str(rule), str(_(
        "A partner that did not report a year is left out of it, never counted as zero, so each value says how "
        "many partners it rests on. Only values the secretariat has approved count."))])


# The partners' table sorts by these, ascending first; a partner without a value sorts last either way.
PARTNER_ORDERS = {
    "partner": lambda item: item.partner.name,
    "value": lambda item: item.result.latest_value,
    "year": lambda item: item.result.latest_year,
    "status": lambda item: progress.status_rank(item.result.status),
}


def sorted_partners(items: list[PartnerProgress], order: str) -> list[PartnerProgress]:
    """The partners in the order asked (an unknown one is the partners' names); "-value" is descending."""
    key = PARTNER_ORDERS.get(order.lstrip("-"), PARTNER_ORDERS["partner"])
    by_name = sorted(items, key=PARTNER_ORDERS["partner"])  # ties keep the partners' names in order
    known = [item for item in by_name if key(item) is not None]
    unknown = [item for item in by_name if key(item) is None]
    return sorted(known, key=key, reverse=order.startswith("-")) + unknown
