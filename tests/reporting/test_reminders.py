"""Reminders of a round's deadline: the daily run sends each due one once, after the commit, to whom it concerns."""

import datetime
import logging

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.utils import timezone

from reporting import reminders
from reporting.models import Reminder, Return, Round
from reporting.tasks import send_due_reminders
from tests import factories


def days_from_deadline(round_, days: int) -> datetime.date:
    return round_.deadline + datetime.timedelta(days=days)


def reminded(outbox=None) -> list[tuple[str, str]]:
    return sorted((message.to[0], message.subject) for message in (outbox if outbox is not None else mail.outbox))


@pytest.fixture
def focal_points(alice, bob):
    """Germany has alice, Thailand bob; the other 51 partners have no focal point yet."""
    return alice, bob


def test_due_ones_are_sent_once_after_commit_and_not_to_partners_already_approved(
        open_round, focal_points, django_capture_on_commit_callbacks):
    Return.objects.filter(round=open_round, partner__code="TH").update(state=Return.State.APPROVED)
    day = days_from_deadline(open_round, -14)

    with django_capture_on_commit_callbacks() as callbacks:
        assert reminders.send_due_reminders(day) == 1
        assert mail.outbox == []  # nothing leaves before the reminder is committed
    assert len(callbacks) == 1
    callbacks[0]()  # the commit
    # Run again the same day, and the next: nothing more goes.
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due_reminders(day) == 0
        assert reminders.send_due_reminders(day + datetime.timedelta(days=1)) == 0

    due = open_round.deadline.strftime("%-d %B %Y")
    subject = f"[ASEM Education Portal] Reminder: Germany's return for Stocktaking 2027 is due on {due}"
    assert reminded() == [("alice@example.org", subject)]
    assert list(Reminder.objects.values_list("report__partner__code", "threshold")) == [("DE", "before-14")]


