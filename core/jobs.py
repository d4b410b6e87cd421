"""A background job's state, kept in the cache where the page that follows the job reads it.

The report's long exports and the large flow uploads both hand their work to a Celery task and let a page poll how
far it has got. The state is a dict under one key that expires: a job nobody finishes (a worker restarted) is
forgotten rather than waited for ever. And with no broker to take the task, the work is done where it was asked
for, so nobody waits for a task that was never queued.
"""

from collections.abc import Callable
from typing import Any

from django.core.cache import cache

from core import queue


class TrackedJob:
    """One job's state in the cache: read by the page, written by whoever does the work."""

    def __init__(self, key: str, *, timeout: int):
        self.key = key
        self.timeout = timeout

    def state(self) -> dict | None:
        return cache.get(self.key)

    def start(self, state: dict) -> bool:
        """Record a new job unless one is already recorded under the key: True if this call is the one that did."""
        return cache.add(self.key, state, timeout=self.timeout)

    def update(self, state: dict, *, timeout: int | None = None) -> None:
        cache.set(self.key, state, timeout=self.timeout if timeout is None else timeout)

    def forget(self) -> None:
        cache.delete(self.key)


def queue_or_run(task, *args, fallback: Callable[[], Any]) -> None:
    """Queue the task with args; if the broker cannot take it, call fallback, which does the same work here."""
    if not queue.enqueue(task, *args):
        fallback()
