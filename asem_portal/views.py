"""The site's own pages: home, the progress chart, about the strategy, and the error pages."""

from django.http import HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils import timezone
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from asem_portal import figures
from core.api import errors as api_errors
from instruments.selectors import instrument_list
from mobility.selectors import flows, flows_by_year_and_direction, has_demo, latest_activities
from objectives.forms import AsOfForm
from objectives.maps import chosen_indicator, progress_map
from objectives.selectors import current_strategy, objective_list, progress_overview, progress_years, status_counts

LATEST_ACTIVITIES = 5


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever a page names (the admin's pages and a PDF name nothing): the icon."""
    # Not permanent: the icon's name changes with its content, and a browser would keep a permanent redirect for good.
    response = HttpResponseRedirect(static("img/favicon.svg"))
    response["Cache-Control"] = "max-age=86400"
    return response


@require_safe
def home(request):
    strategy = current_strategy()
    overview = progress_overview()
    by_year = flows_by_year_and_direction(flows(), filters={})
    latest_flows = by_year[-1] if by_year else None
    activities = latest_activities(LATEST_ACTIVITIES)
    counts = status_counts(overview)
    today = timezone.localdate()
    context = {
        "strategy": strategy,
        "overview": overview,
        "status_counts": figures.status_count_rows(counts),
        "status_chart": figures.status_chart(counts),
        "timeline": figures.strategy_timeline(strategy, today) if strategy else None,
        "today": today,
        "latest_flows": latest_flows,
        "previous_flows": by_year[-2] if len(by_year) > 1 else None,
        "activities": activities,
        "shows_demo_data": (
            any(i.indicator.is_demo for i in overview.indicators)
            or any(a.is_demo for a in activities)
            or (latest_flows is not None and has_demo(flows().filter(year=latest_flows.year)))
        ),
    }
    return render(request, "asem_portal/home.html", context)


@require_safe
def progress(request):
    form = AsOfForm(request.GET, years=progress_years())
    overview = progress_overview(as_of=form.year)
    rows = figures.progress_rows(overview)
    context = {
        "form": form,
        "overview": overview,
        "rows": rows,
        "table_rows": figures.progress_table_rows(rows, year=form.year),
        "status_counts": figures.status_count_rows(status_counts(overview)),
        "legend": figures.LEGEND,
        "shows_demo_data": any(i.indicator.is_demo for i in overview.indicators),
    }
    # One indicator partners report at a time on a map, chosen by a select; the first one unless asked.
    reported = [result.indicator for result in overview.indicators if result.indicator.is_partner_reported]
    mapped, known = chosen_indicator(reported, code=request.GET.get("map", ""))
    if mapped:
        context.update(map_indicators=reported, mapped=mapped, map_known=known,
                       map=progress_map(mapped, as_of=overview.as_of))
    valid = form.is_valid() and known
    return render(request, "asem_portal/progress.html", context, status=200 if valid else 400)


@require_safe
def about(request):
    return render(request, "asem_portal/about.html", {
        "strategy": current_strategy(),
        "objectives": objective_list(),
        "instruments": instrument_list(),
    })


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """The 500 page, rendered without context processors: whatever failed may fail again in them."""
    if api_errors.is_api_request(request):
        return api_errors.server_error(request)  # an API client reads every error as JSON of one shape
    template = loader.get_template(template_name)
    return HttpResponseServerError(template.render({"site_name": "ASEM Education Portal"}))


@requires_csrf_token
def bad_request(request, exception, template_name="400.html"):
    """Django's 400 page, or the API's JSON error under /api/ (a body too large for any view to read, say)."""
    if api_errors.is_api_request(request):
        return api_errors.bad_request(request, exception)
    return defaults.bad_request(request, exception, template_name)
