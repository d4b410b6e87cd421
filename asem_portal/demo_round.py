"""The demonstration's reporting rounds: partners' own figures and returns in every state of the review.

Five demo indicators become indicators partners report (a count of partners saying yes, sums and a mean). Each
partner gets a seeded, plausible series of its own values for the past years, published as approved values, and
the ASEM series is made from them by objectives.services.recompute_partner_aggregates, saying how many partners it
rests on; some partners never report, so it rests on fewer than all.

Two rounds hold the returns: "Stocktaking 2024 (demo data)", closed, whose returns carry the 2021 to 2023 values
already published; and "Stocktaking 2027 (demo data)", open for 2024 to 2026 and due a few weeks from the day the
demo is loaded, where partners' returns stand in every state: approved, submitted, returned with a note, drafts
partly filled, and the rest as the round opened them, each with the partner's reported flows of the round's
years. The open round's returns go through the same services as a focal point's and the secretariat's
(reporting.services), so an approved return's values and flows are public exactly as a real one's would be.

The reviews need someone with the secretariat's rights: a transient account made for the load, which is inactive,
cannot sign in and is deleted before the load ends, so the demo leaves no account behind. Demonstration returns
email nobody. Everything here is is_demo (the rounds and their returns, the indicators and so their
observations), so remove_demo_round() and remove_demo() take it all away.
"""

import datetime
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from simple_history.utils import bulk_create_with_history

from objectives import progress
from objectives.models import Indicator, Observation
from objectives.services import PUBLISHED_NOTE, check_partner_value, recompute_partner_aggregates
from partners.models import Partner
from reporting import services as returns
from reporting.models import Answer, Question, Reminder, Return, ReturnValue, ReturnVersion, Round

SEED = 2027
# The last whole year before the demo's round: partners' values up to it are published already.
PAST_LAST_YEAR = 2025
PARTNERS_NEVER_REPORTING = 9

OPEN_ROUND = "Stocktaking 2027 (demo data)"
OPEN_YEARS = (2024, 2026)
DAYS_TO_DEADLINE = 24
CLOSED_ROUND = "Stocktaking 2024 (demo data)"
CLOSED_YEARS = (2021, 2023)
CLOSED_DEADLINE = datetime.date(2024, 3, 29)

# How many of the open round's returns stand in each state; the rest are as the round opened them.
APPROVED, SUBMITTED, RETURNED, DRAFTS = 6, 5, 3, 6

QUESTIONS = [
    (1, "What were the highlights of the years the round covers?",
     "Two or three results you are proudest of, with a figure where you have one.", True),
    (2, "What challenges did you meet?", "What slowed you down, and what would have helped.", False),
    (3, "What good practice would you share with the other partners?",
     "Something another partner could take up: what it is, who runs it, where to read more.", False),
    (4, "What do you plan for the next two years?", "", False),
]


@dataclass(frozen=True)
class Reported:
    """How one demo indicator is reported: its rule, and each partner's value in a year from its own profile."""

    code: str
    aggregation: str
    value: Callable[[dict, int], float]
    methodology: str


def _yes_from(key: str) -> Callable[[dict, int], float]:
    return lambda profile, year: 1.0 if year >= profile[key] else 0.0


def _growing(key: str, rate: str) -> Callable[[dict, int], float]:
    return lambda profile, year: profile[key] * (1 + profile[rate]) ** (year - 2019) * profile["noise"][year]


REPORTED = [
    Reported("2.1.a", Indicator.Aggregation.COUNT, _yes_from("lll_strategy"),
             "Each partner says whether it has a national lifelong learning strategy (1 for yes, 0 for no); the ASEM "
             "value counts the partners that say yes among those that reported."),
    Reported("2.2.a", Indicator.Aggregation.SUM, lambda p, year: round(_growing("tvet", "tvet_growth")(p, year)),
             "Each partner reports its TVET programmes co-designed with business and industry; the ASEM value is "
             "their sum over the partners that reported."),
    Reported("3.3.a", Indicator.Aggregation.MEAN,
             lambda p, year: round(min(99.0, p["digital"] + p["digital_gain"] * (year - 2019)
                                       + 3 * (p["noise"][year] - 1)), 1),
             "Each partner reports the share of its adults with basic digital skills; the ASEM value is the simple "
             "mean of the partners that reported, each weighing the same."),
    Reported("3.4.a", Indicator.Aggregation.SUM,
             lambda p, year: round(_growing("teachers", "teachers_growth")(p, year)),
             "Each partner reports the teachers it trained in future skills; the ASEM value is their sum over the "
             "partners that reported."),
    Reported("4.1.a", Indicator.Aggregation.COUNT, _yes_from("credit_transfer"),
             "Each partner says whether it applies a common credit transfer reference (1 for yes, 0 for no); the "
             "ASEM value counts the partners that say yes among those that reported."),
]

