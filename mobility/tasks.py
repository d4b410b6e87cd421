"""Background work of mobility: the review emails, large flow uploads, the flow totals and the activity counts.

Tasks take primary keys (or a job's id), never model instances.
"""

from celery import shared_task

from core.emails import send_or_keep


@shared_task(bind=True, max_retries=5)
def send_activity_email(self, activity_pk: int, event: str, to: list[str] | None = None) -> int:
    """Tell the people concerned that an activity was submitted, returned or approved; how many emails went.

    A mail server that is away (smtplib's errors are OSErrors) is tried again, later and later, for the addresses
    not reached yet. After the last try, or at once when there is no worker to try again later (the request that
    queued it would wait through every try), the email is kept for the secretariat (core.emails.send_or_keep).
    """
    from mobility import emails
    from mobility.models import UndeliveredEmail

    return send_or_keep(self, send=emails.send, keep=UndeliveredEmail.keep, what="activity", pk=activity_pk,
                        event=event, to=to)


@shared_task
def import_flow_upload(job_id: str) -> dict:
    """Import a large flow file uploaded in the workspace, the admin or the API; its progress is in the cache."""
    from mobility import uploads

    return uploads.run_job(job_id)


@shared_task
def rebuild_flow_totals() -> int:
    """Sum the flows into FlowTotal again (mobility/totals.py); safe to run any number of times."""
    from django.core.cache import cache

    from mobility import totals

    # Changes committed from now on need a rebuild after this one: let them queue it.
    cache.delete(totals.REBUILD_QUEUED_KEY)
    return totals.rebuild()


@shared_task
def rebuild_activity_counts() -> int:
    """Count the published activities into ActivityCount again (mobility/activity_counts.py); safe to run any number
    of times."""
    from mobility import activity_counts

    return activity_counts.rebuild()
