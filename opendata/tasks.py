"""Background work for open data: building a data release."""

from celery import shared_task

from opendata import releases


@shared_task
def build_release(release_id: int) -> str | None:
    """Build the release's package and keep it; its state says how it went."""
    release = releases.build(release_id)
    return release.state if release else None
