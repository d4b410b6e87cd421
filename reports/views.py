"""The stocktaking report's pages: the report itself, its downloads, and the page that follows a long one's build."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports import services
from reports.charts import report_charts
from reports.data import Period
from reports.forms import PeriodForm
from reports.selectors import GROUP_SHOWN, stocktaking_summary

# How often the export page asks again, without JavaScript (a meta refresh) and with it.
REFRESH_SECONDS = 3
POLL_MILLISECONDS = 1000


def _links(period: Period) -> dict:
    return {fmt: {
        "download": f"{reverse('reports:download', args=[fmt])}?{period.query}",
        "progress": f"{reverse('reports:export', args=[fmt])}?{period.query}",
        "status": f"{reverse('reports:export-status', args=[fmt])}?{period.query}",
    } for fmt in services.FORMATS}


@require_safe
def stocktaking(request):
    form = PeriodForm(request.GET)
    period = form.period
    # Every figure in full; each list of activities its newest only, as the downloads list them all.
    report = stocktaking_summary(period)
    context = {
        "form": form,
        "period": period,
        "report": report,
        "charts": report_charts(report),
        "today": timezone.localdate(),
        "links": _links(period),
        "in_background": services.needs_background(period),
        "background_after": services.BACKGROUND_AFTER_YEARS,
        "shows_demo_data": report.demo.any,
        "shown_per_group": GROUP_SHOWN,
    }
    return render(request, "reports/stocktaking.html", context, status=200 if form.is_valid() else 400)


@require_safe
def download(request, fmt):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return stocktaking(request)
    period = form.period
    built = services.cached_export(fmt, period)
    if built is None and services.needs_background(period):
        status = services.request_export(fmt, period)
        if status.state not in (services.READY, services.UNTRACKED):
            response = redirect(_links(period)[fmt]["progress"])
            add_never_cache_headers(response)  # once the file is ready, the same address serves it
            return response
        built = services.cached_export(fmt, period)
    if built is None:
        built = services.build_export(fmt, period)
    response = HttpResponse(built.content, content_type=built.content_type)
    response["Content-Disposition"] = f'attachment; filename="{built.filename}"'
    return response


@never_cache
@require_safe
def export(request, fmt):
    """A long period's file: queued once, its progress shown until it can be downloaded."""
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return stocktaking(request)
    period = form.period
    status = services.request_export(fmt, period, retry=request.GET.get("retry") == "1")
    links = _links(period)[fmt]
    return render(request, "reports/export.html", {
        "period": period,
        "fmt": fmt,
        "status": status,
        "links": links,
        "report_url": f"{reverse('reports:stocktaking')}?{period.query}",
        "finished": status.state in (services.READY, services.UNTRACKED, services.FAILED),
        "refresh_seconds": REFRESH_SECONDS,
        "poll_milliseconds": POLL_MILLISECONDS,
    })


@never_cache
@require_safe
def export_status(request, fmt):
    """The export page's script asks here how far the build has got."""
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.error_messages()}, status=400)
    period = form.period
    status = services.request_export(fmt, period)
    return JsonResponse({**status.as_dict(), "download_url": _links(period)[fmt]["download"]})
