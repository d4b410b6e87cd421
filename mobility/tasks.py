"""Background work of mobility: the review emails, large flow uploads and the flow totals.

Tasks take primary keys (or a job's id), never model instances.
"""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)

# Tries after the first, 30 s, 1, 2, 4 and 8 minutes apart: a mail server's restart or a short outage is waited out.
EMAIL_RETRY_SECONDS = 30


@shared_task(bind=True, max_retries=5)
def send_activity_email(self, activity_pk: int, event: str, to: list[str] | None = None) -> int:
    """Tell the people concerned that an activity was submitted, returned or approved; how many emails went.

    A mail server that is away (smtplib's errors are OSErrors) is tried again, later and later, for the addresses
    not reached yet. After the last try, or at once when there is no worker to try again later (the request that
    queued it would wait through every try), the email is kept for the secretariat (mobility.emails).
    """
    from mobility import emails

    try:
        return emails.send(activity_pk, event, to=to)
    except emails.Undelivered as undelivered:
        if not self.request.is_eager and self.request.retries < self.max_retries:
            raise self.retry(exc=undelivered, kwargs={"to": undelivered.addresses},
                             countdown=EMAIL_RETRY_SECONDS * 2 ** self.request.retries) from undelivered
        addresses, subject, error = undelivered.addresses, undelivered.subject, undelivered.error
    except Exception as failure:  # trying again would fail the same way; the secretariat must still hear of it
        logger.exception("The %s email of activity %s could not be built or sent", event, activity_pk)
        addresses, subject, error = to or [], "", failure
    logger.warning("The %s email of activity %s was not sent to %s: %s", event, activity_pk, addresses, error)
    emails.record_undelivered(activity_pk, event, addresses=addresses, subject=subject, error=error,
                              attempts=self.request.retries + 1)
    return 0


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
