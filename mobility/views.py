"""Public pages of activities, partners and mobility: parse, call a selector, render."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.exports import csv_response
from mobility import charts
from mobility.exports import ACTIVITY_COLUMNS, FLOW_COLUMNS, activity_records, flow_records
from mobility.filters import ActivityFilter, MobilityFlowFilter
from mobility.maps import mobility_map
from mobility.models import Activity, Direction, Region
from mobility.selectors import (
    flow_summary,
    flows,
    has_demo,
    largest_corridors,
    partner_list_with_counts,
    public_activities,
    regroup,
    table_by_year_and,
    years_and_directions,
)
from objectives.models import Priority

BETWEEN_REGIONS = (Direction.ASIA_TO_EUROPE, Direction.EUROPE_TO_ASIA)
ACTIVITIES_PER_PAGE = 20


def filter_errors(filterset) -> list[dict]:
    """What was wrong with the filters, in words a visitor can act on."""
    if filterset.is_valid():
        return []
    return [
        {"label": filterset.form.fields[name].label if name in filterset.form.fields else name,
         "messages": messages}
        for name, messages in filterset.form.errors.items()
    ]


def bad_filter_csv(errors: list[dict]) -> HttpResponse:
    lines = [_("The export was not made: some filters are not valid.")]
    lines += [f"{error['label']}: {' '.join(error['messages'])}" for error in errors]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8")


@require_safe
def activity_list(request):
    filterset = ActivityFilter(request.GET, queryset=public_activities())
    errors = filter_errors(filterset)
    if request.GET.get("format") == "csv":
        if errors:
            return bad_filter_csv(errors)
        return csv_response("asem-activities.csv", activity_records(filterset.qs), ACTIVITY_COLUMNS)
    page = Paginator(filterset.qs, ACTIVITIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "filter_errors": errors,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "shows_demo_data": any(activity.is_demo for activity in page),
    }
    return render(request, "mobility/activity_list.html", context, status=400 if errors else 200)


@require_safe
def activity_detail(request, slug):
    activity = get_object_or_404(
        public_activities().prefetch_related(
            "organisations", Prefetch("priorities", queryset=Priority.objects.select_related("objective"))
        ),
        slug=slug,
    )
    return render(request, "mobility/activity_detail.html",
                  {"activity": activity, "shows_demo_data": activity.is_demo})


@require_safe
def partner_list(request):
    partners = list(partner_list_with_counts())
    sides = [
        {"region": Region.ASIA, "label": _("Asian partners"), "partners": [p for p in partners if p.region == "asia"]},
        {"region": Region.EUROPE, "label": _("European partners"),
         "partners": [p for p in partners if p.region == "europe"]},
    ]
    shows_demo = any(p.led_count or p.joined_count for p in partners) and has_demo(
        Activity.objects.filter(state=Activity.State.PUBLISHED)
    )
    return render(request, "mobility/partner_list.html", {
        "sides": sides, "partner_count": len(partners), "shows_demo_data": shows_demo,
    })


@require_safe
def mobility(request):
    filterset = MobilityFlowFilter(request.GET, queryset=flows())
    errors = filter_errors(filterset)
    if request.GET.get("format") == "csv":
        if errors:
            return bad_filter_csv(errors)
        return csv_response("asem-mobility-flows.csv", flow_records(filterset.qs), FLOW_COLUMNS)
    selected = filterset.qs
    # What was asked, so the kept totals can answer the sums; none when a filter was refused.
    asked = None if errors else filterset.form.cleaned_data
    summary = flow_summary(selected, ["year", "direction", "mode", "level"], filters=asked)
    by_year = years_and_directions(regroup(summary, ["year", "direction"]))
    by_mode = charts.table_by_year(table_by_year_and(regroup(summary, ["year", "mode"]), "mode"), "mode")
    by_level = charts.table_by_year(table_by_year_and(regroup(summary, ["year", "level"]), "level"), "level")
    corridors = largest_corridors(selected, filters=asked)
    totals = regroup(summary, [])[0]
    # The page is about mobility between Asia and Europe: its headline counts those two directions only.
    between = regroup([row for row in summary if row["direction"] in BETWEEN_REGIONS], [])[0]
    context = {
        "filter": filterset,
        "filter_errors": errors,
        "hidden_fields": ["ordering"],  # sorting orders the CSV rows; the page's figures are sums
        "by_year": by_year,
        "by_mode": by_mode,
        "by_level": by_level,
        "corridors": corridors,
        "totals": totals,
        "between": between["participants"] or 0,
        "within": (totals["participants"] or 0) - (between["participants"] or 0),
        "latest": by_year[-1] if by_year else None,
        "charts": charts.mobility_charts(by_year, by_mode, by_level, corridors),
        "shows_demo_data": bool(totals["flows"]) and has_demo(selected),
    }
    if totals["flows"]:  # where participants went: the years asked, else the latest year's flows
        focus = asked.get("partner") if asked else None
        context["map"] = mobility_map(selected, filters=asked, latest_year=by_year[-1].year if by_year else None,
                                      focus=focus.code if focus else None)
    return render(request, "mobility/mobility.html", context, status=400 if errors else 200)
