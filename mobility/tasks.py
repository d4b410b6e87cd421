"""Background work of mobility: the workspace's and the flow totals'.

Tasks take primary keys (or a job's id), never model instances.
"""

from celery import shared_task


@shared_task(autoretry_for=(OSError,), retry_backoff=30, max_retries=4)
def send_activity_email(activity_pk: int, event: str) -> int:
    """Tell the people concerned that an activity was submitted, returned or approved; how many emails went.

    A mail server that is away (smtplib's errors are OSErrors) is tried again, later and later.
    """
    from mobility import emails

    return emails.send(activity_pk, event)


@shared_task
def import_flow_upload(job_id: str) -> dict:
    """Import a large flow file uploaded in the workspace, the admin or the API; its progress is in the cache."""
    from mobility.workspace import uploads

    return uploads.run_job(job_id)


@shared_task
def rebuild_flow_totals() -> int:
    """Sum the flows into FlowTotal again (mobility/totals.py); safe to run any number of times."""
    from django.core.cache import cache

    from mobility import totals

    # Changes committed from now on need a rebuild after this one: let them queue it.
    cache.delete(totals.REBUILD_QUEUED_KEY)
    return totals.rebuild()
