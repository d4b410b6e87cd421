"""The emails of a return's review: who is told of a submission, a return and an approval, and what they read.

- submitted: the secretariat (staff in the Secretariat group, and REVIEW_NOTIFY_EMAILS), with a link to the
  return's review page;
- returned: the partner's focal points, with the secretariat's note and a link to the return;
- approved: the same people, with links to the round's public page and the return.

They are sent as the activities' emails are (core.emails): subjects on one clean line, links from SITE_URL, one copy
per recipient, queued once the change has committed, tried again by the task while the mail server is away and,
after the last try, kept as an UndeliveredReturnEmail the secretariat sees and sends again from the admin.
"""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from core.emails import clean_subject, queue_on_commit, resend, send_each, send_or_keep, site_link
from mobility.emails import secretariat_addresses
from mobility.models import PartnerMembership
from reporting.models import Return, UndeliveredReturnEmail

SUBMITTED, RETURNED, APPROVED = "submitted", "returned", "approved"
EVENTS = (SUBMITTED, RETURNED, APPROVED)


def focal_point_addresses(partner_ids) -> dict[int, list[str]]:
    """Each partner's active focal points' addresses, by partner id: whom its return's emails and reminders reach."""
    found: dict[int, set[str]] = {partner_id: set() for partner_id in partner_ids}
    memberships = (PartnerMembership.objects.filter(partner_id__in=found, user__is_active=True)
                   .exclude(user__email="").values_list("partner_id", "user__email"))
    for partner_id, address in memberships:
        found[partner_id].add(address)
    return {partner_id: sorted(addresses) for partner_id, addresses in found.items()}


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
    concerned = (secretariat_addresses() if event == SUBMITTED
                 else focal_point_addresses([report.partner_id])[report.partner_id])
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
    return send_each(message)


@shared_task(bind=True, max_retries=5)
def send_return_email(self, report_pk: int, event: str, to: list[str] | None = None) -> int:
    """Tell the people concerned that a return was submitted, returned or approved; how many emails went.

    A mail server that is away is tried again, later and later, for the addresses not reached yet; after the last
    try, or at once when no worker could try again later, the email is kept for the secretariat.
    """
    return send_or_keep(self, send=send, keep=UndeliveredReturnEmail.keep, what="return", pk=report_pk, event=event,
                        to=to)


def notify(report: Return, event: str) -> None:
    """Queue the event's email for when the current transaction commits (at once outside of one)."""
    if report.is_demo or report.round.is_demo:
        return  # a demonstration return tells nobody: loading the demo on a live portal must not mail its people
    queue_on_commit(send_return_email, report.pk, event)


def send_again(undelivered: UndeliveredReturnEmail) -> None:
    """Queue an undelivered email for the addresses it missed; if it fails once more, it is kept again."""
    resend(undelivered, send_return_email)
