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
- the baseline kept out of the whole-response cache (which RESPONSE_CACHE in
  the environment switches as in production): not even looked up there, so
  the floor pays for no round trip to Redis that a view would not.

Never used outside the benchmark: make bench and bench/run.py set
DJANGO_SETTINGS_MODULE=bench.settings for the server they start.
"""

import os

from asem_portal.response_cache import DEFAULT_SKIP
from asem_portal.settings import *  # noqa: F403
from asem_portal.settings import MIDDLEWARE

MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
ROOT_URLCONF = "bench.urls"
RESPONSE_CACHE_SKIP = ("/__bench__/", *DEFAULT_SKIP)
if os.environ.get("BENCH_CACHE", "on") == "off":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
