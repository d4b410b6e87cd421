"""Background work on progress: refreshing computed indicators after a change and nightly."""

from celery import shared_task
from django.core.cache import cache

from objectives import services


@shared_task
def refresh_computed_indicators(indicator_ids: list[int] | None = None) -> dict:
    """Write computed indicators' observations from their metrics; safe to run any number of times."""
    if indicator_ids is None:
        # Changes committed from now on need a refresh after this one: let them queue it.
        cache.delete(services.REFRESH_QUEUED_KEY)
    return services.refresh_computed_indicators(indicator_ids=indicator_ids).as_dict()