CHALLENGES = [
    "collecting the figures from the regional authorities took longer than planned, so the latest year is "
    "provisional",
    "teacher shortages outside the capital slowed the roll-out of the new courses",
    "employers were keen to co-design programmes but few could release staff to teach in them",
    "the recognition of short courses & micro-credentials still differs from one sector to the next",
]
PRACTICES = [
    "a national register of work-based learning places, open to providers in every region",
    "peer visits between vocational colleges of two partners, a week each way every year",
    "a shared reference for credits of short learning programmes, agreed with the universities' rectors",
    "free evening courses in basic digital skills run by public libraries",
]
PLANS = [
    "extend the lifelong learning strategy to adult learners in rural areas",
    "double the programmes designed with industry, starting with the green economy",
    "join the common credit transfer reference and pilot it with two universities",
    "train every new teacher in digital and future skills during their first year",
]


@dataclass
class DemoRounds:
    rounds: int = 0
    returns: int = 0
    partner_values: int = 0


def remove_demo_round() -> int:
    """Delete every demo round with its returns, answers, versions and reminders; how many rounds went."""
    # The partners' values of demo indicators go with the indicators themselves (remove_demo deletes them).
    return Round.objects.filter(is_demo=True).delete()[1].get("reporting.Round", 0)


def load_demo_round() -> DemoRounds:
    """Make the demo indicators partner-reported, publish the partners' past values and build the two rounds."""
    rng = random.Random(SEED)
    partners = list(Partner.objects.order_by("code"))
    indicators = {i.code: i for i in Indicator.objects.filter(is_demo=True, code__in=[r.code for r in REPORTED])}
    if len(indicators) < len(REPORTED):
        return DemoRounds()
    profiles = _profiles(rng, partners)
    series = _series(partners, profiles, indicators)
    _make_partner_reported(indicators, series)
    result = DemoRounds(partner_values=_publish(partners, indicators, series))
    reviewer = get_user_model()(username=f"demo-reviewer-{uuid.uuid4().hex[:12]}", is_active=False,
                                is_superuser=True, first_name="Demo", last_name="reviewer")
    reviewer.set_unusable_password()
    reviewer.save()
    result.returns += _closed_round(indicators, partners, series, rng)
    result.returns += _open_round(indicators, partners, series, profiles, rng, reviewer)
    _forget(reviewer)
    result.rounds = 2
    return result


def _forget(user) -> None:
    """Delete the transient reviewer, and its id from the history rows that copy a user without a constraint."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if (field.is_relation and field.related_model is type(user)
                    and field.remote_field.on_delete is models.DO_NOTHING and field.null):
                model._base_manager.filter(**{field.attname: user.pk}).update(**{field.attname: None})
    user.delete()


# The partners' figures ----------------------------------------------------------------------------------------


def _profiles(rng: random.Random, partners: list[Partner]) -> dict[int, dict]:
    never = {p.pk for p in rng.sample(partners, PARTNERS_NEVER_REPORTING)}
    profiles = {}
    for partner in partners:
        profiles[partner.pk] = {
            # How likely it is to send its figures in a year: most partners most years, a few never.
            "diligence": 0.0 if partner.pk in never else rng.uniform(0.75, 1.0),
            "lll_strategy": rng.choice([2010, 2015, 2018]) if rng.random() < 0.45 else rng.randrange(2021, 2036),
            "credit_transfer": 2015 if rng.random() < 0.25 else rng.randrange(2020, 2042),
            "tvet": rng.randrange(0, 8), "tvet_growth": rng.uniform(0.02, 0.09),
            "teachers": rng.randrange(20, 130), "teachers_growth": rng.uniform(-0.04, 0.02),
            "digital": rng.uniform(35, 80), "digital_gain": rng.uniform(0.4, 2.0),
            "noise": {year: rng.uniform(0.95, 1.05) for year in range(2019, OPEN_YEARS[1] + 1)},
            "reports": {year: rng.random() for year in range(2019, OPEN_YEARS[1] + 1)},
        }
    return profiles


def _series(partners, profiles, indicators) -> dict[tuple[int, str, int], float]:
    """{(partner id, indicator code, year): value} for every year a partner reports, up to the open round's last."""
    values = {}
    for partner in partners:
        profile = profiles[partner.pk]
        for spec in REPORTED:
            first = indicators[spec.code].baseline_year
            for year in range(first, OPEN_YEARS[1] + 1):
                if profile["reports"][year] < profile["diligence"]:
                    values[partner.pk, spec.code, year] = float(spec.value(profile, year))
    return values


