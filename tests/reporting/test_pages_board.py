"""The secretariat's board of a round: who has reported, filtered and sorted, as a CSV too, with a reminder button."""

import csv
import io

import pytest
from django.core import mail

from reporting.models import Reminder, Return, ReturnValue, Round
from tests.csv_files import without_licence

BOARD = "/rounds/stocktaking-2027/board/"


def remind_url(report) -> str:
    return f"{BOARD}{report.pk}/remind/"


def rows_shown(page: str) -> list[str]:
    return [chunk.split('"', 1)[0] for chunk in page.split('<tr id="partner-')[1:]]


def test_an_anonymous_visitor_is_sent_to_sign_in(open_round, client):
    response = client.get(BOARD)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/sign-in/?next={BOARD}"


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_a_focal_point_is_refused(open_round, client, alice, bob, who):
    client.force_login({"alice": alice, "bob": bob}[who])

    response = client.get(BOARD)

    assert response.status_code == 403
    assert "Only the secretariat sees who has reported in a round." in response.content.decode()


def test_the_secretariat_sees_every_partner_with_the_totals(open_round, client, secretariat, alice):
    Return.objects.filter(round=open_round, partner__code="TH").update(state=Return.State.SUBMITTED)
    client.force_login(secretariat)

    response = client.get(BOARD)

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert len(rows_shown(page)) == 53
    assert '<span class="state state-draft">Draft</span></a><span class="count">52</span>' in page
    assert '<span class="state state-submitted">Submitted</span></a><span class="count">1</span>' in page
    assert "53 partners shown of 53" in page
    germany = page.split('<tr id="partner-DE">')[1].split("</tr>")[0]
    assert '0 / 9 <span class="muted">(0 %)</span>' in germany
    assert 'alice <a href="mailto:alice@example.org">alice@example.org</a>' in germany
    assert f'href="/workspace/returns/{Return.objects.get(round=open_round, partner__code="DE").pk}/review/"' in germany
    assert "Send a reminder" in germany
    france = page.split('<tr id="partner-FR">')[1].split("</tr>")[0]
    assert "No focal point with an email: no reminder reaches it." in france
    assert "Send a reminder" not in france
    thailand = page.split('<tr id="partner-TH">')[1].split("</tr>")[0]
    assert "Send a reminder" not in thailand  # submitted: it is with the secretariat


def test_it_filters_by_state_and_region(open_round, client, secretariat):
    Return.objects.filter(round=open_round, partner__code__in=["TH", "DE", "JP"]).update(
        state=Return.State.SUBMITTED)
    client.force_login(secretariat)

    page = client.get(BOARD, {"state": "submitted", "region": "asia"}).content.decode()

    assert rows_shown(page) == ["JP", "TH"]
    assert "2 partners shown of 53" in page
    assert '<option value="submitted" selected>Submitted</option>' in page


def test_it_sorts_by_the_share_filled_and_the_link_turns_it_round(de_return, th_return, client, secretariat):
    indicator = de_return.round.indicators.get(code="2.2.p")
    ReturnValue.objects.create(report=de_return, indicator=indicator, year=2024, value=3)
    for year in (2024, 2025):
        ReturnValue.objects.create(report=th_return, indicator=indicator, year=year, value=3)
    client.force_login(secretariat)

    page = client.get(BOARD, {"order": "-filled"}).content.decode()

    assert rows_shown(page)[:2] == ["TH", "DE"]
    assert 'aria-sort="descending"><a href="?order=filled">Values filled</a>' in page
    assert rows_shown(client.get(BOARD, {"order": "filled"}).content.decode())[-1] == "TH"


