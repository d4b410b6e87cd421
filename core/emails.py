"""How the portal's emails are sent: from a worker, once the change they tell of has committed, and never lost.

The activities' review emails (mobility.emails), the returns' (reporting.emails) and the reminders
(reporting.reminders) each say what they send and to whom; they all send it this way:

- a subject on one clean line of bounded length (clean_subject), links from SITE_URL (site_link): a worker has no
  request to build them from;
- queued once the change has committed (queue_on_commit), and sent at once if the broker is away rather than lost;
- one copy per recipient (send_each): people of different partners need not see each other's addresses;
- a mail server that is away is tried again by the task, later and later (retry_later), for the addresses not
  reached yet; a review email still not sent after the last try is kept for the secretariat (send_or_keep), in a
  table of the app's made from core.models.AbstractUndeliveredEmail, and sent again from the admin (resend).
"""

import logging
import re
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from core import queue as task_queue

logger = logging.getLogger(__name__)

SUBJECT_MAX_LENGTH = 150
# Line breaks and every other control character: in a header they would end it (Django then refuses the whole
# message), and elsewhere they only garble the line a reader sees.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\s]+")
# Tries after the first, 30 s, 1, 2, 4 and 8 minutes apart: a mail server's restart or a short outage is waited out.
RETRY_SECONDS = 30


class Undelivered(Exception):
    """The mail server did not take the message for these addresses (nor, having stopped at the first, the rest)."""

    def __init__(self, addresses: list[str], subject: str, error: Exception):
        super().__init__(f"{type(error).__name__}: {error}")
        self.addresses, self.subject, self.error = addresses, subject, error


def clean_subject(text: str) -> str:
    """One line of readable text, of bounded length: a title may hold anything its author pasted into it."""
    text = _CONTROL.sub(" ", text).strip()
    if len(text) > SUBJECT_MAX_LENGTH:
        text = text[:SUBJECT_MAX_LENGTH - 1].rstrip() + "…"
    return text


def site_link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def send_each(message: EmailMessage, addresses: list[str] | None = None) -> int:
    """Send the message to each address (its own recipients unless given), a copy apiece; how many went. Raises
    Undelivered for the copies the server did not take."""
    addresses = message.to if addresses is None else addresses
    sent = 0
    for index, address in enumerate(addresses):
        copy = EmailMessage(subject=message.subject, body=message.body, to=[address])
        try:
            sent += copy.send()
        except OSError as error:  # smtplib's errors: a server that is away would refuse the rest the same way
            raise Undelivered(addresses[index:], message.subject, error) from error
    return sent


def queue(task, *args, to: list[str] | None = None) -> None:
    """Queue an email's task (only for ``to`` when given); with the broker away, send it here rather than lose it."""
    kwargs = {"to": to} if to is not None else {}
    if not task_queue.enqueue(task, *args, **kwargs) and not settings.CELERY_TASK_ALWAYS_EAGER:
        task.apply(args=args, kwargs=kwargs)


def queue_on_commit(task, *args) -> None:
    """Queue an email's task for when the current transaction commits (at once outside of one)."""
    transaction.on_commit(partial(queue, task, *args), robust=True)


def retry_later(task, undelivered: Undelivered) -> None:
    """Have a bound task tried again later for the addresses not reached yet, unless that was its last try or no
    worker could try later (the request that queued it would wait through every try): then it returns."""
    if not task.request.is_eager and task.request.retries < task.max_retries:
        raise task.retry(exc=undelivered, kwargs={"to": undelivered.addresses},
                         countdown=RETRY_SECONDS * 2 ** task.request.retries) from undelivered


def send_or_keep(task, *, send: Callable[..., int], keep: Callable[..., object], what: str, pk: int, event: str,
                 to: list[str] | None) -> int:
    """A review email task's work: send(pk, event, to=to), tried again while the mail server is away; after the last
    try, or at once for a failure that trying again would not mend, keep(...) the email for the secretariat."""
    try:
        return send(pk, event, to=to)
    except Undelivered as undelivered:
        retry_later(task, undelivered)
        addresses, subject, error = undelivered.addresses, undelivered.subject, undelivered.error
    except Exception as failure:  # trying again would fail the same way; the secretariat must still hear of it
        logger.exception("The %s email of %s %s could not be built or sent", event, what, pk)
        addresses, subject, error = to or [], "", failure
    logger.warning("The %s email of %s %s was not sent to %s: %s", event, what, pk, addresses, error)
    keep(pk, event, addresses=addresses, subject=subject, error=error, attempts=task.request.retries + 1)
    return 0


def resend(undelivered, task) -> None:
    """Queue a kept email for the addresses it missed; if it fails once more, it is kept again."""
    undelivered.delete()
    if undelivered.about_id is None:  # deleted since: there is nothing left to tell of
        return
    queue(task, undelivered.about_id, undelivered.event, to=undelivered.addresses)
