"""The emails of a return's review: who is told of a submission, a return and an approval, and what they read.

- submitted: the secretariat (staff in the Secretariat group, and REVIEW_NOTIFY_EMAILS), with a link to the
  return's review page;
- returned: the partner's focal points, with the secretariat's note and a link to the return;
- approved: the same people, with links to the round's public page and the return.

They follow the activities' emails (mobility.emails): subjects on one clean line, links from SITE_URL (a worker has
no request to build them from), one copy per recipient, queued once the change has committed, tried again by the
task while the mail server is away and, after the last try, kept as an UndeliveredReturnEmail the secretariat sees
and sends again from the admin.
"""

import logging
from functools import partial

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from mobility.emails import Undelivered, clean_subject, secretariat_addresses, site_link
from mobility.models import PartnerMembership
from reporting.models import Return, UndeliveredReturnEmail

logger = logging.getLogger(__name__)

SUBMITTED, RETURNED, APPROVED = "submitted", "returned", "approved"
EVENTS = (SUBMITTED, RETURNED, APPROVED)
# Tries after the first, 30 s, 1, 2, 4 and 8 minutes apart, as the activities' emails.
EMAIL_RETRY_SECONDS = 30


def focal_point_addresses(report: Return) -> list[str]:
    memberships = PartnerMembership.objects.filter(partner_id=report.partner_id, user__is_active=True)
    return sorted({address for address in memberships.values_list("user__email", flat=True) if address})


def _actor(report: Return) -> str:
    user = report.updated_by
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def build(report: Return, event: str, to: list[str] | None = None) -> EmailMessage | None:
    """The message for an event (to everyone concerned, or to those of them given), or None when nobody is there to
    read it."""
    if event not in EVENTS:
        raise ValueError(f"unknown return email event {event!r}; one of {', '.join(EVENTS)}")
    concerned = secretariat_addresses() if event == SUBMITTED else focal_point_addresses(report)
    # A retry reaches only those still concerned: an account unlinked from the partner since is told nothing more.
    to = concerned if to is None else [address for address in to if address in concerned]
    if not to:
        return None
    context = {
        "report": report,
        "round": report.round,
        "partner": report.partner,
        "actor": _actor(report),
        "counts": {"values": report.values.count(), "flows": report.flows.count(),
                   "answers": report.answers.exclude(text="").count()},
        "review_url": site_link(reverse("workspace:return-review", args=[report.pk])),
        "return_url": site_link(reverse("workspace:return", args=[report.pk])),
        "history_url": site_link(reverse("workspace:return-history", args=[report.pk])),
        "round_url": site_link(report.round.get_absolute_url()),
        "site_url": settings.SITE_URL,
    }
    subject = clean_subject(render_to_string(f"reporting/email/{event}_subject.txt", context))
    body = render_to_string(f"reporting/email/{event}.txt", context)
    return EmailMessage(subject=settings.EMAIL_SUBJECT_PREFIX + subject, body=body, to=to)


def send(report_pk: int, event: str, to: list[str] | None = None) -> int:
    """Send the event's email, one copy per recipient (only to ``to`` when given); how many were sent. A return
    deleted since is skipped. Raises Undelivered for the copies the server did not take."""
    report = Return.objects.select_related("round", "partner", "updated_by").filter(pk=report_pk).first()
    if report is None:
        return 0
    message = build(report, event, to=to)
    if message is None:
        return 0
    sent = 0
    for index, address in enumerate(message.to):
        # One message per recipient: focal points and the secretariat need not see each other's addresses.
        copy = EmailMessage(subject=message.subject, body=message.body, to=[address])
        try:
            sent += copy.send()
        except OSError as error:  # smtplib's errors: a server that is away would refuse the rest the same way
            raise Undelivered(message.to[index:], message.subject, error) from error
    return sent


def record_undelivered(report_pk: int, event: str, *, addresses: list[str], subject: str, error: Exception,
                       attempts: int) -> UndeliveredReturnEmail:
    return UndeliveredReturnEmail.objects.create(
        report=Return.objects.filter(pk=report_pk).first(), event=event, recipients=", ".join(addresses),
        subject=subject[:300], error=f"{type(error).__name__}: {error}"[:500], attempts=attempts,
    )


@shared_task(bind=True, max_retries=5)
def send_return_email(self, report_pk: int, event: str, to: list[str] | None = None) -> int:
    """Tell the people concerned that a return was submitted, returned or approved; how many emails went.

    A mail server that is away is tried again, later and later, for the addresses not reached yet; after the last
    try, or at once when no worker could try again later, the email is kept for the secretariat.
    """
    try:
        return send(report_pk, event, to=to)
    except Undelivered as undelivered:
        if not self.request.is_eager and self.request.retries < self.max_retries:
            raise self.retry(exc=undelivered, kwargs={"to": undelivered.addresses},
                             countdown=EMAIL_RETRY_SECONDS * 2 ** self.request.retries) from undelivered
        addresses, subject, error = undelivered.addresses, undelivered.subject, undelivered.error
    except Exception as failure:  # trying again would fail the same way; the secretariat must still hear of it
        logger.exception("The %s email of return %s could not be built or sent", event, report_pk)
        addresses, subject, error = to or [], "", failure
    logger.warning("The %s email of return %s was not sent to %s: %s", event, report_pk, addresses, error)
    record_undelivered(report_pk, event, addresses=addresses, subject=subject, error=error,
                       attempts=self.request.retries + 1)
    return 0


def notify(report: Return, event: str) -> None:
    """Queue the event's email for when the current transaction commits (at once outside of one)."""
    if report.is_demo or report.round.is_demo:
        return  # a demonstration return tells nobody: loading the demo on a live portal must not mail its people
    transaction.on_commit(partial(_queue, report.pk, event), robust=True)


def _queue(report_pk: int, event: str, to: list[str] | None = None) -> None:
    from core.queue import enqueue

    kwargs = {"to": to} if to is not None else {}
    if not enqueue(send_return_email, report_pk, event, **kwargs) and not settings.CELERY_TASK_ALWAYS_EAGER:
        # The broker is away: send it here rather than lose it; the change itself has committed already.
        send_return_email.apply(args=[report_pk, event], kwargs=kwargs)


def send_again(undelivered: UndeliveredReturnEmail) -> None:
    """Queue an undelivered email for the addresses it missed; if it fails once more, it is kept again."""
    undelivered.delete()
    if undelivered.report_id is None:  # deleted since: there is nothing left to tell of
        return
    _queue(undelivered.report_id, undelivered.event, to=undelivered.addresses)
