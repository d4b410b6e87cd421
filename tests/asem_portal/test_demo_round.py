"""The demo's reporting rounds: partners' own values behind five indicators, and returns in every state."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from asem_portal.demo_round import APPROVED, CLOSED_ROUND, DRAFTS, OPEN_ROUND, RETURNED, SUBMITTED
from asem_portal.official_statistics import OECD_SOURCE
from mobility.models import MobilityFlow
from objectives.models import Indicator, Objective, Observation
from partners.models import Partner
from reporting.models import Answer, Question, Reminder, Return, ReturnValue, ReturnVersion, Round
from tests import factories

REPORTED = {"2.1.a": "count", "2.2.a": "sum", "3.3.a": "mean", "3.4.a": "sum", "4.1.a": "count"}


@pytest.fixture
def demo(demo_data):
    """The real strategy and the demo data (tests/conftest.py)."""


def open_round() -> Round:
    return Round.objects.get(name=OPEN_ROUND)


def test_five_demo_indicators_are_reported_by_the_partners_each_by_its_rule(demo):
    demo_indicators = Indicator.objects.filter(is_demo=True)
    reported = dict(demo_indicators.exclude(aggregation="asem").values_list("code", "aggregation"))

    assert reported == REPORTED
    assert "1 for yes, 0 for no" in Indicator.objects.get(code="2.1.a").methodology


def test_the_asem_value_of_each_year_is_made_from_the_partners_values_and_rests_on_fewer_than_all(demo):
    for code, rule in REPORTED.items():
        indicator = Indicator.objects.get(code=code)
        asem = {o.year: o for o in indicator.observations.filter(partner=None, breakdown="")}
        years = sorted(asem)
        assert years[0] == indicator.baseline_year + 1 and years[-1] == 2026, code
        for year in years:
            partners = dict(indicator.observations.filter(partner__isnull=False, year=year, breakdown="")
                            .values_list("partner__code", "value"))
            if rule == "sum":
                expected = sum(partners.values())
            elif rule == "mean":
                expected = sum(partners.values()) / len(partners)
            else:
                expected = sum(1 for value in partners.values() if value >= 1)
            assert asem[year].value == pytest.approx(expected), (code, year)
            assert asem[year].coverage == len(partners) < 53, (code, year)
            assert asem[year].is_computed
        # The baseline is the same rule over the partners' values of the baseline year: a series without a jump.
        assert indicator.baseline_value == pytest.approx(asem[years[0]].value, rel=0.35), code


def test_some_partners_never_report_and_counts_are_yes_or_no(demo):
    reporting = set(Observation.objects.filter(partner__isnull=False).values_list("partner", flat=True))

    assert 40 <= len(reporting) < Partner.objects.count() == 53
    for code in ("2.1.a", "4.1.a"):
        assert set(Observation.objects.filter(indicator__code=code, partner__isnull=False)
                   .values_list("value", flat=True)) == {0.0, 1.0}


def test_the_open_round_asks_for_2024_to_2026_by_a_deadline_a_few_weeks_ahead(demo):
    round_ = open_round()

    assert round_.state == Round.State.OPEN and round_.is_demo
    assert (round_.first_year, round_.last_year) == (2024, 2026)
    assert timezone.localdate() + datetime.timedelta(days=14) <= round_.deadline
    assert round_.deadline <= timezone.localdate() + datetime.timedelta(days=42)
    assert set(round_.indicators.values_list("code", flat=True)) == set(REPORTED)
    questions = list(round_.questions.values_list("number", "text", "required"))
    for (number, text, required), (expected, word) in zip(
            questions, [(1, "highlights"), (2, "challenges"), (3, "good practice"), (4, "plan")], strict=True):
        assert (number, word in text, required) == (expected, True, number == 1)


def test_the_open_round_has_a_return_for_every_partner_in_every_state(demo):
    returns = Return.objects.filter(round=open_round())

    assert returns.count() == 53 and not returns.filter(is_demo=False).exists()
    states = {state: returns.filter(state=state).count() for state in Return.State.values}
    assert states == {"approved": APPROVED, "submitted": SUBMITTED, "returned": RETURNED,
                      "draft": 53 - APPROVED - SUBMITTED - RETURNED}
    drafts = returns.filter(state=Return.State.DRAFT)
    assert drafts.filter(version__gt=0).count() == DRAFTS  # partly filled
    assert drafts.filter(version=0).count() == 53 - APPROVED - SUBMITTED - RETURNED - DRAFTS  # as the round opened
    for report in returns.filter(state=Return.State.RETURNED):
        assert report.review_note.startswith("Demo note: ")
    started = drafts.filter(version__gt=0)
    assert all(report.answers.count() == 1 for report in started)
    assert all(report.values.filter(year=2026).count() <= 2 for report in started)


def test_approved_returns_are_public_and_the_others_are_not(demo):
    returns = Return.objects.filter(round=open_round())

    for report in returns.filter(state=Return.State.APPROVED):
        assert report.approved_version == report.version
        asked = set(report.values.values_list("indicator__code", "year", "value"))
        public = set(Observation.objects.filter(partner=report.partner, year__gte=2024, breakdown="")
                     .values_list("indicator__code", "year", "value"))
        assert asked == public and any(year == 2026 for _code, year, _value in asked), report.partner.code
    for report in returns.exclude(state=Return.State.APPROVED):
        assert report.approved_version is None
        assert not Observation.objects.filter(partner=report.partner, year=2026).exists(), report.partner.code
    coverage = Observation.objects.get(indicator__code="2.2.a", partner=None, year=2026).coverage
    assert coverage == APPROVED


def test_the_open_rounds_returns_hold_the_partners_reported_flows_and_approving_keeps_them(demo):
    round_ = open_round()

    assert round_.includes_flows
    for report in Return.objects.filter(round=round_, partner__code__in=["DE", "FR", "TH", "JP", "CN"]):
        in_return = sorted(report.flows.values_list("year", "origin__code", "destination__code", "mode", "level",
                                                    "participants"))
        reported = sorted(MobilityFlow.objects.filter(reported_by=report.partner, year__gte=2024).values_list(
            "year", "origin__code", "destination__code", "mode", "level", "participants"))
        assert in_return == reported, report.partner.code
    assert not MobilityFlow.objects.filter(is_demo=False).exists()


def test_every_answer_says_it_is_a_demo_answer(demo):
    answers = Answer.objects.filter(report__round__is_demo=True)

    assert answers.count() > 100
    assert all(text.startswith("Demo answer: ") for text in answers.values_list("text", flat=True))
    for report in Return.objects.filter(round=open_round(), state=Return.State.APPROVED):
        assert report.answers.count() == 4


def test_the_closed_round_holds_the_2021_to_2023_values_already_public(demo):
    round_ = Round.objects.get(name=CLOSED_ROUND)

    assert round_.state == Round.State.CLOSED and round_.is_demo
    approved = round_.returns.filter(state=Return.State.APPROVED)
    assert 40 <= approved.count() < 53
    for report in approved[:10]:
        version = report.versions.get(number=report.approved_version)
        values = {f"{code}/{year}": value for code, year, value in report.values.values_list(
            "indicator__code", "year", "value")}
        assert version.content["values"] == values
        assert set(version.content["answers"]) == {"1", "2", "3", "4"}
        public = {f"{code}/{year}": value for code, year, value in Observation.objects.filter(
            partner=report.partner, year__in=[2021, 2022, 2023]).values_list("indicator__code", "year", "value")}
        assert public == values
    never = round_.returns.exclude(state=Return.State.APPROVED)
    assert never.count() == Reminder.objects.filter(report__round=round_, threshold="after-7").count()


def test_the_load_leaves_no_account_behind(demo):
    assert not get_user_model().objects.exists()


def test_demo_returns_email_nobody(strategy, django_capture_on_commit_callbacks, settings):
    settings.REVIEW_NOTIFY_EMAILS = ["review@example.org"]
    factories.focal_point("fiona", Partner.objects.get(code="FR"))
    sam = factories.UserFactory(username="sam", is_staff=True, email="sam@example.org", is_superuser=True)
    assert sam.email

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)

    assert Return.objects.filter(state=Return.State.SUBMITTED).exists()
    assert mail.outbox == []


def test_remove_takes_away_every_round_return_partner_value_and_reminder(demo):
    call_command("load_demo", "--remove", verbosity=0)

    for model in (Round, Return, Question, Answer, ReturnValue, ReturnVersion, Reminder):
        assert not model.objects.exists(), model.__name__
    # The partners' values left are the OECD's, which are real
    assert set(Observation.objects.filter(partner__isnull=False).values_list("source", flat=True)) == {OECD_SOURCE}
    assert Partner.objects.count() == 53
    assert Objective.objects.count() == 4


def test_a_second_load_gives_the_same_returns(demo):
    def returns():
        return sorted(Return.objects.values_list("round__name", "partner__code", "state", "version"))

    def values():
        return sorted(ReturnValue.objects.values_list("report__partner__code", "indicator__code", "year", "value"))

    first = returns(), values(), sorted(Answer.objects.values_list("report__partner__code", "text"))
    call_command("load_demo", verbosity=0)
    assert (returns(), values(), sorted(Answer.objects.values_list("report__partner__code", "text"))) == first
