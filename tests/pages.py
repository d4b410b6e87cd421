"""A small portal built from factories, at a chosen size, for the public pages' tests.

Pages must issue the same number of queries whatever the size, so the
tests build it twice (size 1 and size 4) and pin one count for both.
"""

import datetime
from dataclasses import dataclass

from instruments.models import Aim
from mobility.models import Activity, MobilityFlow
from objectives.models import Observation
from tests import factories
from tests.licence import cold_cache

SIZES = [1, 4]


def visitor_client():
    """Vera visits the portal without signing in, as most of its readers do."""
    from django.test import Client

    return Client()
PARTNER_CODES = ["DE", "FR", "IT", "EU", "TH", "JP", "CN", "ASEAN"]


@dataclass
class Portal:
    size: int
    objectives: list
    priorities: list
    instruments: list
    indicators: list
    activities: list
    partners: dict


def build_portal(size: int, *, demo: bool = False) -> Portal:
    """Four objectives of two priorities, three instruments, and `size` of everything that is a list.

    demo marks the activities, flows and indicators as synthetic.
    """
    strategy = factories.StrategyFactory()
    objectives = [factories.ObjectiveFactory(number=n, strategy=strategy, title=f"Objective number {n}")
                  for n in range(1, 5)]
    priorities = [factories.PriorityFactory(objective=o, number=p, code=f"{o.number}.{p}")
                  for o in objectives for p in (1, 2)]
    instruments = [factories.InstrumentFactory(number=n, slug=f"instrument-{n}", name=f"Instrument {n}")
                   for n in range(1, 4)]
    for instrument in instruments:
        for order in (1, 2):
            Aim.objects.create(instrument=instrument, order=order, text=f"Aim {order} of {instrument.name}")
    partners = {code: factories.partner(code) for code in PARTNER_CODES}

    indicators = []
    for i in range(size):
        for priority in priorities[:3]:
            indicator = factories.IndicatorFactory(
                priority=priority, code=f"{priority.code}.{chr(ord('a') + i)}", baseline_year=2020,
                baseline_value=100.0, target_value=200.0, is_demo=demo,
            )
            indicators.append(indicator)
            Observation.objects.bulk_create(
                [Observation(indicator=indicator, year=year, value=100.0 + 15 * (year - 2020))
                 for year in (2021, 2022, 2023, 2024)]
                + [Observation(indicator=indicator, year=2024, value=150.0, breakdown="region=asia")]
            )

    activities = []
    europe = [partners[c] for c in ("DE", "FR", "IT")]
    asia = [partners[c] for c in ("TH", "JP", "CN")]
    for i in range(size * 3):
        lead = (europe + asia)[i % 6]
        activity = factories.ActivityFactory(
            title=f"Activity {i} led by {lead.name}", slug=f"activity-{size}-{i}", lead_partner=lead,
            start_date=datetime.date(2022 + i % 3, 3, 1), end_date=datetime.date(2022 + i % 3, 3, 2),
            start_year=2022 + i % 3, end_year=2022 + i % 3, is_demo=demo,
            published_at=datetime.datetime(2022 + i % 3, 3, 1, tzinfo=datetime.UTC),
            source_url="" if demo else "https://example.org/source",
        )
        activity.objectives.set([objectives[i % 4]])
        activity.priorities.set([priorities[(i % 4) * 2]])
        activity.instruments.set([instruments[i % 3]])
        activity.partners.set([asia[i % 3], europe[(i + 1) % 3]])
        activities.append(activity)
    # A draft is never shown, whatever the size.
    factories.ActivityFactory(title="An unpublished draft", slug=f"draft-{size}", state=Activity.State.DRAFT)

    flows = []
    for i in range(size):
        for year in (2022, 2023, 2024):
            flows += [
                MobilityFlow(year=year, origin=asia[i % 3], destination=europe[i % 3], level="higher_education",
                             participants=100 + i, female=50, fewer_opportunities=10, programme=f"P{i}",
                             reported_by=europe[i % 3], is_demo=demo),
                MobilityFlow(year=year, origin=europe[i % 3], destination=asia[i % 3], level="staff", mode="virtual",
                             participants=60 + i, female=30, fewer_opportunities=5, programme=f"P{i}",
                             reported_by=asia[i % 3], is_demo=demo),
            ]
    MobilityFlow.objects.bulk_create(flows)
    cold_cache()  # progress results are cached: every page test starts cold
    return Portal(size=size, objectives=objectives, priorities=priorities, instruments=instruments,
                  indicators=indicators, activities=activities, partners=partners)

