"""Background work of reporting: the daily reminders and their emails. Tasks take primary keys, never instances."""

from celery import shared_task

from core.emails import Undelivered, retry_later

# Celery finds each app's tasks module only: the return workflow's email task lives in reporting.emails and
# registers with the worker when it is imported.
from reporting import emails  # noqa: F401


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
    from reporting import reminders

    try:
        return reminders.deliver(reminder_pk, to=to)
    except Undelivered as failure:
        retry_later(self, failure)
        reminders.undelivered(reminder_pk, failure.addresses, failure.error)
    return 0
