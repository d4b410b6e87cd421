"""The progress cache: results are kept under a generation that every write replaces.

A write calls ``objectives.services.data_changed()``, which replaces the
generation once its transaction commits, so the very next request computes
afresh. Until then, reads inside that transaction skip the cache: they may
see data that a rollback would take back, and must neither serve nor store
a result built on it.

The local-memory cache (the embedded default) is per process: run more than
one web process only with REDIS_URL set, so they share the generation.
"""

import uuid

from django.core.cache import cache
from django.db import connection

GENERATION_KEY = "objectives:progress:generation"
# Part of every key, so a release that changes the shape of cached results never reads old ones.
SCHEMA = 1


def generation() -> str:
    current = cache.get(GENERATION_KEY)
    if current is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        current = cache.get(GENERATION_KEY)
    # A cache that keeps nothing (the dummy backend) gets a key nobody will find again.
    return current or uuid.uuid4().hex


def new_generation() -> None:
    # A fresh random token, never a counter: an evicted counter would restart and meet old keys again.
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def key(*parts) -> str:
    return ":".join(["objectives:progress", str(SCHEMA), generation(), *map(str, parts)])


def change_pending() -> bool:
    """True inside a transaction that has changed progress data and not committed yet."""
    return connection.in_atomic_block and any(
        getattr(callback, "marks_progress_change", False) for _, callback, _ in connection.run_on_commit
    )
