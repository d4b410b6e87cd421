import datetime
from dataclasses import dataclass

import pytest

from instruments.models import Instrument
from mobility.models import Activity, MobilityFlow, Partner
from mobility.totals import flows_changed
from objectives.models import Indicator, Objective, Observation, Priority
from objectives.services import publish_partner_values
from reporting import services
from reporting.models import Question, Return, Round
from tests import factories
from tests.reporting.conftest import reported_indicator


@dataclass
class Scenario:
    """The cases a period has to sort out, around the period 2024 to 2025."""

    multi: Activity  # two objectives through two instruments
    cancelled: Activity
    draft: Activity
    before: Activity  # 2021 to 2023: ended before the period
    overlapping: Activity  # 2023 to 2024
    planned: Activity  # starts 2025, no end year, planned
    ongoing: Activity  # since 2020, no end year, ongoing
    done_before: Activity  # 2020, no end year, completed: a one-year activity before the period
    after: Activity  # 2026
    unlinked: Activity  # no objective, no instrument, no partners, no figures
    lead_listed: Activity  # the lead partner also listed among the partners


def _activity(slug: str, *, start: int, end: int | None, objectives=(), instruments=(), partners=(),
              lead="DE", **fields) -> Activity:
    activity = factories.ActivityFactory(
        slug=slug, title=f"Activity {slug}", start_year=start, end_year=end,
        start_date=datetime.date(start, 3, 1), end_date=datetime.date(end, 3, 2) if end else None,
        lead_partner=Partner.objects.get(code=lead) if lead else None, **fields,
    )
    activity.objectives.set(Objective.objects.filter(number__in=objectives))
    activity.instruments.set(Instrument.objects.filter(slug__in=instruments))
    activity.partners.set(Partner.objects.filter(code__in=partners))
    return activity


def build_scenario(copy_number: int = 0, *, demo: bool = False) -> Scenario:
    """Activities, flows and observations around 2024 to 2025; call it again with another number for more rows."""
    n = copy_number
    extra = {"is_demo": demo}
    scenario = Scenario(
        multi=_activity(f"multi-{n}", start=2024, end=2024, objectives=[1, 2],
                        instruments=["people-to-people", "policy-dialogue"], partners=["TH", "JP", "FR"],
                        participants_asia=40, participants_europe=25, **extra),
        cancelled=_activity(f"cancelled-{n}", start=2024, end=2025, objectives=[3], instruments=["policy-dialogue"],
                            status=Activity.Status.CANCELLED, participants_asia=500, **extra),
        draft=_activity(f"draft-{n}", start=2024, end=2024, objectives=[3], instruments=["policy-dialogue"],
                        state=Activity.State.DRAFT, participants_asia=700, **extra),
        before=_activity(f"before-{n}", start=2021, end=2023, objectives=[4],
                         instruments=["collaborative-research"], partners=["CN"], **extra),
        overlapping=_activity(f"overlapping-{n}", start=2023, end=2024, objectives=[4],
                              instruments=["collaborative-research"], partners=["CN", "IT"], lead="JP",
                              participants_asia=12, participants_europe=None, **extra),
        planned=_activity(f"planned-{n}", start=2025, end=None, objectives=[2], instruments=["knowledge-exchange"],
                          status=Activity.Status.PLANNED, lead="TH", participants_europe=7, **extra),
        ongoing=_activity(f"ongoing-{n}", start=2020, end=None, objectives=[1],
                          instruments=["people-to-people"], status=Activity.Status.ONGOING, lead="FR",
                          partners=["CN"], participants_asia=100, participants_europe=80, **extra),
        done_before=_activity(f"done-before-{n}", start=2020, end=None, objectives=[1],
                              instruments=["people-to-people"], status=Activity.Status.COMPLETED, **extra),
        after=_activity(f"after-{n}", start=2026, end=2026, objectives=[1], instruments=["people-to-people"],
                        **extra),
        unlinked=_activity(f"unlinked-{n}", start=2025, end=2025, lead=None, lead_description="Several partners",
                           **extra),
        lead_listed=_activity(f"lead-listed-{n}", start=2025, end=2025, objectives=[2],
                              instruments=["policy-dialogue"], lead="IT", partners=["IT", "TH"],
                              participants_asia=3, participants_europe=4, **extra),
    )
    partners = {p.code: p for p in Partner.objects.filter(code__in=["TH", "JP", "CN", "DE", "FR", "IT"])}
    flows = []
    for year in (2023, 2024, 2025, 2026):
        for origin, destination, people in [("TH", "DE", 100), ("JP", "FR", 30), ("DE", "TH", 60), ("TH", "JP", 9),
                                            ("FR", "IT", 4)]:
            flows.append(MobilityFlow(year=year, origin=partners[origin], destination=partners[destination],
                                      level="higher_education", participants=people + year % 10 + n,
                                      programme=f"Scenario {n}", is_demo=demo, reported_by=partners[destination]))
    MobilityFlow.objects.bulk_create(flows)
    flows_changed()  # as every writer in bulk does: bulk_create sends no signal, and the kept totals must know
    indicator = Indicator.objects.create(
        priority=Priority.objects.get(code="1.1"), code=f"1.1.s{n}", name=f"Scenario indicator {n}",
        unit="participants", baseline_year=2020, baseline_value=100.0, target_year=2030, target_value=200.0,
        is_demo=demo,
    )
    # On track by 2023 (well ahead), falling back by 2025: the report shows the change.
    Observation.objects.bulk_create([Observation(indicator=indicator, year=2022, value=150.0),
                                     Observation(indicator=indicator, year=2023, value=160.0),
                                     Observation(indicator=indicator, year=2025, value=90.0)])
    return scenario


