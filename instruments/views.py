"""Public pages of the instruments: their aims and the activities that use them.

Like the objective pages, these show activities, so they read mobility's
selectors; the instruments app itself knows no other app.
"""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from instruments.selectors import instrument_list as instruments
from mobility.selectors import activities_serving, activity_counts

ACTIVITIES_SHOWN = 20


@require_safe
def instrument_list(request):
    counts = activity_counts("instrument")
    items = [{"instrument": i, "activities": counts.get(i.slug, (0, 0))[0]} for i in instruments()]
    return render(request, "instruments/instrument_list.html", {
        "items": items, "shows_demo_data": any(demo for _n, demo in counts.values()),
    })


@require_safe
def instrument_detail(request, slug):
    instrument = get_object_or_404(instruments(), slug=slug)
    related = activities_serving(instruments=instrument)
    shown = list(related[:ACTIVITIES_SHOWN])
    return render(request, "instruments/instrument_detail.html", {
        "instrument": instrument,
        "activities": shown,
        "activity_count": related.count(),
        "shows_demo_data": any(a.is_demo for a in shown),
    })
