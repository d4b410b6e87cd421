"""Background work for reports: building a long period's download."""

from celery import shared_task

from reports import services
from reports.data import Period


@shared_task
def build_stocktaking_export(fmt: str, start: int, end: int, generation: str) -> dict:
    """Build the stocktaking report's file for the years start to end and cache it; its progress is in the cache."""
    return services.run_export_job(fmt, Period(start, end), generation)