@pytest.fixture
def scenario(strategy):
    return build_scenario()


# A reporting round covering the period ---------------------------------------------------------------------------

ESCAPED_ANSWER = "We opened <b>12</b> programmes & more.\nA second line."
NEVER_SHOWN = {
    "TH": "Submitted from Thailand, still under review.",
    "KR": "A draft from Korea, not sent.",
    "JP": "Reworded by Japan after the return, not approved again.",
}


@dataclass
class RoundScenario:
    """Stocktaking 2027 (2024 to 2026) on three indicators partners report, with returns in each state.

    France and Italy's values were approved before the round (published as an earlier approval would); Germany's
    return is approved; Japan's was approved, then returned and reworded; Thailand's is submitted; Korea's a draft.
    """

    round: Round
    indicators: dict[str, Indicator]
    reviewer: object


def _save(report, user, *, values=None, answers=None):
    return services.save_return(report=report, user=user, version=report.version, values=values, answers=answers)


def build_round(reviewer, *, demo: bool = False, more_approved: int = 0) -> RoundScenario:
    """The round of RoundScenario; more_approved: as many more partners approved, for the query counts."""
    indicators = {
        "sum": reported_indicator("2.2.p", "TVET programmes co-designed with industry", aggregation="sum",
                                  kind=Indicator.Kind.COUNT, unit="programmes", baseline=(2020, 14), target=40),
        "mean": reported_indicator("3.3.p", "Adults with basic digital skills", aggregation="mean",
                                   kind=Indicator.Kind.PERCENTAGE, unit="%", baseline=(2020, 54), target=80),
        "count": reported_indicator("2.1.p", "Partners with a national lifelong learning strategy",
                                    aggregation="count", kind=Indicator.Kind.COUNT, unit="partners",
                                    baseline=(2020, 1), target=40),
    }
    ids = {rule: indicator.pk for rule, indicator in indicators.items()}
    earlier = {"FR": {(ids["sum"], 2024): 7, (ids["sum"], 2025): 8, (ids["mean"], 2025): 60, (ids["count"], 2025): 1},
               "IT": {(ids["sum"], 2024): 3, (ids["mean"], 2024): 50, (ids["count"], 2024): 0}}
    for code, values in earlier.items():
        publish_partner_values(partner=Partner.objects.get(code=code), indicators=indicators.values(),
                               years=range(2024, 2027), values=values)
    round_ = Round.objects.create(name="Stocktaking 2027", slug="stocktaking-2027", first_year=2024, last_year=2026,
                                  deadline=datetime.date(2027, 3, 31), includes_flows=False, is_demo=demo)
    round_.indicators.set(indicators.values())
    Question.objects.create(round=round_, number=1, text="What were the highlights?", required=True)
    Question.objects.create(round=round_, number=2, text="What good practice would you share?")
    services.open_round(round=round_, user=reviewer)
    returns = {r.partner.code: r for r in Return.objects.filter(round=round_).select_related("round", "partner")}

    def approve(code, values, answers):
        report = _save(returns[code], reviewer, values=values, answers=answers)
        services.submit_return(report=report, user=reviewer, version=report.version)
        return services.approve_return(report=report, user=reviewer)

    approve("DE", {("2.2.p", 2024): 10, ("2.2.p", 2025): 12, ("3.3.p", 2025): 70, ("2.1.p", 2025): 1},
            {1: ESCAPED_ANSWER, 2: "Peer visits between colleges."})
    japan = approve("JP", {("2.2.p", 2025): 5}, {1: "Approved wording from Japan."})
    services.return_return(report=japan, user=reviewer, note="Please check 2025.")
    _save(japan, reviewer, answers={1: NEVER_SHOWN["JP"]})
    thailand = _save(returns["TH"], reviewer, values={("2.2.p", 2025): 100}, answers={1: NEVER_SHOWN["TH"]})
    services.submit_return(report=thailand, user=reviewer, version=thailand.version)
    _save(returns["KR"], reviewer, values={("2.2.p", 2025): 200}, answers={1: NEVER_SHOWN["KR"]})
    others = sorted(code for code in returns if code not in {"DE", "JP", "TH", "KR", "FR", "IT"})
    for code in others[:more_approved]:
        approve(code, {("2.2.p", 2024): 1, ("3.3.p", 2025): 40}, {1: f"Highlights of {code}.", 2: "Practice."})
    return RoundScenario(round=round_, indicators=indicators, reviewer=reviewer)


@pytest.fixture
def round_scenario(scenario, secretariat):
    return build_round(secretariat)
