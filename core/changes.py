"""The portal's data changed: a generation token that cached reads are kept under, replaced when a change commits.

An app announces a write with ``data_changed()``, directly or through ``model_changed``, the receiver it
connects to its models' post_save, post_delete and m2m_changed in its ``AppConfig.ready()``. It debounces:
however many writes a transaction makes, its commit replaces the generation once, so the very next request
computes afresh, and sends ``committed`` once. objectives listens to ``committed`` and refreshes its computed
indicators when the change asks for it; the apps that announce need not know who listens.

Until the commit, reads inside that transaction skip the cache (``change_pending()``): they may see data that
a rollback would take back, and must neither serve nor store a result built on it.

The local-memory cache (the embedded default) is per process: run more than one web process only with
REDIS_URL set, so they share the generation.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache
from django.db import connection, transaction
from django.dispatch import Signal

GENERATION_KEY = "data:generation"
# Part of every key, so a release that changes the shape of cached results never reads old ones.
SCHEMA = 1

# Sent once a change has committed and the generation is new, with refresh: whether what is computed from the
# data (computed indicators) should be computed again.
committed = Signal()

_without_refresh: ContextVar[bool] = ContextVar("changes_without_refresh", default=False)


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
    return ":".join(["data", str(SCHEMA), generation(), *map(str, parts)])


def change_pending() -> bool:
    """True inside a transaction that has changed data and not committed yet."""
    return connection.in_atomic_block and any(
        getattr(callback, "marks_change", False) for _, callback, _ in connection.run_on_commit
    )


def data_changed(*, refresh: bool = True) -> None:
    """Data changed: once the transaction commits, drop what is cached and tell the listeners.

    Outside a transaction this happens at once. Pass refresh=False when only hand-entered figures changed and
    nothing computed can depend on them.
    """
    if _without_refresh.get():
        refresh = False
    callback = _commit_and_refresh if refresh else _commit
    pending = {callback for _, callback, _ in connection.run_on_commit} if connection.in_atomic_block else set()
    if callback in pending or _commit_and_refresh in pending:
        return
    transaction.on_commit(callback, robust=True)


def model_changed(**kwargs) -> None:
    """A signal receiver for post_save, post_delete and m2m_changed: a cue to data_changed(), nothing more."""
    data_changed()


@contextmanager
def without_refresh() -> Iterator[None]:
    """Changes made inside ask for no refresh: a refresh's own writes must not queue another one."""
    token = _without_refresh.set(True)
    try:
        yield
    finally:
        _without_refresh.reset(token)


def _commit() -> None:
    new_generation()
    committed.send(sender=None, refresh=False)


def _commit_and_refresh() -> None:
    new_generation()
    committed.send(sender=None, refresh=True)


_commit.marks_change = True
_commit_and_refresh.marks_change = True