def _make_partner_reported(indicators: dict[str, Indicator], series) -> None:
    """Each indicator's rule, and its baseline made from the partners' own values of the baseline year."""
    for spec in REPORTED:
        indicator = indicators[spec.code]
        baseline = {pk: value for (pk, code, year), value in series.items()
                    if code == spec.code and year == indicator.baseline_year}
        value, _coverage = progress.aggregate(baseline, rule=spec.aggregation)
        indicator.aggregation = spec.aggregation
        indicator.count_at_least = 1.0
        indicator.baseline_value = indicator.at_precision(value)
        indicator.methodology = spec.methodology + " Synthetic indicator defined for the demonstration."
        indicator.full_clean()
        indicator.save()
    # The hand-entered ASEM series gives way to the one made from the partners' values.
    Observation.objects.filter(indicator__in=indicators.values(), partner__isnull=True).delete()


def _publish(partners, indicators, series) -> int:
    """The partners' values of the past years, as their approvals published them, and the ASEM series made from them.

    The rows publish_partner_values() would write, checked by the same check_partner_value(), written at once with
    their history; then recompute_partner_aggregates() once. Publishing partner by partner would make the whole
    ASEM series again after each of some forty partners: seconds on every load, for the same rows.
    """
    rows = []
    for (pk, code, year), value in sorted(series.items()):
        indicator = indicators[code]
        if not indicator.baseline_year < year <= PAST_LAST_YEAR:
            continue
        if problems := check_partner_value(indicator=indicator, year=year, value=value):
            raise ValueError(f"{code}/{year}: {' '.join(problems)}")
        rows.append(Observation(indicator=indicator, partner_id=pk, year=year, value=value, note=PUBLISHED_NOTE))
    bulk_create_with_history(rows, Observation, default_change_reason=PUBLISHED_NOTE)
    recompute_partner_aggregates(indicators=indicators.values())
    return len(rows)


# The rounds ---------------------------------------------------------------------------------------------------


def _round(name: str, years: tuple[int, int], deadline: datetime.date, indicators, *, flows: bool) -> Round:
    round_ = Round(name=name, slug=slugify(name), first_year=years[0], last_year=years[1], deadline=deadline,
                   includes_flows=flows, is_demo=True)
    round_.full_clean()
    round_.save()
    round_.indicators.set(indicators.values())
    Question.objects.bulk_create(Question(round=round_, number=number, text=text, guidance=guidance,
                                          required=required) for number, text, guidance, required in QUESTIONS)
    return round_


def _answers(rng: random.Random, partner: Partner, series, year: int, how_many: int = 4) -> dict[int, str]:
    tvet = series.get((partner.pk, "2.2.a", year))
    teachers = series.get((partner.pk, "3.4.a", year))
    figures = []
    if tvet:
        figures.append(f"{tvet:,.0f} TVET programmes co-designed with industry")
    if teachers:
        figures.append(f"{teachers:,.0f} teachers trained in future skills")
    highlight = (f"in {year}, {partner.name} counted " + " and ".join(figures) if figures
                 else f"{partner.name} set up a working group on lifelong learning with its social partners")
    answers = {
        1: f"Demo answer: {highlight}.",
        2: f"Demo answer: {rng.choice(CHALLENGES)}.",
        3: f"Demo answer: {rng.choice(PRACTICES)}.",
        4: f"Demo answer: we plan to {rng.choice(PLANS)}.",
    }
    return {number: text for number, text in answers.items() if number <= how_many}


