"""The portal's URLs, and the benchmark's baseline: a constant answered through the same middleware."""

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from asem_portal import urls as portal

BASELINE_PATH = "/__bench__/baseline/"


@never_cache  # the floor: never stored by the whole-response cache (bench/settings.py skips it too)
def baseline(request):
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [path(BASELINE_PATH.strip("/") + "/", baseline, name="bench-baseline"), *portal.urlpatterns]
handler404 = getattr(portal, "handler404", None) or "django.views.defaults.page_not_found"
handler500 = getattr(portal, "handler500", None) or "django.views.defaults.server_error"
