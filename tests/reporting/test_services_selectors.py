"""The reads over returns: the review queue with what each submission changes and the flows both ends reported
differently, a return's history, and a focal point's returns."""

import datetime

import pytest
from django.utils import timezone

from partners.models import Partner
from reporting import selectors, services
from reporting.models import Return, Round
from tests import factories


def submit(report, user, *, values=None, flows=None):
    services.save_return(report=report, user=user, version=report.version, values=values or {}, flows=flows,
                         answers={1: "Highlights"})
    return services.submit_return(report=report, user=user, version=report.version)


def flow(**fields) -> dict:
    return {"year": 2025, "origin": "TH", "destination": "DE", "mode": "physical", "level": "higher_education",
            "participants": 120, **fields}


def test_the_queue_holds_submissions_oldest_first_with_what_approving_each_would_change(
        de_return, th_return, alice, bob):
    submit(th_return, bob, values={("2.2.p", 2025): 8})
    submit(de_return, alice, values={("2.2.p", 2025): 12})
    Return.objects.filter(pk=th_return.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=1))

    queue = selectors.review_queue()

    assert [submission.report.partner.code for submission in queue] == ["TH", "DE"]
    assert [str(change) for change in queue[1].changes] == [
        "2.2.p TVET programmes co-designed with industry, 2025: – → 12",
        "Answer 1: What were the highlights?: answered",
    ]


def test_a_flow_the_other_end_reported_with_another_figure_is_shown_in_review(de_return, alice):
    germany, thailand = Partner.objects.get(code="DE"), Partner.objects.get(code="TH")
    factories.MobilityFlowFactory(year=2025, origin=thailand, destination=germany, mode="physical",
                                  level="higher_education", programme="", participants=100,
                                  reported_by=thailand)
    submit(de_return, alice, flows=[flow(), flow(level="tvet")])

    [submission] = selectors.review_queue(pk=de_return.pk)

    assert [str(conflict) for conflict in submission.conflicts] == [
        "Flow 2025, Thailand → Germany, physical, Higher education: this return says 120, Thailand reported 100; "
        "Germany's figure is the public one."
    ]


def test_the_queue_reads_a_fixed_number_of_queries_whatever_its_length(open_round, alice,
                                                                       django_assert_num_queries):
    reports = list(open_round.returns.select_related("partner")[:4])
    for report in reports:
        user = factories.focal_point(f"fp-{report.partner.code.lower()}", report.partner)
        submit(report, user, values={("2.2.p", 2025): 5, ("3.3.p", 2026): 40},
               flows=[flow(origin=report.partner.code, destination="FR" if report.partner.code != "FR" else "DE")])

    # The returns; the rounds' indicators and questions; their values, answers and flows; the partners' public values
    # and reported flows (and approved answers: none approved, no query); the other ends' flows; the partners' names
    with django_assert_num_queries(10):
        queue = selectors.review_queue()
    assert len(queue) == 4
    Return.objects.filter(pk=reports[0].pk).update(state=Return.State.DRAFT)
    with django_assert_num_queries(10):
        assert len(selectors.review_queue(round=open_round)) == 3


def test_the_history_shows_each_version_with_who_saved_it_and_what_changed_and_each_decision(
        de_return, alice, secretariat):
    submit(de_return, alice, values={("2.2.p", 2025): 12})
    services.return_return(report=de_return, user=secretariat, note="Add 2026.")
    services.save_return(report=de_return, user=alice, version=de_return.version, values={("2.2.p", 2026): 13})

    history = selectors.return_history(de_return)

    assert [(event.kind, event.number, event.user.username) for event in history] == [
        ("saved", 2, "alice"), ("returned", None, "sam"), ("submitted", None, "alice"), ("saved", 1, "alice"),
    ]
    assert [str(change) for change in history[0].changes] == [
        "2.2.p TVET programmes co-designed with industry, 2026: – → 13"]
    assert history[1].note == "Add 2026."


def test_a_focal_point_sees_the_returns_of_its_partners_in_rounds_that_have_opened(open_round, de_return, alice,
                                                                                   bob):
    Round.objects.create(name="Next", slug="next", first_year=2027, last_year=2027, deadline="2028-03-01")
    services.save_return(report=de_return, user=alice, version=0, values={("2.2.p", 2025): 12},
                         answers={1: "Highlights", 2: ""}, flows=[flow()])

    [mine] = selectors.partner_returns(alice)

    assert (mine.partner.code, mine.value_count, mine.flow_count, mine.answer_count) == ("DE", 1, 1, 1)
    assert [report.partner.code for report in selectors.partner_returns(bob)] == ["TH"]


@pytest.mark.parametrize("who", ["anonymous", "secretariat"])
def test_nobody_but_a_focal_point_has_returns_of_their_own(open_round, secretariat, who):
    from django.contrib.auth.models import AnonymousUser

    user = {"anonymous": AnonymousUser(), "secretariat": secretariat}[who]
    assert list(selectors.partner_returns(user)) == []
