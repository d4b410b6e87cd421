"""Public pages of the instruments: their aims and the activities that use them.

The app that holds activities registers them in instruments.registry, so instruments knows no other app.
"""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from instruments.registry import related_activities
from instruments.selectors import instrument_list as instruments

ACTIVITIES_SHOWN = 20


@require_safe
def instrument_list(request):
    counts = related_activities.counts()
    items = [{"instrument": i, "activities": counts.get(i.slug, (0, 0))[0]} for i in instruments()]
    return render(request, "instruments/instrument_list.html", {
        "items": items, "shows_demo_data": any(demo for _n, demo in counts.values()),
    })


@require_safe
def instrument_detail(request, slug):
    instrument = get_object_or_404(instruments(), slug=slug)
    shown, activity_count = related_activities.first(instrument, limit=ACTIVITIES_SHOWN)
    return render(request, "instruments/instrument_detail.html", {
        "instrument": instrument,
        "activities": shown,
        "activity_count": activity_count,
        "shows_demo_data": any(a.is_demo for a in shown),
    })
