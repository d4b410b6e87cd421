"""Background work of reporting: the daily reminders and their emails. Tasks take primary keys, never instances."""

import logging

from celery import shared_task

# Celery finds each app's tasks module only: the return workflow's email task lives in reporting.emails and
# registers with the worker when it is imported.
from reporting import emails  # noqa: F401

logger = logging.getLogger(__name__)

# Tries after the first, 30 s, 1, 2, 4 and 8 minutes apart, as for the review emails (mobility.tasks).
EMAIL_RETRY_SECONDS = 30


@shared_task
def send_due_reminders() -> int:
    """Beat's daily run: the reminders due today, each sent once (reporting/reminders.py)."""
    from reporting import reminders

    return reminders.send_due_reminders()


@shared_task(bind=True, max_retries=5)
def send_reminder_email(self, reminder_pk: int, to: list[str] | None = None) -> int:
    """Email a reminder to the partner's focal points; how many copies went.

    A mail server that is away is tried again, later and later, for the addresses not reached yet. After the last
    try (at once when there is no worker to try later), a reminder nobody got is forgotten, so the next day's run
    sends it again.
    """
    from mobility.emails import Undelivered
    from reporting import reminders

    try:
        return reminders.deliver(reminder_pk, to=to)
    except Undelivered as failure:
        if not self.request.is_eager and self.request.retries < self.max_retries:
            raise self.retry(exc=failure, kwargs={"to": failure.addresses},
                             countdown=EMAIL_RETRY_SECONDS * 2 ** self.request.retries) from failure
        reminders.undelivered(reminder_pk, failure.addresses, failure.error)
    return 0
