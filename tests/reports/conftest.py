import datetime
from dataclasses import dataclass

import pytest

from instruments.models import Instrument
from mobility.models import Activity, MobilityFlow, Partner
from objectives.models import Indicator, Objective, Observation, Priority
from tests import factories


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
