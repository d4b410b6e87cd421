"""Sam (the secretariat) reviews what Alice (Germany) submits: the queue shows what changed since the last published
version and since he returned it; approving publishes, returning needs a note; everyone concerned gets an email,
queued only once the change has committed, with links that work."""

from unittest import mock

import pytest
from django.core import mail
from django.db import transaction

from mobility import services
from mobility.models import Activity
from tests import factories
from workspace import services as workspace

REVIEW = "/workspace/review/"


@pytest.fixture
def submission(alice, secretariat):
    """Alice's activity, created, submitted, returned by Sam with a note, fixed and submitted again."""
    activity = workspace.save_activity(user=alice, data={
        "title": "Seminar on recognition", "lead_partner": factories.partner("DE"), "place": "Bonn",
        "activity_type": "conference", "partners": [factories.partner("TH")]})
    services.activity_submit(activity=activity, user=alice)
    services.activity_return(activity=activity, user=secretariat, note="Say where it takes place.")
    workspace.save_activity(user=alice, activity=activity, data={"place": "Bonn, Germany",
                                                                 "partners": [factories.partner("JP")]})
    services.activity_submit(activity=activity, user=alice)
    return Activity.objects.get(pk=activity.pk)


def test_the_queue_shows_what_changed_since_sam_returned_it_and_that_it_was_never_published(
        client, secretariat, submission):
    client.force_login(secretariat)

    page = client.get(REVIEW).content.decode()

    assert "Seminar on recognition" in page
    assert "Changed since it was returned on" in page
    assert "<td><del>Bonn</del></td>" in page and "<td><ins>Bonn, Germany</ins></td>" in page
    assert "Removed: <del>Thailand</del>" in page and "Added: <ins>Japan</ins>" in page
    assert "Never published: all of it is new" in page


def test_the_queue_shows_what_changed_since_the_last_published_version(client, alice, secretariat):
    activity = workspace.save_activity(user=alice, data={"title": "Summer school", "lead_partner":
                                                         factories.partner("DE")})
    services.activity_submit(activity=activity, user=alice)
    services.activity_approve(activity=activity, user=secretariat)
    # The secretariat reopens it (in the admin), Alice renames it and submits it again.
    activity.state = Activity.State.DRAFT
    activity.save()
    workspace.save_activity(user=alice, activity=activity, data={"title": "Summer school 2026"})
    services.activity_submit(activity=activity, user=alice)
    client.force_login(secretariat)

    page = client.get(REVIEW).content.decode()

    assert "Changed since the version published on" in page
    assert "<th scope=\"row\">Title</th>" in page
    assert "Summer school <ins>2026</ins>" in page


def test_the_queue_costs_the_same_whatever_its_length(client, alice, secretariat, django_assert_num_queries):
    def submit(title):
        activity = workspace.save_activity(user=alice, data={"title": title, "lead_partner": factories.partner("DE"),
                                                             "partners": [factories.partner("TH")]})
        services.activity_submit(activity=activity, user=alice)

    submit("First")
    client.force_login(secretariat)
    client.get(REVIEW)
    # Expect 12 queries: the session, the user, the Secretariat group check, the count of the submissions, a page
    # of them with their lead partners, their history records with their users, the history rows of the five
    # relations, and the names of the partners the differences show (lead and taking part: one query; no
    # organisation, objective, priority or instrument here, so no query for them)
    with django_assert_num_queries(12):
        client.get(REVIEW)
    for n in range(5):
        submit(f"More {n}")
    # Expect 12 queries: the same, and the count of what waits, which the page says and pages by
    with django_assert_num_queries(12):
        response = client.get(REVIEW)
    assert response.content.decode().count('class="submission record"') == 6


def test_the_queue_shows_25_submissions_a_page_oldest_first_and_says_how_many_wait(client, alice, secretariat):
    for n in range(27):
        activity = workspace.save_activity(user=alice, data={"title": f"Submission {n:02}",
                                                             "lead_partner": factories.partner("DE")})
        services.activity_submit(activity=activity, user=alice)
    client.force_login(secretariat)

    first = client.get(REVIEW).content.decode()
    second = client.get(f"{REVIEW}?page=2").content.decode()

    assert "27 submitted activities wait for review, oldest first." in first
    assert first.count('class="submission record"') == 25
    assert first.index("Submission 00") < first.index("Submission 24") and "Submission 25" not in first
    assert 'rel="next"' in first and "page 1 of 2" in first
    assert second.count('class="submission record"') == 2
    assert "Submission 25" in second and "Submission 26" in second and "Submission 00" not in second


