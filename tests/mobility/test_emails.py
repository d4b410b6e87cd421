"""The review workflow's emails reach their readers whatever the activity's title holds, and one that cannot be sent
is tried again later and later, then shown to the secretariat in the admin, where it can be sent again."""

import smtplib
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from core.emails import SUBJECT_MAX_LENGTH
from mobility import emails
from mobility.models import UndeliveredEmail
from mobility.tasks import send_activity_email
from tests import factories


@pytest.fixture
def submitted(alice, secretariat):
    return factories.ActivityFactory(
        title="Summer school\r\nBcc: everyone@example.org\x1b\t", state="submitted",
        lead_partner=alice.partner_memberships.get().partner, created_by=alice,
    )


class FailingBackend(EmailBackend):
    """A mail server that refuses every message."""

    attempts = 0

    def send_messages(self, messages):
        FailingBackend.attempts += 1
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def failing_smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    FailingBackend.attempts = 0
    return FailingBackend


def test_a_title_with_a_line_break_is_emailed_with_a_clean_one_line_subject(submitted):
    assert send_activity_email.delay(submitted.pk, emails.SUBMITTED).get() == 1

    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert message.subject == "[ASEM Education Portal] To review: Summer school Bcc: everyone@example.org"
    assert message.message()["Bcc"] is None


def test_a_very_long_title_gives_a_subject_of_bounded_length(submitted, settings):
    submitted.title = "Seminar " * 37  # within the title's 300 characters, twice the subject's bound
    submitted.save()

    send_activity_email.delay(submitted.pk, emails.SUBMITTED).get()

    [message] = mail.outbox
    assert len(message.subject) <= len(settings.EMAIL_SUBJECT_PREFIX) + SUBJECT_MAX_LENGTH
    assert message.subject.endswith("…")


def test_a_mail_server_that_fails_is_tried_again_later_and_later(submitted, failing_smtp):
    send_activity_email.push_request(retries=1, is_eager=False)
    try:
        with mock.patch.object(send_activity_email, "retry", side_effect=Retry()) as retry, pytest.raises(Retry):
            send_activity_email.run(submitted.pk, emails.SUBMITTED)
    finally:
        send_activity_email.pop_request()

    assert retry.call_args.kwargs["countdown"] == 60
    assert retry.call_args.kwargs["kwargs"] == {"to": ["sam@example.org"]}
    assert not UndeliveredEmail.objects.exists()


def test_an_email_still_not_sent_after_the_last_try_is_shown_to_the_secretariat(client, secretariat, submitted,
                                                                               failing_smtp):
    send_activity_email.push_request(retries=send_activity_email.max_retries, is_eager=False)
    try:
        with mock.patch.object(send_activity_email, "retry") as retry:
            assert send_activity_email.run(submitted.pk, emails.SUBMITTED) == 0
    finally:
        send_activity_email.pop_request()

    retry.assert_not_called()
    client.force_login(secretariat)
    page = client.get("/admin/mobility/undeliveredemail/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "sam@example.org" in content
    assert "Connection unexpectedly closed" in content
    assert "Summer school" in content


def test_without_a_worker_a_failed_email_is_recorded_at_once_and_the_change_still_stands(
        client, alice, secretariat, failing_smtp, django_capture_on_commit_callbacks):
    draft = factories.ActivityFactory(title="Winter school", slug="winter-school", state="draft",
                                      lead_partner=alice.partner_memberships.get().partner, created_by=alice)
    client.force_login(alice)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/workspace/activities/{draft.slug}/submit/")

    assert page.status_code == 302
    assert failing_smtp.attempts == 1  # nobody waits in the request for a server that is away
    [undelivered] = UndeliveredEmail.objects.all()
    assert (undelivered.activity, undelivered.event, undelivered.recipients) == (draft, "submitted",
                                                                                 "sam@example.org")
    draft.refresh_from_db()
    assert draft.state == "submitted"


def test_the_secretariat_sends_an_undelivered_email_again_from_the_admin(client, secretariat, submitted):
    undelivered = UndeliveredEmail.objects.create(activity=submitted, event="submitted", recipients="sam@example.org",
                                                  subject="To review: Summer school", error="SMTPServerDisconnected")
    client.force_login(secretariat)

    page = client.post("/admin/mobility/undeliveredemail/", {"action": "send_again",
                                                             "_selected_action": [undelivered.pk]}, follow=True)

    assert page.status_code == 200
    assert "Sending 1 email again" in page.content.decode()
    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert not UndeliveredEmail.objects.exists()


def test_the_secretariat_cannot_edit_what_an_undelivered_email_says(client, secretariat, submitted):
    undelivered = UndeliveredEmail.objects.create(activity=submitted, event="submitted", recipients="sam@example.org",
                                                  subject="To review: Summer school", error="SMTPServerDisconnected")
    client.force_login(secretariat)

    client.post(f"/admin/mobility/undeliveredemail/{undelivered.pk}/change/", {"recipients": "eve@example.org"})

    undelivered.refresh_from_db()
    assert undelivered.recipients == "sam@example.org"
    assert client.get("/admin/mobility/undeliveredemail/add/").status_code == 403


def test_staff_who_may_only_view_the_list_cannot_send_or_drop_an_undelivered_email(client, submitted):
    from django.contrib.auth.models import Permission

    undelivered = UndeliveredEmail.objects.create(activity=submitted, event="submitted", recipients="sam@example.org",
                                                  subject="To review: Summer school", error="SMTPServerDisconnected")
    viewer = factories.UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_undeliveredemail"))
    client.force_login(viewer)

    client.post("/admin/mobility/undeliveredemail/", {"action": "send_again", "_selected_action": [undelivered.pk]})

    assert not mail.outbox
    assert UndeliveredEmail.objects.filter(pk=undelivered.pk).exists()


def test_an_undelivered_email_sent_again_reaches_nobody_no_longer_concerned(client, secretariat, submitted):
    undelivered = UndeliveredEmail.objects.create(activity=submitted, event="returned",
                                                  recipients="former@example.org", subject="Returned: Summer school",
                                                  error="SMTPServerDisconnected")
    client.force_login(secretariat)

    client.post("/admin/mobility/undeliveredemail/", {"action": "send_again", "_selected_action": [undelivered.pk]})

    assert not mail.outbox
