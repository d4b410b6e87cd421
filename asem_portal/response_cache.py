"""Whole responses to anonymous reads, kept until the portal's data changes.

Most requests are anonymous reads of pages and API resources that change
only when someone writes. This middleware keeps each such response in the
cache with the data's generation (core/changes.py) it was
made under; ``core.changes.data_changed()`` replaces the generation
when a change commits, so the first read after a write computes afresh and
every later one is served from the cache, in one round trip to it and
without touching the database. The generation is read before the view
runs: a response computed while a change commits is stored under the old
generation and never served after it. Flows, activities, partners,
indicators and observations already call data_changed() on every write
(imports call it once); the receivers below add the rest of the public
content (strategy, objectives, priorities, instruments and their aims,
organisations), so an edit in the admin shows at once. RESPONSE_CACHE_SECONDS
bounds how long an entry lives in any case.

What is cached: a GET with no session cookie, no messages cookie and no
Authorization header (so no signed-in user, no flash message waiting, and
nothing personal), outside NEVER_CACHED and RESPONSE_CACHE_SKIP, answered
200, not streamed (a full CSV export) and at most RESPONSE_CACHE_MAX_BYTES
long, without setting a cookie, without Cache-Control private or no-store
(never_cache sends both, so every live view that uses it is left alone
wherever it lives), without using the CSRF token, and varying on no header
the entry is not told apart by. Responses are told apart by host, scheme,
full path with its query string, and the Accept and Accept-Language
headers. A stored ETag is honoured: a matching If-None-Match gets 304.

Vary: Cookie is no reason to refuse on its own: every page touches the
session (the navigation asks whether the visitor is signed in) and every
API response names Cookie, so it would refuse everything. The cookies a
response can depend on are dealt with where they are read: a session or a
messages cookie keeps the request away from the cache, and a response that
used the CSRF token (a form) is never stored, so one visitor's token is
never handed to another. A view that reads any other cookie must send
Cache-Control: private. Cache-Control: no-cache (the API's, asking clients
to revalidate with the ETag) is no reason either: an entry is only ever
served under the generation it was made under.

A cached API response skips the view, so its throttle too: the throttle
guards the server's work, and a cached answer costs next to none.

It sits after SecurityMiddleware and the CSP and database-unavailable
middleware (whose headers and redirects apply to every response) and
before SessionMiddleware (which it makes unnecessary on a hit), where
settings.py puts it unless RESPONSE_CACHE=false.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified

from core import changes
from core.api.etags import none_match

logger = logging.getLogger(__name__)

HEADER = "X-Response-Cache"
# Part of every key, so a release that changes what is stored never reads the old entries.
SCHEMA = 1
DEFAULT_SECONDS = 600
# The largest response kept: a bigger one (a long list, an export) is cheap to send but would crowd out the many
# small pages, and the local-memory cache holds at most MAX_ENTRIES of them in each process (settings.py).
DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_SKIP = ("/admin/", "/healthz", "/readyz", "/api/docs/", "/api/redoc/", "/api/schema/", "/static/")
# Personal or live whatever RESPONSE_CACHE_SKIP says: signing in and passwords, the signed-in workspace (its upload
# progress included), your API token, the flow import's formats and job progress, and a report export's progress
# page and status. never_cache on a live view keeps it out too; these prefixes are the second lock.
NEVER_CACHED = (
    "/accounts/", "/workspace/", "/api/v1/me/", "/api/v1/mobility/flows/import/",
    "/reports/stocktaking/csv/progress/", "/reports/stocktaking/csv/status/",
    "/reports/stocktaking/xlsx/progress/", "/reports/stocktaking/xlsx/status/",
)
# What a response may vary on: the key holds Accept and Accept-Language; Cookie and Authorization are settled by
# which requests are served and stored at all (see the module's docstring).
VARY_ALLOWED = {"accept", "accept-language", "cookie", "authorization"}
# Headers that belong to one response and never to a replay of it.
NOT_REPLAYED = {"set-cookie", "date", "x-bench-queries", HEADER.lower()}
# Public content whose writes do not already announce a change (mobility/metrics.py and objectives/apps.py
# connect flows, activities, partners, indicators and observations).
OTHER_PUBLIC_MODELS = (
    "objectives.Strategy", "objectives.Objective", "objectives.Priority",
    "instruments.Instrument", "instruments.Aim", "mobility.Organisation",
    # A round's public page shows it; whether a return is approved is announced by the review's services
    # (reporting/services.py), so that a draft saved every minute of a round leaves the cache alone.
    "reporting.Round",
)


def seconds() -> int:
    return getattr(settings, "RESPONSE_CACHE_SECONDS", DEFAULT_SECONDS)


def max_bytes() -> int:
    return getattr(settings, "RESPONSE_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES)


def skipped(path: str) -> bool:
    return path.startswith((*NEVER_CACHED, *getattr(settings, "RESPONSE_CACHE_SKIP", DEFAULT_SKIP)))


def cacheable_request(request) -> bool:
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        # A flash message waits for this visitor: the page must be rendered to show it.
        and CookieStorage.cookie_name not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not skipped(request.path)
        and not changes.change_pending()
    )


def used_csrf_token(request) -> bool:
    """True when the view asked for the CSRF token (a form), whether or not the cookie was then set.

    get_token() adds CSRF_COOKIE_NEEDS_UPDATE; the CSRF middleware sets it back to False once it has set the
    cookie, so its presence, not its value, is what tells. CSRF_COOKIE_USED is the older Django's name.
    """
    return "CSRF_COOKIE_NEEDS_UPDATE" in request.META or bool(request.META.get("CSRF_COOKIE_USED"))


def storable(request, response) -> bool:
    control = response.get("Cache-Control", "").lower()
    vary = {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}
    return (
        response.status_code == 200
        and not response.streaming
        and len(response.content) <= max_bytes()
        and not response.cookies
        and "private" not in control
        and "no-store" not in control
        and vary <= VARY_ALLOWED
        and not used_csrf_token(request)
    )


def key(request) -> str:
    parts = [
        request.scheme, request.get_host(), request.get_full_path(),
        request.META.get("HTTP_ACCEPT", ""), request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
    ]
    return f"response:{SCHEMA}:{hashlib.sha256(chr(10).join(parts).encode()).hexdigest()}"


def lookup(cache_key: str) -> tuple[str, tuple | None]:
    """The current generation and the entry stored under the key if it was stored under that generation.

    One round trip to the cache: the entry carries the generation it was
    made under, so an entry from before the last change is a miss (and is
    overwritten by the fresh one).
    """
    found = cache.get_many([changes.GENERATION_KEY, cache_key])
    current = found.get(changes.GENERATION_KEY) or changes.generation()
    entry = found.get(cache_key)
    if entry is not None and entry[0] == current:
        return current, entry[1:]
    return current, None


class ResponseCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable_request(request):
            return self.get_response(request)
        cache_key = key(request)
        generation, entry = lookup(cache_key)
        if entry is not None:
            return replay(request, entry)
        response = self.get_response(request)
        if storable(request, response) and not changes.change_pending():
            headers = [(name, value) for name, value in response.items() if name.lower() not in NOT_REPLAYED]
            cache.set(cache_key, (generation, response.status_code, headers, response.content), seconds())
            response[HEADER] = "miss"
        return response


def replay(request, entry) -> HttpResponse:
    status, headers, content = entry
    etag = next((value for name, value in headers if name.lower() == "etag"), "")
    if etag and none_match(request, etag):
        response = HttpResponseNotModified()
        for name, value in headers:
            if name.lower() in {"etag", "cache-control", "vary", "content-location", "expires"}:
                response[name] = value
    else:
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
    response[HEADER] = "hit"
    return response


def _content_changed(**kwargs) -> None:
    from core.changes import data_changed

    data_changed(refresh=False)


def connect_receivers() -> None:
    """Writes of the public content that nothing else reports drop the cached responses too.

    Connected when the app is ready (asem_portal/apps.py), in every process, whether or not it serves requests.
    """
    from django.apps import apps

    for label in OTHER_PUBLIC_MODELS:
        model = apps.get_model(label)
        uid = f"response-cache-{label}"
        post_save.connect(_content_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_content_changed, sender=model, dispatch_uid=f"{uid}-delete")
        for field in model._meta.many_to_many:
            m2m_changed.connect(_content_changed, sender=field.remote_field.through, dispatch_uid=f"{uid}-{field.name}")
