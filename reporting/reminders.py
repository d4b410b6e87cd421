"""Reminding the focal points of partners whose return the secretariat has not received.

Celery beat runs send_due_reminders() every day (settings.CELERY_BEAT_SCHEDULE). A reminder's threshold is a day
counted from its round's deadline: "before-14" fourteen days before it, "after-7" seven days after it (the days
are REPORTING_REMINDER_DAYS_BEFORE and REPORTING_REMINDER_DAYS_AFTER). A return gets the reminder of the latest
threshold whose day has come, if it has not had that one yet: a run missed is made up the next day, and a round
opened late does not send "fourteen days left" three days before its deadline.

Only returns still with the partner are reminded (a draft, or a submission returned with a note), only in open
rounds of real data (a demonstration round emails nobody on its own), and only to the partner's active focal
points with an email. A partner with none is logged, and the board shows it, so the secretariat can link someone.

The Reminder row is the guard: its unique (return, threshold) makes each reminder go once, whoever runs at the
same time. It is written first and the email queued for after the commit, so a run that fails half-way sends
nothing it did not record. An email the mail server does not take, even after the task's retries, deletes its
row again: the next day's run tries once more, while the threshold still applies.

The secretariat sends one from the board too (send_reminder): at most once a day per return. In a demonstration
round it is recorded and shown, and no email leaves.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.emails import clean_subject, queue_on_commit, send_each, site_link
from core.roles import is_secretariat
from mobility.services import NotAllowed
from reporting.board import REMINDABLE
from reporting.emails import focal_point_addresses
from reporting.models import Reminder, Return, ReturnValue, Round
from reporting.tasks import send_reminder_email

logger = logging.getLogger(__name__)

MANUAL = "manual"


@dataclass(frozen=True)
class Due:
    report: Return
    threshold: str


def thresholds() -> list[tuple[str, int]]:
    """Every threshold, as (name, its day counted from the deadline), in the order their days come."""
    before = [(f"before-{days}", -days) for days in settings.REPORTING_REMINDER_DAYS_BEFORE]
    after = [(f"after-{days}", days) for days in settings.REPORTING_REMINDER_DAYS_AFTER]
    return sorted(before + after, key=lambda threshold: threshold[1])


def current_threshold(deadline: date, today: date) -> str | None:
    """The latest threshold whose day has come; None before the first."""
    past = [name for name, day in thresholds() if day <= (today - deadline).days]
    return past[-1] if past else None


def due_reminders(today: date | None = None) -> list[Due]:
    """The reminders the day has brought and nobody has sent yet, in every open round."""
    today = today or timezone.localdate()
    due = []
    for round_ in Round.objects.filter(state=Round.State.OPEN, is_demo=False):
        threshold = current_threshold(round_.deadline, today)
        if threshold is None:
            continue
        reports = (round_.returns.filter(state__in=REMINDABLE).exclude(reminders__threshold=threshold)
                   .select_related("partner"))
        for report in reports:
            report.round = round_
            due.append(Due(report=report, threshold=threshold))
    return due


def _record(report: Return, threshold: str, addresses: list[str], *, user=None) -> Reminder | None:
    """Write the reminder and queue its email for after the commit; None when it was sent already."""
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(report=report, threshold=threshold, recipients=", ".join(addresses),
                                               sent_by=user)
    except IntegrityError:
        return None
    logger.info("Reminder %s for %s's return in %s, to %s", threshold, report.partner.name, report.round.name,
                ", ".join(addresses))
    queue_on_commit(send_reminder_email, reminder.pk)
    return reminder


@transaction.atomic
def send_due_reminders(today: date | None = None) -> int:
    """Send every reminder due today (once each); how many were written."""
    due = due_reminders(today)
    addresses = focal_point_addresses({item.report.partner_id for item in due})
    sent, unreachable = 0, defaultdict(list)
    for item in due:
        report = item.report
        if not addresses[report.partner_id]:
            unreachable[report.round.name, item.threshold].append(report.partner.name)
        elif _record(report, item.threshold, addresses[report.partner_id]) is not None:
            sent += 1
    for (round_name, threshold), partners in unreachable.items():
        logger.warning("No reminder %s in %s for %s: no active focal point with an email", threshold, round_name,
                       ", ".join(partners))
    return sent


@transaction.atomic
def send_reminder(*, report: Return, user) -> Reminder:
    """The secretariat reminds one partner from the board: at most once a day for each return."""
    if not is_secretariat(user):
        raise NotAllowed("Only the secretariat may send a reminder.")
    report = Return.objects.select_for_update().select_related("round", "partner").get(pk=report.pk)
    if report.round.state != Round.State.OPEN:
        raise ValidationError({"state": f"{report.round.name} is not open: there is nothing to remind of."})
    if report.state not in REMINDABLE:
        raise ValidationError({"state": f"{report.partner.name}'s return is {report.get_state_display().lower()}: "
                                        f"it needs no reminder."})
    addresses = focal_point_addresses([report.partner_id])[report.partner_id]
    if not addresses:
        raise ValidationError({"recipients": f"{report.partner.name} has no active focal point with an email: link "
                                             f"one to the partner first."})
    threshold = f"{MANUAL}-{timezone.localdate().isoformat()}"
    reminder = _record(report, threshold, addresses, user=user)
    if reminder is None:
        raise ValidationError({"threshold": f"{report.partner.name} was already reminded today."})
    return reminder


# The email --------------------------------------------------------------------------------------------------------


def build(reminder: Reminder, *, today: date | None = None) -> EmailMessage:
    report, round_ = reminder.report, reminder.report.round
    today = today or timezone.localdate()
    days = (round_.deadline - today).days
    filled = ReturnValue.objects.filter(report=report, indicator__rounds=round_, year__gte=round_.first_year,
                                        year__lte=round_.last_year).count()
    context = {
        "reminder": reminder, "report": report, "round": round_, "partner": report.partner,
        "days_left": max(days, 0), "days_late": max(-days, 0),
        "values_filled": filled, "values_requested": round_.indicators.count() * len(round_.years),
        "manual": reminder.threshold.startswith(MANUAL), "sent_by": reminder.sent_by,
        "return_url": site_link(reverse("workspace:return", args=[report.pk])),
        "site_url": settings.SITE_URL,
    }
    subject = clean_subject(render_to_string("reporting/reminder/subject.txt", context))
    body = render_to_string("reporting/reminder/body.txt", context)
    return EmailMessage(subject=settings.EMAIL_SUBJECT_PREFIX + subject, body=body,
                        to=reminder.recipients.split(", "))


def deliver(reminder_pk: int, to: list[str] | None = None) -> int:
    """Send a reminder's email, one copy per address (only to ``to`` when given); how many went. A reminder
    deleted since, or whose return has reached the secretariat in the meantime, sends nothing. Raises Undelivered
    for the copies the mail server did not take."""
    reminder = (Reminder.objects.select_related("report__round", "report__partner", "sent_by")
                .filter(pk=reminder_pk).first())
    if reminder is None or reminder.report.state not in REMINDABLE or reminder.report.round.is_demo:
        return 0  # a demonstration round mails nobody: loading the demo on a live portal must not reach its people
    message = build(reminder)
    return send_each(message, [address for address in message.to if to is None or address in to])


def undelivered(reminder_pk: int, addresses: list[str], error: Exception) -> None:
    """The mail server never took the reminder: if nobody got it, forget it was sent, so the next run tries again."""
    reminder = Reminder.objects.filter(pk=reminder_pk).first()
    if reminder is None:
        return
    logger.error("Reminder %s (%s) was not delivered to %s: %s", reminder.threshold, reminder_pk,
                 ", ".join(addresses), error)
    if set(addresses) >= set(reminder.recipients.split(", ")):
        reminder.delete()