def test_a_rolled_back_run_sends_nothing(open_round, focal_points, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reminders.send_due_reminders(days_from_deadline(open_round, -14))

    assert len(callbacks) == 2
    assert mail.outbox == []


def test_nothing_is_sent_before_the_first_threshold_day(open_round, focal_points, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_due_reminders(days_from_deadline(open_round, -15)) == 0

    assert mail.outbox == []
    assert not Reminder.objects.exists()


@pytest.mark.parametrize(("days", "threshold"), [
    (-14, "before-14"), (-10, "before-14"), (-3, "before-3"), (0, "before-3"), (1, "after-1"), (6, "after-1"),
    (7, "after-7"), (40, "after-7"),
])
def test_the_latest_threshold_whose_day_has_come_is_the_one_due(open_round, days, threshold):
    assert [due.threshold for due in reminders.due_reminders(days_from_deadline(open_round, days))][:1] == [threshold]


def test_a_round_opened_late_skips_the_reminders_whose_time_has_gone(open_round, focal_points, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    monkeypatch.setattr(timezone, "localdate", lambda *args: days_from_deadline(open_round, -2))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_due_reminders()

    assert set(Reminder.objects.values_list("threshold", flat=True)) == {"before-3"}
    assert "It is due on" in mail.outbox[0].body and "in 2 days" in mail.outbox[0].body


def test_after_the_deadline_the_email_says_how_late_it_is(open_round, focal_points,
                                                          django_capture_on_commit_callbacks, monkeypatch):
    day = days_from_deadline(open_round, 7)
    monkeypatch.setattr(timezone, "localdate", lambda *args: day)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_due_reminders()

    message = next(m for m in mail.outbox if m.to == ["alice@example.org"])
    assert message.subject == "[ASEM Education Portal] Overdue: Germany's return for Stocktaking 2027"
    assert "7 days ago, and the secretariat has not received it yet" in message.body
    assert "It holds 0 of the 9 values the round asks for." in message.body
    assert f"http://127.0.0.1:8000/workspace/returns/{Return.objects.get(partner__code='DE').pk}/" in message.body


def test_the_days_come_from_the_settings(open_round, focal_points, settings, django_capture_on_commit_callbacks):
    settings.REPORTING_REMINDER_DAYS_BEFORE = [7]
    settings.REPORTING_REMINDER_DAYS_AFTER = []

    assert reminders.due_reminders(days_from_deadline(open_round, -8)) == []
    assert {due.threshold for due in reminders.due_reminders(days_from_deadline(open_round, -7))} == {"before-7"}
    assert {due.threshold for due in reminders.due_reminders(days_from_deadline(open_round, 30))} == {"before-7"}


@pytest.mark.parametrize("state", [Return.State.SUBMITTED, Return.State.APPROVED])
def test_a_return_with_the_secretariat_is_not_reminded(open_round, focal_points, state):
    Return.objects.filter(round=open_round).update(state=state)

    assert reminders.due_reminders(days_from_deadline(open_round, -3)) == []


def test_a_returned_return_is_reminded_with_the_secretariats_note(de_return, focal_points,
                                                                   django_capture_on_commit_callbacks):
    Return.objects.filter(pk=de_return.pk).update(state=Return.State.RETURNED, review_note="Add 2026, please.")

    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_due_reminders(days_from_deadline(de_return.round, -3))

    assert "Add 2026, please." in next(m for m in mail.outbox if m.to == ["alice@example.org"]).body


@pytest.mark.parametrize("change", [{"state": Round.State.CLOSED}, {"state": Round.State.DRAFT}, {"is_demo": True}])
def test_closed_draft_and_demonstration_rounds_remind_nobody(open_round, focal_points, change):
    Round.objects.filter(pk=open_round.pk).update(**change)

    assert reminders.due_reminders(days_from_deadline(open_round, -3)) == []


def test_it_reaches_every_active_focal_point_one_email_each(de_return, alice, django_capture_on_commit_callbacks):
    factories.focal_point("anna", de_return.partner)
    gone = factories.focal_point("gerd", de_return.partner)
    gone.is_active = False
    gone.save()

    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_due_reminders(days_from_deadline(de_return.round, -3))

    assert [m.to for m in mail.outbox] == [["alice@example.org"], ["anna@example.org"]]
    assert Reminder.objects.get().recipients == "alice@example.org, anna@example.org"


def test_a_partner_without_a_focal_point_is_logged_and_not_marked_as_reminded(open_round, caplog):
    with caplog.at_level(logging.WARNING, logger="reporting.reminders"):
        assert reminders.send_due_reminders(days_from_deadline(open_round, -3)) == 0

    assert not Reminder.objects.exists()
    assert len(caplog.records) == 1
    assert caplog.records[0].getMessage().startswith(
        "No reminder before-3 in Stocktaking 2027 for ASEAN Secretariat, Australia, Austria,")
    assert caplog.records[0].getMessage().endswith("Viet Nam: no active focal point with an email")
    assert caplog.records[0].getMessage().count(", ") == 52


def test_an_email_the_server_never_takes_is_tried_again_the_next_day(de_return, alice, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    def refuse(self, fail_silently=False):
        raise ConnectionRefusedError("the mail server is away")

    day = days_from_deadline(de_return.round, -3)
    with monkeypatch.context() as patched:
        patched.setattr(EmailMessage, "send", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            reminders.send_due_reminders(day)
    assert not Reminder.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        reminders.send_due_reminders(day + datetime.timedelta(days=1))
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]


def test_the_beat_task_sends_todays_reminders(open_round, focal_points, monkeypatch,
                                              django_capture_on_commit_callbacks):
    monkeypatch.setattr(timezone, "localdate", lambda *args: days_from_deadline(open_round, -14))

    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders.delay().get() == 2

    assert reminded()[0][0] == "alice@example.org" and len(mail.outbox) == 2


def test_beat_runs_the_reminders_every_day(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-reporting-reminders"]
    assert entry["task"] == send_due_reminders.name
    assert entry["schedule"].hour == {6} and entry["schedule"].day_of_week == set(range(7))


# The board's button -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "alice", "bob"])
def test_only_the_secretariat_may_send_a_reminder(de_return, alice, bob, who):
    user = {"anonymous": AnonymousUser(), "alice": alice, "bob": bob}[who]

    with pytest.raises(PermissionDenied, match="Only the secretariat may send a reminder"):
        reminders.send_reminder(report=de_return, user=user)
    assert not Reminder.objects.exists()


def test_the_secretariat_reminds_a_partner_once_a_day(de_return, alice, secretariat,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reminder = reminders.send_reminder(report=de_return, user=secretariat)

    assert reminder.threshold == f"manual-{timezone.localdate().isoformat()}"
    assert reminder.sent_by == secretariat
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert "The ASEM Education Secretariat reminds you (sam) of Germany's return" in mail.outbox[0].body
    with pytest.raises(ValidationError, match="Germany was already reminded today"):
        reminders.send_reminder(report=de_return, user=secretariat)
    assert Reminder.objects.count() == 1


@pytest.mark.parametrize(("state", "problem"), [
    (Return.State.SUBMITTED, "Germany's return is submitted: it needs no reminder."),
    (Return.State.APPROVED, "Germany's return is approved: it needs no reminder."),
])
def test_a_return_with_the_secretariat_needs_no_reminder_from_the_board(de_return, alice, secretariat, state,
                                                                        problem):
    Return.objects.filter(pk=de_return.pk).update(state=state)

    with pytest.raises(ValidationError, match=problem):
        reminders.send_reminder(report=de_return, user=secretariat)
    assert not Reminder.objects.exists()


def test_a_partner_without_a_focal_point_cannot_be_reminded_and_is_told_why(open_round, secretariat):
    report = Return.objects.get(round=open_round, partner__code="FR")

    with pytest.raises(ValidationError, match="France has no active focal point with an email"):
        reminders.send_reminder(report=report, user=secretariat)


def test_a_closed_round_reminds_nobody_from_the_board(de_return, alice, secretariat):
    Round.objects.filter(pk=de_return.round_id).update(state=Round.State.CLOSED)

    with pytest.raises(ValidationError, match="Stocktaking 2027 is not open"):
        reminders.send_reminder(report=de_return, user=secretariat)
