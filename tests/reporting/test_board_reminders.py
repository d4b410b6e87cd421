"""The board's reminder column when a round has sent many: the count and the latest, found by the database."""

import csv
import datetime
import io

from django.utils import timezone

from reporting.board import board
from reporting.models import Reminder
from tests.csv_files import without_licence

BOARD = "/rounds/stocktaking-2027/board/"


def send(report, count: int, *, start: datetime.datetime) -> None:
    """count reminders, a day apart from start, the newest last; their ids do not follow their dates."""
    Reminder.objects.bulk_create(
        Reminder(report=report, threshold=f"manual-{n:03d}", recipients="x@example.org",
                 sent_at=start + datetime.timedelta(days=n))
        for n in reversed(range(count)))


def cell(page: str, code: str) -> str:
    """The reminders' cell of the partner's row: its seventh after the partner's name."""
    return page.split(f'<tr id="partner-{code}">')[1].split("</tr>")[0].split("<td")[7]


def test_the_board_counts_every_reminder_and_dates_the_latest(de_return, th_return, client, secretariat):
    start = timezone.make_aware(datetime.datetime(2026, 1, 1, 9))
    send(de_return, 60, start=start)
    send(th_return, 1, start=start)
    client.force_login(secretariat)

    page = client.get(BOARD).content.decode()

    assert "60 sent" in cell(page, "DE")
    assert "last 1 Mar 2026" in cell(page, "DE")  # the 60th, 59 days after the first
    assert "1 sent" in cell(page, "TH")
    assert "last 1 Jan 2026" in cell(page, "TH")
    assert "None" in cell(page, "FR")


def test_the_boards_csv_counts_every_reminder_and_names_the_latest(de_return, client, secretariat):
    send(de_return, 45, start=timezone.make_aware(datetime.datetime(2026, 2, 1, 9)))
    client.force_login(secretariat)

    response = client.get(BOARD, {"format": "csv"})

    rows = list(csv.DictReader(io.StringIO(without_licence(b"".join(response.streaming_content).decode()))))
    germany = next(row for row in rows if row["partner"] == "DE")
    assert germany["reminders_sent"] == "45"
    assert germany["last_reminder"] == "manual-044 2026-03-17"


def test_the_board_reads_no_more_reminders_than_one_a_return(de_return, th_return, secretariat,
                                                             django_assert_num_queries):
    start = timezone.make_aware(datetime.datetime(2026, 1, 1, 9))
    send(de_return, 40, start=start)
    send(th_return, 3, start=start)
    round_ = de_return.round

    # Expect 6 queries: the round's indicators, its questions, the returns with their counts, the focal points,
    # each return's latest reminder (two, not 43), the partners
    with django_assert_num_queries(6):
        rows = {row.partner.code: row for row in board(round_).rows}

    assert (rows["DE"].reminder_count, rows["DE"].last_reminder.threshold) == (40, "manual-039")
    assert (rows["TH"].reminder_count, rows["TH"].last_reminder.threshold) == (3, "manual-002")
    assert rows["DE"].reminders == []  # only the API asks for every one


def test_the_api_still_lists_every_reminder_newest_first(de_return, client, secretariat):
    send(de_return, 5, start=timezone.make_aware(datetime.datetime(2026, 1, 1, 9)))
    client.force_login(secretariat)

    results = client.get("/api/v1/rounds/stocktaking-2027/board/").json()["results"]

    germany = next(row for row in results if row["partner"] == "DE")
    assert [reminder["threshold"] for reminder in germany["reminders"]] == [f"manual-{n:03d}" for n in (4, 3, 2, 1, 0)]
