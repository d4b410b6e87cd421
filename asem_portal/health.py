"""Liveness and readiness, for load balancers and docker-compose health checks."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request):
    """The process answers: nothing else is checked."""
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping()  # the degrading Redis cache would otherwise hide why it keeps nothing
    cache.set("readyz", "ok", 5)
    if cache.get("readyz") != "ok":
        raise RuntimeError("the cache does not keep what it is given")


def _broker() -> None:
    if not settings.REDIS_URL:
        return  # tasks run in-process: there is no broker to reach
    from asem_portal.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


@require_GET
@never_cache
def readyz(request):
    """The database, the cache and the broker answer; 503 naming each one that does not."""
    failing = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure of a dependency means not ready
            failing[name] = f"{type(exc).__name__}: {exc}"[:200]
    if failing:
        response = JsonResponse({"status": "unavailable", "failing": failing}, status=503)
        response["Retry-After"] = "5"
        return response
    return JsonResponse({"status": "ok", "checked": list(CHECKS)})
