"""Queueing a Celery task without letting a broker that is away fail the write that queues it."""

import logging

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs):
    """Queue a task, fire and forget; if the broker cannot take it, log and go on. True if it was queued.

    For work that a later run recovers (the nightly refresh recomputes every
    computed indicator): a write must not fail, nor its transaction roll
    back, nor its request wait, because Redis is away. Call it from
    ``transaction.on_commit`` so a task never runs before, or without, the
    data it reads. Nobody waits for the result, so none is subscribed to or
    kept: that keeps the result store out of the write's way too.
    """
    try:
        task.apply_async(args=args, kwargs=kwargs, ignore_result=True)
        return True
    except Exception as exc:  # kombu raises several kinds for a broker that is away
        logger.warning("Could not queue %s, left for the next scheduled run: %s: %s",
                       getattr(task, "name", task), type(exc).__name__, exc)
        return False
