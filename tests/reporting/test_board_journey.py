"""A whole round for the 53 partners, as the secretariat runs it: opened, watched on the board, the rest reminded,
a return reviewed and approved, and the public page saying so."""

import datetime

from django.core import mail
from django.utils import timezone

from reporting import services
from reporting.models import Question, Return, Round

BOARD = "/rounds/stocktaking-2027/board/"


def test_the_secretariat_runs_a_round_from_the_board(reported_indicators, client, secretariat, alice, bob,
                                                     django_capture_on_commit_callbacks):
    round_ = Round.objects.create(name="Stocktaking 2027", slug="stocktaking-2027", first_year=2024, last_year=2026,
                                  deadline=timezone.localdate() + datetime.timedelta(days=21))
    round_.indicators.set(reported_indicators.values())
    Question.objects.create(round=round_, number=1, text="What were the highlights?", required=True)
    client.force_login(secretariat)
    assert "This round is being prepared" in client.get(BOARD).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.open_round(round=round_, user=secretariat)
        # Germany fills in its return and submits it.
        germany = Return.objects.get(round=round_, partner__code="DE")
        germany = services.save_return(report=germany, user=alice, version=germany.version,
                                       values={("2.2.p", 2025): 12, ("3.3.p", 2025): 61.5},
                                       answers={1: "A new national TVET strategy."})
        services.submit_return(report=germany, user=alice, version=germany.version)
    mail.outbox.clear()

    board = client.get(BOARD).content.decode()
    assert '<span class="state state-submitted">Submitted</span></a><span class="count">1</span>' in board
    assert '<span class="state state-draft">Draft</span></a><span class="count">52</span>' in board
    germany_row = board.split('<tr id="partner-DE">')[1].split("</tr>")[0]
    assert "2 / 9" in germany_row and "1 / 1" in germany_row

    # The rest are reminded: Thailand has a focal point to reach.
    thailand = Return.objects.get(round=round_, partner__code="TH")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{BOARD}{thailand.pk}/remind/")
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_return(report=germany, user=secretariat)

    assert "Approved" in client.get(BOARD).content.decode().split('<tr id="partner-DE">')[1].split("</tr>")[0]
    client.logout()
    public = client.get("/rounds/stocktaking-2027/").content.decode()
    assert "1 partner of 53" in public
    assert "A new national TVET strategy." not in public  # the public page names who, not what
