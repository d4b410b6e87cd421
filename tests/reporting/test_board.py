"""The secretariat's board of a round: one row per partner, what each has filled in, whom a reminder reaches."""

import pytest

from partners.models import Partner
from reporting.board import board
from reporting.models import Answer, Question, Reminder, Return, ReturnFlow, ReturnValue
from tests import factories


def fill(report, *, values=(), flows=0, answers=()):
    indicators = {i.aggregation: i for i in report.round.indicators.all()}
    for aggregation, year in values:
        ReturnValue.objects.create(report=report, indicator=indicators[aggregation], year=year, value=1)
    for n in range(flows):
        ReturnFlow.objects.create(report=report, year=2025, origin=report.partner,
                                  destination=Partner.objects.exclude(pk=report.partner_id)[n],
                                  level="higher_education", participants=10)
    for number in answers:
        Answer.objects.create(report=report, question=Question.objects.get(round=report.round, number=number),
                              text="Much happened.")


def row_of(result, code):
    return next(row for row in result.rows if row.partner.code == code)


def test_it_has_a_row_for_every_partner_and_counts_them_by_state(open_round):
    Return.objects.filter(round=open_round, partner__code__in=["JP", "CN"]).update(state=Return.State.SUBMITTED)
    Return.objects.filter(round=open_round, partner__code="FR").update(state=Return.State.APPROVED)

    result = board(open_round)

    assert len(result.rows) == 53
    assert result.totals == {"draft": 50, "submitted": 2, "approved": 1}
    assert ("returned", "Returned", 0) in result.totals_in_words
    assert [row.partner.name for row in result.rows] == sorted(
        (row.partner.name for row in result.rows), key=str.casefold)


def test_it_counts_the_values_asked_that_the_return_holds(de_return):
    fill(de_return, values=[("sum", 2024), ("sum", 2025), ("mean", 2026)], flows=2, answers=[1])
    # A value for a year the round does not ask for is no part of what it asked.
    ReturnValue.objects.create(report=de_return, indicator=de_return.round.indicators.first(), year=2023, value=5)

    row = row_of(board(de_return.round), "DE")

    assert (row.values_filled, row.values_requested, row.percent_filled) == (3, 9, 33)
    assert (row.flows, row.answers, row.questions) == (2, 1, 2)


def test_an_empty_answer_is_not_an_answer_given(de_return):
    Answer.objects.create(report=de_return, question=de_return.round.questions.get(number=2), text="")

    assert row_of(board(de_return.round), "DE").answers == 0


def test_it_names_who_changed_the_return_last(de_return, alice):
    alice.first_name, alice.last_name = "Alice", "Adler"
    alice.save()
    de_return.updated_by = alice
    de_return.save()

    row = row_of(board(de_return.round), "DE")

    assert row.updated_by == "Alice Adler"
    assert row.updated_at == de_return.updated_at


def test_it_lists_the_active_focal_points_a_reminder_reaches(de_return, alice):
    gone = factories.focal_point("gerd", de_return.partner)
    gone.is_active = False
    gone.save()
    factories.focal_point("nomail", de_return.partner).__class__.objects.filter(username="nomail").update(email="")

    row = row_of(board(de_return.round), "DE")

    assert [point.name for point in row.focal_points] == ["alice", "nomail"]
    assert row.addresses == ["alice@example.org"]
    assert row_of(board(de_return.round), "FR").addresses == []


def test_it_lists_the_reminders_sent_newest_first(de_return, secretariat):
    Reminder.objects.create(report=de_return, threshold="before-14", recipients="alice@example.org")
    Reminder.objects.create(report=de_return, threshold="manual-2027-01-05", recipients="alice@example.org",
                            sent_by=secretariat)

    row = row_of(board(de_return.round, every_reminder=True), "DE")

    assert [reminder.threshold for reminder in row.reminders] == ["manual-2027-01-05", "before-14"]
    assert row.last_reminder.sent_by == secretariat


def test_it_filters_by_state_and_region_and_keeps_the_totals_of_the_whole_round(open_round):
    Return.objects.filter(round=open_round, partner__code__in=["TH", "DE"]).update(state=Return.State.SUBMITTED)

    result = board(open_round, state="submitted", region="asia")

    assert [row.partner.code for row in result.rows] == ["TH"]
    assert result.totals["draft"] == 51
    assert len(board(open_round, region="europe").rows) == 31


def test_it_sorts_by_share_filled_or_last_change_either_way(de_return, th_return):
    fill(de_return, values=[("sum", 2024)])
    fill(th_return, values=[("sum", 2024), ("sum", 2025)])

    assert [row.partner.code for row in board(de_return.round, order="-filled").rows[:2]] == ["TH", "DE"]
    assert board(de_return.round, order="filled").rows[-1].partner.code == "TH"
    de_return.save()  # changed last
    assert board(de_return.round, order="-changed").rows[0].partner.code == "DE"
    assert board(de_return.round, order="-partner").rows[0].partner.name == "Viet Nam"


def test_a_partner_without_a_return_shows_as_such(open_round):
    Return.objects.filter(round=open_round, partner__code="TH").delete()

    result = board(open_round, state="none")

    assert [(row.partner.code, row.state_label, row.remindable) for row in result.rows] == [
        ("TH", "No return", False)]
    assert result.totals["none"] == 1


@pytest.mark.parametrize("asked", [{"state": "lost"}, {"region": "africa"}, {"order": "-colour"}])
def test_an_unknown_filter_or_order_is_refused_by_name(open_round, asked):
    with pytest.raises(ValueError, match=next(iter(asked))):
        board(open_round, **asked)


def test_it_costs_the_same_queries_whatever_the_partners_have_filled(open_round, de_return, th_return,
                                                                     django_assert_num_queries):
    # Expect 6 queries: the round's indicators, its questions, the returns with their counts and last editors, the
    # focal points, each return's latest reminder, the partners
    with django_assert_num_queries(6):
        board(open_round)
    fill(de_return, values=[("sum", 2024), ("mean", 2025)], flows=3, answers=[1, 2])
    fill(th_return, values=[("count", 2026)], flows=1)
    Reminder.objects.create(report=th_return, threshold="before-3", recipients="bob@example.org")
    with django_assert_num_queries(6):
        rows = board(open_round).rows
        # Reading every row's fields costs nothing more.
        [(row.updated_by, row.addresses, row.last_reminder, row.state_label) for row in rows]
