"""A return's review is told by email once each decision has committed: a submission to the secretariat, a return
(with its note) and an approval to the partner's focal points; one the mail server refuses is kept for the
secretariat."""

import smtplib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.mail.backends.locmem import EmailBackend

from reporting import emails, services
from reporting.models import UndeliveredReturnEmail
from tests import factories


class FailingBackend(EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def submit(report, user):
    services.save_return(report=report, user=user, version=report.version, answers={1: "Highlights"},
                         values={("2.2.p", 2025): 12})
    services.submit_return(report=report, user=user, version=report.version)


def test_a_submission_tells_the_secretariat_once_it_has_committed(de_return, alice, secretariat, settings,
                                                                  django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://portal.example.org"
    alice.first_name, alice.last_name = "Alice", "Weber"
    alice.save()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(de_return, alice)
    assert mail.outbox == [], "nothing is told before the commit"
    for callback in callbacks:
        callback()

    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert message.subject == "[ASEM Education Portal] To review: Germany's return to Stocktaking 2027"
    assert "Alice Weber submitted Germany's return to Stocktaking 2027 for review" in message.body
    assert "1 value, 0 flows and 1 answer." in message.body
    assert f"https://portal.example.org/workspace/returns/{de_return.pk}/review/" in message.body


def test_a_refused_submission_tells_nobody(de_return, bob, secretariat, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.submit_return(report=de_return, user=bob, version=0)

    assert mail.outbox == []


def test_a_return_tells_the_partners_focal_points_the_note(de_return, alice, bob, secretariat,
                                                           django_capture_on_commit_callbacks):
    factories.focal_point("anna", de_return.partner)
    submit(de_return, alice)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.return_return(report=de_return, user=secretariat, note="Please add the 2026 figures.")

    assert sorted(message.to[0] for message in mail.outbox) == ["alice@example.org", "anna@example.org"]
    message = mail.outbox[0]
    assert message.subject == "[ASEM Education Portal] Returned with a note: Germany's return to Stocktaking 2027"
    assert "Please add the 2026 figures." in message.body
    assert f"/workspace/returns/{de_return.pk}/" in message.body


def test_an_approval_tells_the_focal_points_where_the_round_is_public(de_return, alice, secretariat,
                                                                      django_capture_on_commit_callbacks):
    submit(de_return, alice)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_return(report=de_return, user=secretariat)

    [message] = mail.outbox
    assert message.to == ["alice@example.org"]
    assert message.subject == "[ASEM Education Portal] Approved: Germany's return to Stocktaking 2027"
    assert "/rounds/stocktaking-2027/" in message.body


def test_a_round_name_with_a_line_break_gives_a_one_line_subject(de_return, alice, secretariat,
                                                                 django_capture_on_commit_callbacks):
    de_return.round.name = "Stocktaking\r\nBcc: everyone@example.org"
    de_return.round.save()

    with django_capture_on_commit_callbacks(execute=True):
        submit(de_return, alice)

    [message] = mail.outbox
    assert message.subject == ("[ASEM Education Portal] To review: Germany's return to Stocktaking Bcc: "
                               "everyone@example.org")
    assert message.message()["Bcc"] is None


def test_an_email_the_server_refuses_is_kept_and_the_decision_still_stands(
        de_return, alice, secretariat, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"

    with django_capture_on_commit_callbacks(execute=True):
        submit(de_return, alice)

    [undelivered] = UndeliveredReturnEmail.objects.all()
    assert (undelivered.report, undelivered.event, undelivered.addresses) == (de_return, "submitted",
                                                                              ["sam@example.org"])
    assert "Connection unexpectedly closed" in undelivered.error
    de_return.refresh_from_db()
    assert de_return.state == "submitted"


def test_an_undelivered_email_is_sent_again_to_those_it_missed(de_return, alice, secretariat):
    undelivered = UndeliveredReturnEmail.objects.create(report=de_return, event="returned",
                                                        recipients="alice@example.org", error="Refused")

    emails.send_again(undelivered)

    [message] = mail.outbox
    assert message.to == ["alice@example.org"]
    assert not UndeliveredReturnEmail.objects.exists()


@pytest.mark.parametrize("marked", ["return", "round"])
def test_a_demonstration_return_emails_nobody(de_return, alice, secretariat, marked,
                                              django_capture_on_commit_callbacks):
    demo = de_return if marked == "return" else de_return.round
    demo.is_demo = True
    demo.save()

    with django_capture_on_commit_callbacks(execute=True):
        submit(de_return, alice)
        services.approve_return(report=de_return, user=secretariat)

    assert mail.outbox == []
    de_return.refresh_from_db()
    assert de_return.state == "approved"