def test_sam_finds_a_submission_by_a_word_of_its_title(client, alice, secretariat, submission):
    other = workspace.save_activity(user=alice, data={"title": "Summer school",
                                                      "lead_partner": factories.partner("DE")})
    services.activity_submit(activity=other, user=alice)
    client.force_login(secretariat)

    page = client.get(REVIEW, {"q": "summer"}).content.decode()

    assert "1 submitted activity matches, oldest first." in page
    assert "Summer school" in page and "Seminar on recognition" not in page
    assert "No submission matches" in client.get(REVIEW, {"q": "nothing like it"}).content.decode()


def test_a_failed_return_on_the_second_page_comes_back_on_that_page(client, alice, secretariat):
    slugs = []
    for n in range(26):
        activity = workspace.save_activity(user=alice, data={"title": f"Submission {n:02}",
                                                             "lead_partner": factories.partner("DE")})
        services.activity_submit(activity=activity, user=alice)
        slugs.append(activity.slug)
    client.force_login(secretariat)

    response = client.post(f"{REVIEW}{slugs[-1]}/return/", {"note": ""})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Submission 25" in page and "Submission 00" not in page
    assert f'id="note-{slugs[-1]}" required' in page


def test_sam_approves_and_the_activity_is_public_on_the_page_and_in_the_api(client, secretariat, submission):
    client.force_login(secretariat)

    response = client.post(f"{REVIEW}{submission.slug}/approve/", follow=True)

    assert "Published “Seminar on recognition”: it is now on the public pages and in the API." in \
        response.content.decode()
    client.logout()
    assert client.get(f"/activities/{submission.slug}/").status_code == 200
    assert client.get(f"/api/v1/activities/{submission.slug}/").json()["state"] == "published"


def test_returning_needs_a_note_shown_next_to_it(client, secretariat, submission):
    client.force_login(secretariat)

    response = client.post(f"{REVIEW}{submission.slug}/return/", {"note": "  "})

    assert response.status_code == 400
    assert '<ul class="errorlist" id="id_note_error"><li>Say what the focal points should change.</li></ul>' in \
        response.content.decode()
    assert Activity.objects.get(pk=submission.pk).state == "submitted"


def test_approving_what_is_not_submitted_says_why(client, secretariat, alice_draft):
    client.force_login(secretariat)

    response = client.post(f"{REVIEW}{alice_draft.slug}/approve/", follow=True)

    assert "Only a submitted activity can be approved; this one is draft." in response.content.decode()
    assert Activity.objects.get(pk=alice_draft.pk).state == "draft"


def test_the_admin_approves_selected_submissions_through_the_same_service(client, secretariat, submission,
                                                                          django_capture_on_commit_callbacks):
    client.force_login(secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/mobility/activity/", {"action": "approve_submissions", "_selected_action": [
            submission.pk]})

    assert Activity.objects.get(pk=submission.pk).state == "published"
    assert [message.subject for message in mail.outbox] == [
        "[ASEM Education Portal] Published: Seminar on recognition"]


# Emails -----------------------------------------------------------------------------------------------------


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://education.example.org"


def test_submitting_emails_the_secretariat_only_after_the_commit(client, alice, secretariat, alice_draft, site,
                                                                 django_capture_on_commit_callbacks):
    client.force_login(alice)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(f"/workspace/activities/{alice_draft.slug}/submit/")
        assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()

    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert message.subject == "[ASEM Education Portal] To review: Micro-credentials seminar"
    assert "alice submitted an activity for Germany for review" in message.body
    assert "https://education.example.org/workspace/review/#activity-micro-credentials-seminar" in message.body
    assert "https://education.example.org/workspace/activities/micro-credentials-seminar/history/" in message.body


