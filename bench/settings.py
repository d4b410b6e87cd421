"""The production settings, plus what the benchmark needs to see inside a request.

Everything comes from asem_portal.settings as production reads it (DEBUG
off, PostgreSQL, Redis); on top of it, only:

- a middleware, outermost, that counts the SQL queries of each request and
  reports them in an X-Bench-Queries header;
- a URL, /__bench__/baseline/, answering a constant through the same
  middleware: the cheapest response this server can give, the floor the
  other endpoints are measured against;
- with BENCH_CACHE=off, Django's dummy cache, so that every request is a
  cold one (nothing the portal caches is found);
- with BENCH_RESPONSE_CACHE=on, asem_portal.response_cache's middleware
  where docs/performance.md proposes it, when the production settings do not
  list it yet (to measure the change before it is made).

Never used outside the benchmark: make bench and bench/run.py set
DJANGO_SETTINGS_MODULE=bench.settings for the server they start.
"""

import os

from asem_portal.settings import *  # noqa: F403
from asem_portal.settings import MIDDLEWARE

RESPONSE_CACHE = "asem_portal.response_cache.ResponseCacheMiddleware"
if os.environ.get("BENCH_RESPONSE_CACHE", "off") == "on" and RESPONSE_CACHE not in MIDDLEWARE:
    sessions = MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
    MIDDLEWARE = [*MIDDLEWARE[:sessions], RESPONSE_CACHE, *MIDDLEWARE[sessions:]]
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
ROOT_URLCONF = "bench.urls"
# The baseline is the floor: never cached, or it would measure the cache instead.
RESPONSE_CACHE_SKIP = (
    "/__bench__/", "/admin/", "/healthz", "/readyz", "/api/docs/", "/api/redoc/", "/api/schema/", "/static/",
)

if os.environ.get("BENCH_CACHE", "on") == "off":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