def test_a_filter_it_cannot_use_is_named_and_left_out(open_round, client, secretariat):
    client.force_login(secretariat)

    response = client.get(BOARD, {"state": "lost", "order": "colour"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Some filters could not be used" in page
    assert "<strong>State:</strong> Select a valid choice. lost is not one of the available choices." in page
    assert len(rows_shown(page)) == 53


def test_the_board_downloads_as_csv(de_return, client, secretariat, alice):
    Return.objects.filter(pk=de_return.pk).update(state=Return.State.RETURNED)
    client.force_login(secretariat)

    response = client.get(BOARD, {"format": "csv", "region": "europe"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="stocktaking-2027-board.csv"'
    rows = list(csv.DictReader(io.StringIO(without_licence(b"".join(response.streaming_content).decode()))))
    assert len(rows) == 31
    germany = next(row for row in rows if row["partner"] == "DE")
    assert germany["state"] == "returned"
    assert (germany["values_filled"], germany["values_requested"], germany["percent_filled"]) == ("0", "9", "0")
    assert germany["emails"] == "alice@example.org"
    assert germany["review"] == f"http://testserver/workspace/returns/{de_return.pk}/review/"


def test_a_csv_with_a_bad_filter_is_refused_in_words(open_round, client, secretariat):
    client.force_login(secretariat)

    response = client.get(BOARD, {"format": "csv", "region": "africa"})

    assert response.status_code == 400
    assert "Region: Select a valid choice. africa is not one of the available choices." in response.content.decode()


def test_the_csv_is_the_secretariats_only(open_round, client, alice):
    client.force_login(alice)

    assert client.get(BOARD, {"format": "csv"}).status_code == 403


def test_a_demonstration_round_carries_the_demo_banner(open_round, client, secretariat):
    Round.objects.filter(pk=open_round.pk).update(is_demo=True)
    client.force_login(secretariat)

    assert 'class="demo-banner"' in client.get(BOARD).content.decode()


def test_the_board_costs_the_same_queries_however_much_is_reported(de_return, th_return, client, secretariat,
                                                                   django_assert_num_queries):
    client.force_login(secretariat)
    # Expect 10 queries: the session, the user, the Secretariat group check, the round, and the board's six (the
    # round's indicators and questions, the returns with their counts and last editors, the focal points, the
    # reminders, the partners)
    with django_assert_num_queries(10):
        client.get(BOARD)
    ReturnValue.objects.create(report=de_return, indicator=de_return.round.indicators.first(), year=2024, value=1)
    Reminder.objects.create(report=th_return, threshold="before-14", recipients="bob@example.org")
    Return.objects.filter(pk=th_return.pk).update(state=Return.State.SUBMITTED, updated_by=secretariat)
    with django_assert_num_queries(10):
        client.get(BOARD)


# The reminder button ------------------------------------------------------------------------------------------------


def test_an_anonymous_reminder_is_sent_to_sign_in_and_sends_nothing(de_return, client, alice):
    response = client.post(remind_url(de_return))

    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")
    assert not Reminder.objects.exists() and mail.outbox == []


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_a_focal_point_cannot_send_a_reminder(de_return, client, alice, bob, who):
    client.force_login({"alice": alice, "bob": bob}[who])

    response = client.post(remind_url(de_return))

    assert response.status_code == 403
    assert "Only the secretariat may send a reminder." in response.content.decode()
    assert not Reminder.objects.exists() and mail.outbox == []


def test_the_secretariat_reminds_a_partner_and_comes_back_to_the_board_as_filtered(
        de_return, client, secretariat, alice, django_capture_on_commit_callbacks):
    client.force_login(secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url(de_return), {"region": "europe", "order": "-filled"})

    assert response.status_code == 302
    assert response["Location"] == f"{BOARD}?region=europe&order=-filled#partner-DE"
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    page = client.get(response["Location"]).content.decode()
    assert "Reminded Germany&#x27;s focal points: alice@example.org." in page
    assert "1 sent" in page.split('<tr id="partner-DE">')[1].split("</tr>")[0]


def test_a_second_reminder_the_same_day_is_refused_in_words(de_return, client, secretariat, alice,
                                                            django_capture_on_commit_callbacks):
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remind_url(de_return))
        response = client.post(remind_url(de_return), follow=True)

    assert "Germany was already reminded today." in response.content.decode()
    assert len(mail.outbox) == 1


def test_a_reminder_for_another_rounds_return_is_not_found(de_return, client, secretariat):
    client.force_login(secretariat)

    assert client.post(f"/rounds/another-round/board/{de_return.pk}/remind/").status_code == 404
    assert client.get(remind_url(de_return)).status_code == 405


def test_a_reminder_in_a_demonstration_round_is_recorded_and_mails_nobody(de_return, client, secretariat, alice,
                                                                          django_capture_on_commit_callbacks):
    Round.objects.filter(pk=de_return.round_id).update(is_demo=True)
    client.force_login(secretariat)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remind_url(de_return), follow=True)

    assert "a demonstration round emails nobody" in response.content.decode()
    assert Reminder.objects.filter(report=de_return).exists()
    assert mail.outbox == []


def test_a_round_being_prepared_has_a_board_that_says_so(open_round, client, secretariat):
    Round.objects.filter(pk=open_round.pk).update(state=Round.State.DRAFT)
    client.force_login(secretariat)

    page = client.get(BOARD).content.decode()

    assert "This round is being prepared: partners see nothing of it until it is opened." in page
    assert f'href="/admin/reporting/round/{open_round.pk}/change/">Prepare and open the round</a>' in page
    assert "Send a reminder" not in page


def test_each_rows_reminder_form_keeps_the_boards_filters_and_names_are_escaped(de_return, client, secretariat,
                                                                                alice):
    alice.first_name, alice.last_name = "Alice <b>", "O'Neil"
    alice.save()
    client.force_login(secretariat)

    page = client.get(BOARD, {"region": "europe", "order": "-filled"}).content.decode()

    germany = page.split('<tr id="partner-DE">')[1].split("</tr>")[0]
    assert f'<form method="post" action="{remind_url(de_return)}"><input type="hidden" name="csrfmiddlewaretoken"' \
        in germany
    assert ('<input type="hidden" name="region" value="europe"><input type="hidden" name="order" value="-filled">'
            in germany)
    assert 'Alice &lt;b&gt; O&#x27;Neil <a href="mailto:alice@example.org">' in germany
    assert '<span class="visually-hidden"> to Germany</span></button></form>' in germany