def _closed_round(indicators, partners, series, rng: random.Random) -> int:
    """The earlier round, closed: the partners that sent their 2021 to 2023 figures have them approved."""
    # Its returns hold the values only: the demo's flows of those years stand as the hosts reported them.
    round_ = _round(CLOSED_ROUND, CLOSED_YEARS, CLOSED_DEADLINE, indicators, flows=False)
    Round.objects.filter(pk=round_.pk).update(state=Round.State.CLOSED,
                                              opened_at=datetime.datetime(2023, 12, 4, 9, tzinfo=datetime.UTC))
    questions = {q.number: q for q in round_.questions.all()}
    years = range(CLOSED_YEARS[0], CLOSED_YEARS[1] + 1)
    submitted = datetime.datetime.combine(CLOSED_DEADLINE, datetime.time(10), tzinfo=datetime.UTC)
    reports, values, answers, versions, reminders = [], [], [], [], []
    for partner in partners:
        figures = {(code, year): value for (pk, code, year), value in series.items()
                   if pk == partner.pk and year in years}
        if not figures:
            report = Return(round=round_, partner=partner, is_demo=True)
            reports.append(report)
            reminders.append(Reminder(report=report, threshold="after-7", recipients=_demo_address(partner),
                                      sent_at=submitted + datetime.timedelta(days=7)))
            continue
        said = _answers(rng, partner, series, CLOSED_YEARS[1])
        report = Return(round=round_, partner=partner, is_demo=True, state=Return.State.APPROVED, version=1,
                        approved_version=1, submitted_at=submitted - datetime.timedelta(days=rng.randrange(1, 30)),
                        approved_at=submitted + datetime.timedelta(days=rng.randrange(3, 40)))
        reports.append(report)
        values += [ReturnValue(report=report, indicator=indicators[code], year=year, value=value)
                   for (code, year), value in sorted(figures.items())]
        answers += [Answer(report=report, question=questions[number], text=text) for number, text in said.items()]
        content = {"values": {f"{code}/{year}": value for (code, year), value in sorted(figures.items())},
                   "answers": {str(number): text for number, text in said.items()}, "flows": []}
        versions.append(ReturnVersion(report=report, number=1, state=Return.State.SUBMITTED,
                                      saved_at=report.submitted_at, content=content))
    Return.objects.bulk_create(reports)
    ReturnValue.objects.bulk_create(values)
    Answer.objects.bulk_create(answers)
    ReturnVersion.objects.bulk_create(versions)
    Reminder.objects.bulk_create(reminders)
    return len(reports)


def _open_round(indicators, partners, series, profiles, rng: random.Random, reviewer) -> int:
    """The round under way: opened (every return prefilled with the partner's approved 2024 and 2025 values), then
    some returns saved, submitted, returned and approved, as focal points and the secretariat would."""
    deadline = timezone.localdate() + datetime.timedelta(days=DAYS_TO_DEADLINE)
    # Its returns open with the partner's reported flows of 2024 and 2025 too; approving one keeps them public.
    round_ = _round(OPEN_ROUND, OPEN_YEARS, deadline, indicators, flows=True)
    returns.open_round(round=round_, user=reviewer)
    by_partner = {report.partner_id: report for report in round_.returns.select_related("round", "partner")}
    reporting = [p for p in partners if profiles[p.pk]["diligence"] > 0]
    rng.shuffle(reporting)
    # Those with this year's figures to send take the states past the draft: an approved return has values.
    reporting.sort(key=lambda p: (p.pk, "2.2.a", OPEN_YEARS[1]) not in series)
    states = (["approved"] * APPROVED + ["submitted"] * SUBMITTED + ["returned"] * RETURNED + ["draft"] * DRAFTS)
    years = range(OPEN_YEARS[0], OPEN_YEARS[1] + 1)
    for partner, state in zip(reporting, states, strict=False):
        report = by_partner[partner.pk]
        values = {(code, year): value for (pk, code, year), value in series.items()
                  if pk == partner.pk and year in years}
        if state == "draft":
            # Started: this year's first figures and the one answer every return needs.
            values = {key: value for key, value in values.items() if key[1] == OPEN_YEARS[1]}
            values = dict(list(values.items())[:2])
            said = _answers(rng, partner, series, PAST_LAST_YEAR, how_many=1)
        else:
            said = _answers(rng, partner, series, PAST_LAST_YEAR, how_many=4 if state == "approved" else 2)
        returns.save_return(report=report, user=reviewer, version=report.version, values=values, answers=said)
        if state == "draft":
            continue
        returns.submit_return(report=report, user=reviewer, version=report.version)
        if state == "approved":
            returns.approve_return(report=report, user=reviewer)
        elif state == "returned":
            returns.return_return(report=report, user=reviewer, note=(
                "Demo note: the 2026 figures look low next to 2025; please check them with your statistics "
                "office, or say in the challenges why they fell."))
    # A few partners that have not started were reminded from the board.
    untouched = [by_partner[p.pk] for p in partners if by_partner[p.pk].version == 0][:3]
    Reminder.objects.bulk_create(
        Reminder(report=report, threshold=f"manual-{timezone.localdate().isoformat()}",
                 recipients=_demo_address(report.partner)) for report in untouched)
    return len(by_partner)


def _demo_address(partner: Partner) -> str:
    return f"focal-point@{partner.code.lower()}.demo.example"