def test_returning_emails_the_focal_points_the_note_and_the_link_to_fix_it(client, alice, secretariat, site,
                                                                          alice_draft,
                                                                          django_capture_on_commit_callbacks):
    services.activity_submit(activity=alice_draft, user=alice)
    client.force_login(secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{REVIEW}{alice_draft.slug}/return/", {"note": "Add the participants from Asia."})

    [message] = mail.outbox
    assert message.to == ["alice@example.org"]
    assert message.subject == "[ASEM Education Portal] Returned with a note: Micro-credentials seminar"
    assert "Add the participants from Asia." in message.body
    assert "https://education.example.org/workspace/activities/micro-credentials-seminar/edit/" in message.body


def test_approving_emails_the_focal_points_the_public_link(client, alice, secretariat, site, alice_draft,
                                                           django_capture_on_commit_callbacks):
    factories.focal_point("anna", factories.partner("DE"))
    services.activity_submit(activity=alice_draft, user=alice)
    client.force_login(secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{REVIEW}{alice_draft.slug}/approve/")

    assert sorted(message.to[0] for message in mail.outbox) == ["alice@example.org", "anna@example.org"]
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees the others' addresses
    assert "https://education.example.org/activities/micro-credentials-seminar/" in mail.outbox[0].body


def test_a_submission_rolled_back_emails_nobody(alice, secretariat, alice_draft, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError), \
            transaction.atomic():
        services.activity_submit(activity=alice_draft, user=alice)
        raise RuntimeError("the request failed after the submission")

    assert callbacks == []
    assert mail.outbox == []
    assert Activity.objects.get(pk=alice_draft.pk).state == "draft"


def test_the_email_is_sent_by_the_celery_task_with_the_activitys_key(alice, secretariat, alice_draft,
                                                                     django_capture_on_commit_callbacks):
    with mock.patch("core.queue.enqueue", return_value=True) as enqueue, \
            django_capture_on_commit_callbacks(execute=True):
        services.activity_submit(activity=alice_draft, user=alice)

    task, *args = enqueue.call_args.args
    assert task.name == "mobility.tasks.send_activity_email"
    assert args == [alice_draft.pk, "submitted"]


# Reading and deciding ---------------------------------------------------------------------------------------


def test_a_failed_return_brings_sam_back_to_that_submission_with_the_note_and_its_error_in_focus(
        client, secretariat, submission):
    client.force_login(secretariat)

    page = client.post(f"{REVIEW}{submission.slug}/return/", {"note": ""}).content.decode()

    # The form's address names the note's box: the page it answers opens there, not at the top, and focuses it.
    assert f'action="/workspace/review/{submission.slug}/return/#note-{submission.slug}"' in page
    assert f'<textarea name="note" cols="40" rows="3" maxlength="5000" id="note-{submission.slug}" required ' \
        'aria-invalid="true" aria-describedby="id_note_error">' in page
    assert f'<label for="note-{submission.slug}">' in page


def test_the_queue_shows_a_submissions_content_before_the_actions_and_never_folded(client, secretariat, submission):
    client.force_login(secretariat)

    page = client.get(REVIEW).content.decode()

    assert "<details" not in page
    content = page.index("<td><ins>Bonn, Germany</ins></td>")
    assert content < page.index("Return with this note") and content < page.index("Approve and publish")


def test_approving_from_the_queue_asks_for_a_confirmation_first_and_publishes_nothing_until_then(
        client, secretariat, submission):
    client.force_login(secretariat)

    queue = client.get(REVIEW).content.decode()
    assert f'<form method="post" action="/workspace/review/{submission.slug}/approve/"' not in queue
    assert f'href="/workspace/review/{submission.slug}/approve/"' in queue

    confirmation = client.get(f"{REVIEW}{submission.slug}/approve/")

    assert confirmation.status_code == 200
    page = confirmation.content.decode()
    assert "Publish “Seminar on recognition”?" in page
    assert f'<form method="post" action="/workspace/review/{submission.slug}/approve/"' in page
    assert "Bonn, Germany" in page  # what is about to be published, once more
    assert "What you are about to publish</h2>" in page  # the changes' headings sit under it, not under the h1
    assert Activity.objects.get(pk=submission.pk).state == "submitted"


def test_the_confirmation_of_what_is_not_submitted_says_so(client, secretariat, alice_draft):
    client.force_login(secretariat)

    response = client.get(f"{REVIEW}{alice_draft.slug}/approve/", follow=True)

    assert "Only a submitted activity can be approved; this one is draft." in response.content.decode()


def test_the_differences_leave_out_the_internal_slug(client, secretariat, submission):
    client.force_login(secretariat)

    page = client.get(REVIEW).content.decode()

    assert '<th scope="row">Slug</th>' not in page
    assert '<th scope="row">Title</th>' in page


def test_a_submitted_activitys_page_sends_sam_to_review_it_and_tells_alice_to_wait(client, alice, secretariat,
                                                                                   submission):
    client.force_login(secretariat)
    sams = client.get(f"/workspace/activities/{submission.slug}/").content.decode()
    client.force_login(alice)
    alices = client.get(f"/workspace/activities/{submission.slug}/").content.decode()

    assert f'href="{REVIEW}#activity-{submission.slug}"' in sams
    assert "you will get an email either way" not in sams
    assert "you will get an email either way" in alices
    assert f'href="{REVIEW}#activity-{submission.slug}"' not in alices
