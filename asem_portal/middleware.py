"""Middleware that keeps the portal honest under faults and strict in what pages may load."""

import logging
import sys

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.utils.html import escape

from core.api.errors import error_response, is_api_request

logger = logging.getLogger(__name__)



def _database_down_errors() -> tuple[type[Exception], ...]:
    """Django's errors for a database that does not answer, and the driver's own: one that a cursor raises while
    closing (a query's results read to the end as the server goes away) reaches the view unwrapped."""
    from django.db import connections

    drivers = {connections[alias].Database for alias in connections}
    return (OperationalError, InterfaceError,
            *(error for driver in drivers for error in (driver.OperationalError, driver.InterfaceError)))


DATABASE_DOWN = _database_down_errors()
RETRY_AFTER_SECONDS = 5
MESSAGE = "The portal's database is not answering. Please try again in a few seconds."
BUSY_RETRY_AFTER_SECONDS = 2
BUSY_MESSAGE = "The portal is busy saving other changes. Please try again in a moment: nothing of yours was saved."
# SQLite's words for a lock another writer held longer than the busy timeout; PostgreSQL's codes for a lock not
# granted in time, a deadlock and a serialization failure. The database is there: the same request will pass soon.
_BUSY_WORDS = ("database is locked", "database table is locked", "database is busy")
_BUSY_CODES = {"55P03", "40P01", "40001"}


def database_busy(exception: BaseException) -> bool:
    """Whether a database error means busy, not down: the error itself or the driver's error Django wrapped."""
    for error in (exception, exception.__cause__):
        if error is None:
            continue
        if getattr(error, "pgcode", None) in _BUSY_CODES or getattr(error, "sqlstate", None) in _BUSY_CODES:
            return True
        if any(words in str(error).lower() for words in _BUSY_WORDS):
            return True
    return False

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Temporarily unavailable: ASEM Education Portal</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Temporarily unavailable</h1><p>{message}</p></main></body></html>
"""


def wants_json(request) -> bool:
    return is_api_request(request) or "application/json" in request.headers.get("Accept", "")


def service_unavailable(request, busy: bool = False) -> HttpResponse:
    """503 with Retry-After, rendered without the database (no template, no context processors)."""
    message, code = (BUSY_MESSAGE, "busy") if busy else (MESSAGE, "service_unavailable")
    if wants_json(request):
        response = error_response(503, code, message)
    else:
        response = HttpResponse(PAGE.format(message=escape(message)), status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS if busy else RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 at once while PostgreSQL is away, instead of a 500 or a hanging request.

    A view's error reaches ``process_exception``. An error raised in another
    middleware (the session saving itself, say) has already been turned into
    a 500 by the time it gets back here, so the ``got_request_exception``
    signal marks the request and the 500 is swapped for the 503. Nothing is
    retried: the transaction of a failed write was rolled back by the
    database, and CONN_HEALTH_CHECKS drops the broken connection so the next
    request reconnects on its own once the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "_database_unavailable", False):
            return service_unavailable(request, busy=getattr(request, "_database_busy", False))
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            busy = database_busy(exception)
            logger.warning("Database %s during %s %s: %s", "busy" if busy else "unavailable", request.method,
                           request.path, exception)
            return service_unavailable(request, busy=busy)
        return None


def _mark_database_unavailable(sender, request=None, **kwargs):
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, DATABASE_DOWN):
        request._database_unavailable = True
        request._database_busy = database_busy(exc)


got_request_exception.connect(_mark_database_unavailable, dispatch_uid="asem-database-unavailable")


# The only pages another site may frame: the embeds, whose views also drop X-Frame-Options.
FRAMEABLE_PREFIX = "/embed/"


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with narrow additions for the few paths that need them.

    ``CONTENT_SECURITY_POLICY_PATH_UPDATES`` maps a path prefix to directives
    added to the policy there only (the API documentation's bundled pages
    carry a <style> block of their own, for instance). Everything else gets
    the strict site-wide policy.

    One replacement, not an addition: the embed pages (asem_portal/embeds.py)
    may be framed by any site, so under FRAMEABLE_PREFIX frame-ancestors is *
    instead of 'none', and nothing else of the policy changes. It goes by the
    path, not by a mark the view leaves on its response, because a response
    the cache replays (asem_portal/response_cache.py) is a new object that
    passes back through here without the view.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        for prefix, update in getattr(settings, "CONTENT_SECURITY_POLICY_PATH_UPDATES", {}).items():
            if request.path_info.startswith(prefix):
                merged = dict(parts.update or {})
                for directive, sources in update.items():
                    merged[directive] = [*merged.get(directive, []), *sources]
                parts.update = merged
        if request.path_info.startswith(FRAMEABLE_PREFIX):
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["*"]}
        return parts
