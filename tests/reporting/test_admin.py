"""The secretariat prepares, opens and closes a round in the admin, and reads the returns, reminders and refused
emails there; nobody else may."""

import pytest
from django.core import mail

from objectives.models import Indicator
from partners.models import Partner
from reporting.models import Question, Reminder, Return, Round, UndeliveredReturnEmail

ADD = "/admin/reporting/round/add/"
LIST = "/admin/reporting/round/"


def round_form(indicators, **fields) -> dict:
    """What the add form posts for Stocktaking 2029 with its four suggested questions as they are offered."""
    from reporting.admin import SUGGESTED_QUESTIONS

    data = {
        "name": "Stocktaking 2029", "slug": "stocktaking-2029", "first_year": "2026", "last_year": "2028",
        "deadline": "2029-03-31", "state": "draft", "indicators": [i.pk for i in indicators], "includes_flows": "on",
        "questions-TOTAL_FORMS": "4", "questions-INITIAL_FORMS": "0", "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for index, question in enumerate(SUGGESTED_QUESTIONS):
        data.update({f"questions-{index}-number": question["number"], f"questions-{index}-text": question["text"],
                     f"questions-{index}-guidance": question["guidance"]})
        if question["required"]:
            data[f"questions-{index}-required"] = "on"
    return {**data, **fields}


@pytest.fixture
def draft_round(reported_indicators):
    round_ = Round.objects.create(name="Stocktaking 2029", slug="stocktaking-2029", first_year=2026, last_year=2028,
                                  deadline="2029-03-31")
    round_.indicators.set(reported_indicators.values())
    return round_


# Preparing a round -------------------------------------------------------------------------------------------------


def test_a_new_round_offers_the_stocktakings_four_questions_and_only_indicators_partners_report(
        client, secretariat, reported_indicators):
    asem_only = Indicator.objects.create(priority=reported_indicators["sum"].priority, code="2.2.z",
                                         name="Measured for ASEM as a whole", unit="%", baseline_year=2020,
                                         baseline_value=1)
    client.force_login(secretariat)

    page = client.get(ADD)

    assert page.status_code == 200
    content = page.content.decode()
    for text in ("What were the highlights of the years this round covers?", "What challenges did you meet?",
                 "What good practice would you share with the other partners?",
                 "What do you plan for the coming years?"):
        assert text in content
    choices = {int(value.value) for value, _ in page.context["adminform"].form.fields["indicators"].choices}
    assert choices == {indicator.pk for indicator in reported_indicators.values()}
    assert asem_only.pk not in choices


def test_the_secretariat_saves_a_round_with_the_suggested_questions_as_they_are_offered(
        client, secretariat, reported_indicators):
    client.force_login(secretariat)
    data = round_form(reported_indicators.values(), **{"questions-3-text": ""})  # the plans question left out

    page = client.post(ADD, data)

    assert page.status_code == 302, page.context["adminform"].form.errors if page.context else ""
    round_ = Round.objects.get(slug="stocktaking-2029")
    assert round_.state == "draft"
    assert list(round_.questions.values_list("number", "required")) == [(1, True), (2, False), (3, False)]
    assert not round_.returns.exists()


def test_a_round_saved_as_open_from_the_form_opens_through_the_service(client, secretariat, reported_indicators):
    client.force_login(secretariat)

    page = client.post(ADD, round_form(reported_indicators.values(), state="open"), follow=True)

    round_ = Round.objects.get(slug="stocktaking-2029")
    assert round_.state == "open" and round_.opened_at is not None
    assert round_.returns.count() == Partner.objects.count()
    assert all(report.versions.filter(number=0).exists() for report in round_.returns.all())
    assert "Stocktaking 2029 is open: every partner has its return" in page.content.decode()


def test_an_opened_round_does_not_go_back_to_being_prepared(client, secretariat, open_round):
    client.force_login(secretariat)
    data = round_form(open_round.indicators.all(), name=open_round.name, slug=open_round.slug, first_year="2024",
                      last_year="2026", deadline=open_round.deadline.isoformat(), state="draft",
                      **{"questions-TOTAL_FORMS": "0"})

    page = client.post(f"{LIST}{open_round.pk}/change/", data)

    assert page.status_code == 200
    assert "A round that has opened cannot go back to being prepared" in page.content.decode()
    open_round.refresh_from_db()
    assert open_round.state == "open"


# Opening and closing from the list ---------------------------------------------------------------------------------


def test_the_secretariat_opens_and_closes_a_round_from_the_list(client, secretariat, draft_round):
    client.force_login(secretariat)

    client.post(LIST, {"action": "open_rounds", "_selected_action": [draft_round.pk]})
    draft_round.refresh_from_db()
    assert draft_round.state == "open"
    assert draft_round.returns.count() == 53

    page = client.post(LIST, {"action": "close_rounds", "_selected_action": [draft_round.pk]}, follow=True)
    draft_round.refresh_from_db()
    assert draft_round.state == "closed"
    assert "Stocktaking 2029 is closed" in page.content.decode()


def test_opening_a_round_that_asks_for_nothing_says_why_and_leaves_it_as_it_was(client, secretariat, draft_round):
    draft_round.indicators.clear()
    Round.objects.filter(pk=draft_round.pk).update(includes_flows=False)
    client.force_login(secretariat)

    page = client.post(LIST, {"action": "open_rounds", "_selected_action": [draft_round.pk]}, follow=True)

    assert "Stocktaking 2029 is still being prepared: The round asks for nothing" in page.content.decode()
    draft_round.refresh_from_db()
    assert draft_round.state == "draft"
    assert not draft_round.returns.exists()


@pytest.mark.parametrize("who", ["anonymous", "alice"])
def test_nobody_but_the_secretariat_prepares_or_opens_a_round(client, alice, reported_indicators, draft_round, who):
    if who == "alice":
        client.force_login(alice)

    assert client.get(ADD).status_code == 302
    adding = client.post(ADD, round_form(reported_indicators.values(), name="Other", slug="other", state="open"))
    opening = client.post(LIST, {"action": "open_rounds", "_selected_action": [draft_round.pk]})

    assert adding.status_code == opening.status_code == 302
    assert adding["Location"].startswith("/admin/login/")
    assert list(Round.objects.values_list("slug", "state")) == [("stocktaking-2029", "draft")]
    assert not Return.objects.exists() and not Question.objects.exists()


# Returns, reminders and refused emails: read ------------------------------------------------------------------------


def test_the_secretariat_reads_a_return_and_finds_its_review_page(client, secretariat, de_return):
    client.force_login(secretariat)

    listing = client.get("/admin/reporting/return/?q=Germany")
    change = client.get(f"/admin/reporting/return/{de_return.pk}/change/")

    assert listing.status_code == change.status_code == 200
    assert f'href="/workspace/returns/{de_return.pk}/review/"' in listing.content.decode()
    assert f'href="/workspace/returns/{de_return.pk}/review/"' in change.content.decode()
    assert client.get("/admin/reporting/return/add/").status_code == 403
    assert client.get(f"/admin/reporting/return/{de_return.pk}/delete/").status_code == 403


def test_the_admin_changes_nothing_of_a_return(client, secretariat, de_return):
    client.force_login(secretariat)

    page = client.post(f"/admin/reporting/return/{de_return.pk}/change/", {"state": "approved", "version": 9})

    assert page.status_code == 403
    de_return.refresh_from_db()
    assert (de_return.state, de_return.version) == ("draft", 0)


def test_reminders_are_read_only(client, secretariat, de_return):
    reminder = Reminder.objects.create(report=de_return, threshold="before-14", recipients="alice@example.org")
    client.force_login(secretariat)

    assert client.get("/admin/reporting/reminder/").status_code == 200
    assert client.post(f"/admin/reporting/reminder/{reminder.pk}/change/", {"threshold": "x"}).status_code == 403
    assert client.post(f"/admin/reporting/reminder/{reminder.pk}/delete/", {"post": "yes"}).status_code == 403
    reminder.refresh_from_db()
    assert reminder.threshold == "before-14"


@pytest.mark.parametrize("who", ["anonymous", "alice"])
def test_nobody_but_the_secretariat_reads_returns_or_reminders(client, alice, de_return, who):
    if who == "alice":
        client.force_login(alice)

    for address in ("/admin/reporting/return/", f"/admin/reporting/return/{de_return.pk}/change/",
                    "/admin/reporting/reminder/", "/admin/reporting/undeliveredreturnemail/"):
        assert client.get(address).status_code == 302


def test_the_secretariat_sends_a_refused_email_again(client, secretariat, de_return, alice):
    undelivered = UndeliveredReturnEmail.objects.create(report=de_return, event="returned",
                                                        recipients="alice@example.org", error="Refused")
    client.force_login(secretariat)

    page = client.post("/admin/reporting/undeliveredreturnemail/",
                       {"action": "send_again", "_selected_action": [undelivered.pk]}, follow=True)

    assert "Sending 1 email again" in page.content.decode()
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]
    assert not UndeliveredReturnEmail.objects.exists()


@pytest.mark.parametrize("who", ["anonymous", "alice"])
def test_nobody_else_sends_a_refused_email_again(client, alice, de_return, who):
    undelivered = UndeliveredReturnEmail.objects.create(report=de_return, event="returned",
                                                        recipients="alice@example.org", error="Refused")
    if who == "alice":
        client.force_login(alice)

    page = client.post("/admin/reporting/undeliveredreturnemail/",
                       {"action": "send_again", "_selected_action": [undelivered.pk]})

    assert page.status_code == 302
    assert mail.outbox == []
    assert UndeliveredReturnEmail.objects.exists()
