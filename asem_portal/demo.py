"""Synthetic demonstration data, so a new portal shows every page at work.

Everything made here has is_demo=True and is removed by remove_demo(). The
generator is seeded, so two runs give the same portal. None of it is real:
the pages say so in a banner wherever it is shown.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from asem_portal.demo_round import load_demo_round, remove_demo_round
from instruments.models import Instrument
from mobility.models import Activity, DeliveryMode, MobilityFlow, MobilityLevel, Organisation, Partner, Region
from mobility.services import settle_public
from mobility.totals import flows_changed
from objectives.models import Direction, Indicator, Objective, Observation, Priority
from reporting.models import Return

SEED = 2030
FLOW_YEARS = range(2019, 2026)
CONFLICT_EVERY = 12  # of the demo's routes, every twelfth has its origin report a figure too
DEMO_SOURCE = "Synthetic demonstration data"

TOPICS = {
    1: ["student exchange", "virtual exchange", "joint summer school", "short-term staff mobility",
        "credit mobility scheme"],
    2: ["adult learning week", "TVET teacher training", "work-based learning pilot", "industry skills council",
        "lifelong learning cities"],
    3: ["digital skills bootcamp", "green skills curriculum", "transversal skills toolkit", "future skills foresight",
        "education for sustainable development"],
    4: ["recognition of qualifications", "quality assurance peer review", "micro-credentials framework",
        "learning pathways study", "credit transfer workshop"],
}
FORMATS = {
    Activity.Type.CONFERENCE: "conference on {topic}",
    Activity.Type.PROJECT: "project: {topic}",
    Activity.Type.PROGRAMME: "{topic} programme",
    Activity.Type.STUDY: "study on {topic}",
    Activity.Type.NETWORK: "network for {topic}",
    Activity.Type.TRAINING: "training in {topic}",
    Activity.Type.CALL: "call for proposals: {topic}",
    Activity.Type.SENIOR_OFFICIALS_MEETING: "senior officials' meeting on {topic}",
}
DEMO_ORGANISATIONS = [
    ("demo-university-of-northern-europe", "University of Northern Europe (demo)", "UNE", "institution", "SE"),
    ("demo-southeast-asian-polytechnic", "Southeast Asian Polytechnic (demo)", "SEAP", "institution", "MY"),
    ("demo-central-asia-education-agency", "Central Asia Education Agency (demo)", "CAEA", "government", "KZ"),
    ("demo-mediterranean-skills-institute", "Mediterranean Skills Institute (demo)", "MSI", "institution", "IT"),
]


@dataclass(frozen=True)
class DemoIndicator:
    code: str
    name: str
    unit: str
    baseline_year: int
    baseline_value: float | None  # None: taken from the demo flows or activities themselves
    target_value: float | None
    kind: str
    metric: str = ""
    direction: int = Direction.HIGHER_IS_BETTER
    yearly_change: float = 0.0  # for hand-entered ones: relative change a year, before noise


COUNT, PERCENTAGE, MEASURE = Indicator.Kind.COUNT, Indicator.Kind.PERCENTAGE, Indicator.Kind.MEASURE
# A count's regions split its total (so they add up to it); a percentage's or an average's differ around it.
ASIA_SHARE = 0.45

INDICATORS = [
    DemoIndicator("1.1.a", "Participants moving from Asia to Europe", "participants", 2019, None, 60000, COUNT,
                  metric="mobility.asia_to_europe"),
    DemoIndicator("1.1.b", "Participants moving from Europe to Asia", "participants", 2019, None, 45000, COUNT,
                  metric="mobility.europe_to_asia"),
    DemoIndicator("1.1.c", "Balance of Asia-Europe mobility (smaller direction over larger)", "ratio", 2019, None,
                  0.9, MEASURE, metric="mobility.balance_ratio"),
    DemoIndicator("1.1.d", "Share of mobile participants who are female", "%", 2019, None, 55,
                  PERCENTAGE, metric="mobility.female_share"),
    DemoIndicator("1.1.e", "Share of mobile participants with fewer opportunities", "%", 2019, None, 20,
                  PERCENTAGE, metric="mobility.fewer_opportunities_share"),
    DemoIndicator("1.2.a", "Share of mobility that is blended or virtual", "%", 2019, None, 35,
                  PERCENTAGE, metric="mobility.blended_virtual_share"),
    DemoIndicator("2.1.a", "Partners with a national lifelong learning strategy", "partners", 2020, 21, 40,
                  COUNT, yearly_change=0.06),
    DemoIndicator("2.1.b", "Published activities serving lifelong learning", "activities", 2019, None, 6,
                  COUNT, metric="activities.objective.2"),
    DemoIndicator("2.2.a", "TVET programmes co-designed with business and industry", "programmes", 2020, 140, 400,
                  COUNT, yearly_change=0.05),
    DemoIndicator("3.1.a", "Published activities on skills and competences", "activities", 2019, None, 6,
                  COUNT, metric="activities.objective.3"),
    DemoIndicator("3.3.a", "Adults with basic digital skills, ASEM average", "%", 2019, 54, 80, PERCENTAGE,
                  yearly_change=0.015),
    DemoIndicator("3.4.a", "Teachers trained in future skills", "teachers", 2020, 3200, None, COUNT,
                  yearly_change=-0.01),
    DemoIndicator("4.1.a", "Partners applying a common credit transfer reference", "partners", 2019, 12, 35,
                  COUNT, yearly_change=0.12),
    DemoIndicator("4.1.b", "Average time to a recognition decision", "days", 2019, 120, 60,
                  MEASURE, direction=Direction.LOWER_IS_BETTER, yearly_change=-0.02),
    DemoIndicator("4.2.a", "Published activities on recognition and quality assurance", "activities", 2019, None, 6,
                  COUNT, metric="activities.objective.4"),
]


@dataclass
class DemoReport:
    activities: int = 0
    flows: int = 0
    indicators: int = 0
    observations: int = 0
    rounds: int = 0
    returns: int = 0

    def __str__(self):
        return (f"{self.activities} activities, {self.flows} mobility flows, {self.indicators} indicators, "
                f"{self.observations} observations, {self.rounds} reporting rounds with {self.returns} returns")


@transaction.atomic
def remove_demo() -> DemoReport:
    returns = Return.objects.filter(round__is_demo=True).count()
    report = DemoReport(
        rounds=remove_demo_round(), returns=returns,
        activities=Activity.objects.filter(is_demo=True).delete()[1].get("mobility.Activity", 0),
        flows=MobilityFlow.objects.filter(is_demo=True).delete()[1].get("mobility.MobilityFlow", 0),
    )
    deleted = Indicator.objects.filter(is_demo=True).delete()[1]
    report.indicators = deleted.get("objectives.Indicator", 0)
    report.observations = deleted.get("objectives.Observation", 0)
    Organisation.objects.filter(is_demo=True).delete()
    return report


@transaction.atomic
def load_demo() -> DemoReport:
    """Replace any earlier demo data with a fresh, identical set."""
    if not Objective.objects.exists():
        raise ValueError("Load the strategy first (manage.py load_strategy): the demo data builds on it.")
    remove_demo()
    rng = random.Random(SEED)
    partners = list(Partner.objects.order_by("code"))
    report = DemoReport()
    organisations = _organisations(partners)
    report.activities = _activities(rng, partners, organisations)
    flows = _flows(rng, partners)
    report.flows = len(flows)
    report.indicators, report.observations = _indicators(rng, [flow for flow in flows if flow.is_public])
    rounds = load_demo_round()
    report.rounds, report.returns = rounds.rounds, rounds.returns
    return report


def _organisations(partners: list[Partner]) -> list[Organisation]:
    by_code = {p.code: p for p in partners}
    return [
        Organisation.objects.create(slug=slug, name=name, acronym=acronym, kind=kind, partner=by_code[code],
                                    description="A fictitious organisation in the demonstration data.",
                                    is_demo=True)
        for slug, name, acronym, kind, code in DEMO_ORGANISATIONS
    ]


def _activities(rng: random.Random, partners: list[Partner], organisations: list[Organisation]) -> int:
    objectives = list(Objective.objects.order_by("number"))
    priorities = {o.pk: list(Priority.objects.filter(objective=o).order_by("number")) for o in objectives}
    instruments = list(Instrument.objects.order_by("number"))
    asia = [p for p in partners if p.region == Region.ASIA]
    europe = [p for p in partners if p.region == Region.EUROPE]
    types = list(FORMATS)
    today = timezone.localdate()
    count = 64
    for i in range(count):
        # Cycling through objectives, instruments and sides first guarantees every one is covered.
        objective = objectives[i % len(objectives)]
        instrument = instruments[i % len(instruments)]
        lead_side, other_side = (asia, europe) if i % 2 else (europe, asia)
        lead = rng.choice(lead_side)
        activity_type = types[i % len(types)]
        topic = rng.choice(TOPICS[objective.number])
        start = datetime.date(2019, 1, 1) + datetime.timedelta(days=rng.randrange(0, 8 * 365))
        end = start + datetime.timedelta(days=rng.choice([1, 2, 3, 30, 180, 365, 730]))
        mode = rng.choices(list(DeliveryMode), weights=[6, 3, 2])[0]
        if i % 9 == 8:
            status = Activity.Status.CANCELLED
        elif end < today:
            status = Activity.Status.COMPLETED
        elif start <= today:
            status = Activity.Status.ONGOING
        else:
            status = Activity.Status.PLANNED
        state = [Activity.State.PUBLISHED] * 8 + [Activity.State.SUBMITTED, Activity.State.DRAFT]
        state = state[i % len(state)] if i >= 10 else Activity.State.PUBLISHED
        title = f"{lead.name} {FORMATS[activity_type].format(topic=topic)} {start.year}"
        activity = Activity(
            slug=f"demo-{i + 1:03d}-{objective.number}-{instrument.slug}",
            title=title[0].upper() + title[1:],
            summary=f"A synthetic {activity_type.label.lower()} led by {lead.name}, used to demonstrate the portal.",
            description=("This activity is demonstration data. It shows how a partner's report looks once "
                         "published: its objective, instrument, partners and participants."),
            activity_type=activity_type, status=status, state=state,
            start_date=start, end_date=end, start_year=start.year, end_year=end.year,
            place="" if mode == DeliveryMode.VIRTUAL else f"{lead.name}",
            online=mode == DeliveryMode.VIRTUAL, delivery_mode=mode, lead_partner=lead,
            participants_asia=rng.randrange(5, 400), participants_europe=rng.randrange(5, 400),
            outcomes="Synthetic outcomes for the demonstration." if status == Activity.Status.COMPLETED else "",
            is_demo=True,
            submitted_at=datetime.datetime.combine(start, datetime.time(9), tzinfo=datetime.UTC)
            if state != Activity.State.DRAFT else None,
            published_at=datetime.datetime.combine(start, datetime.time(12), tzinfo=datetime.UTC)
            if state == Activity.State.PUBLISHED else None,
        )
        activity.full_clean()
        activity.save()
        activity.objectives.set([objective] + ([objectives[(i + 1) % 4]] if i % 5 == 0 else []))
        activity.priorities.set([rng.choice(priorities[objective.pk])])
        activity.instruments.set([instrument] + ([instruments[(i + 2) % 6]] if i % 4 == 0 else []))
        activity.partners.set(rng.sample(other_side, rng.randrange(1, 4)) + rng.sample(lead_side, 1))
        if i % 3 == 0:
            activity.organisations.set([organisations[i % len(organisations)]])
    return count


def _flows(rng: random.Random, partners: list[Partner]) -> list[MobilityFlow]:
    asia = [p for p in partners if p.region == Region.ASIA]
    europe = [p for p in partners if p.region == Region.EUROPE]
    pairs = set()
    while len(pairs) < 60:
        a, e = rng.choice(asia), rng.choice(europe)
        pairs.add((a, e) if rng.random() < 0.55 else (e, a))
    pairs |= {tuple(rng.sample(asia, 2)) for _ in range(6)} | {tuple(rng.sample(europe, 2)) for _ in range(6)}
    levels = list(MobilityLevel)
    flows = []
    for origin, destination in sorted(pairs, key=lambda pair: (pair[0].code, pair[1].code)):
        size = rng.randrange(40, 900)
        pair_levels = rng.sample(levels, 2)
        for year in FLOW_YEARS:
            growth = 1.06 ** (year - 2019)
            covid = 0.35 if year in (2020, 2021) else 1.0
            for level in pair_levels:
                for mode in DeliveryMode:
                    share = {"physical": 0.75 * covid, "blended": 0.12, "virtual": 0.13 * (2.5 if covid < 1 else 1)}
                    participants = round(size * growth * share[mode] * rng.uniform(0.7, 1.3))
                    if participants == 0:
                        continue
                    flows.append(MobilityFlow(
                        year=year, origin=origin, destination=destination, mode=mode, level=level,
                        participants=participants, female=round(participants * rng.uniform(0.42, 0.62)),
                        fewer_opportunities=round(participants * rng.uniform(0.05, 0.2)),
                        programme="Demo exchange scheme", source=DEMO_SOURCE, is_demo=True,
                        reported_by=destination,  # the host country reports who came to it
                    ))
    conflicting = _origins_reporting_too(flows)
    for flow in [*flows[:50], *conflicting[:5]]:
        flow.full_clean()
    MobilityFlow.objects.bulk_create([*flows, *conflicting], batch_size=1000)
    settle_public(within=Q(year__in=FLOW_YEARS))
    flows_changed()  # bulk_create sends no signal
    return [*flows, *conflicting]


def _origins_reporting_too(flows: list[MobilityFlow]) -> list[MobilityFlow]:
    """The demo's conflicting reports: on a few routes the origin counted its own figure for the last two years,
    beside the host's, a tenth or so lower (as one counts enrolments and the other scholarships paid).

    The host's row stays the public figure; these rows show the difference to the secretariat and on the partners'
    pages. Made without the generator, so the rest of the demo stays as it was.
    """
    routes = sorted({(flow.origin.code, flow.destination.code) for flow in flows})[::CONFLICT_EVERY]
    conflicting = []
    for flow in flows:
        if (flow.origin.code, flow.destination.code) in routes and flow.year >= FLOW_YEARS[-2] \
                and flow.mode == DeliveryMode.PHYSICAL:
            participants = max(round(flow.participants * 0.88), 1)
            conflicting.append(MobilityFlow(
                year=flow.year, origin=flow.origin, destination=flow.destination, mode=flow.mode, level=flow.level,
                participants=participants, female=min(flow.female, participants),
                fewer_opportunities=min(flow.fewer_opportunities, participants), programme=flow.programme,
                source=f"{DEMO_SOURCE}, as the origin counted it", is_demo=True, reported_by=flow.origin,
                is_public=False,
            ))
    return conflicting


def _indicators(rng: random.Random, flows: list[MobilityFlow]) -> tuple[int, int]:
    priorities = {p.code: p for p in Priority.objects.all()}
    observations = 0
    for spec in INDICATORS:
        baseline = spec.baseline_value
        if baseline is None:
            baseline = _demo_baseline(spec, flows)
        indicator = Indicator(
            priority=priorities[spec.code.rsplit(".", 1)[0]], code=spec.code, name=spec.name, unit=spec.unit,
            kind=spec.kind,
            direction=spec.direction, baseline_year=spec.baseline_year, baseline_value=baseline,
            target_value=spec.target_value,
            source=Indicator.Source.COMPUTED if spec.metric else Indicator.Source.MANUAL, metric=spec.metric,
            data_source="" if spec.metric else DEMO_SOURCE,
            methodology="Synthetic indicator defined for the demonstration; the secretariat defines the real ones.",
            is_demo=True,
        )
        indicator.full_clean()
        indicator.save()
        if spec.metric:
            continue  # the progress engine writes computed indicators' observations
        value = baseline
        rows = []
        for year in range(spec.baseline_year + 1, 2026):
            value = value * (1 + spec.yearly_change + rng.uniform(-0.02, 0.02))
            rows.append(Observation(indicator=indicator, year=year, value=indicator.at_precision(value)))
        total = rows[-1].value
        if spec.kind == COUNT:
            asia = round(total * ASIA_SHARE)
            regions = {"asia": asia, "europe": total - asia}
        else:
            regions = {"asia": indicator.at_precision(total * 0.9), "europe": indicator.at_precision(total * 1.1)}
        for region, regional in regions.items():
            rows.append(Observation(indicator=indicator, year=rows[-1].year, value=regional,
                                    breakdown=f"region={region}"))
        # One by one, the total first, so each meets the checks the admin and the API make: whole counts, and
        # parts that add up to the total.
        for row in rows:
            row.full_clean()
            row.save()
        observations += len(rows)
    return len(INDICATORS), observations


def _demo_baseline(spec: DemoIndicator, flows: list[MobilityFlow]) -> float:
    """A baseline for a computed demo indicator, from the demo's own numbers for the baseline year."""
    year_flows = [f for f in flows if f.year == spec.baseline_year]
    def between(origin: str, destination: str) -> int:
        return sum(f.participants for f in year_flows
                   if (f.origin.region, f.destination.region) == (origin, destination))

    to_europe, to_asia = between("asia", "europe"), between("europe", "asia")
    total = sum(f.participants for f in year_flows)
    values = {
        "mobility.asia_to_europe": to_europe,
        "mobility.europe_to_asia": to_asia,
        "mobility.balance_ratio": round(min(to_europe, to_asia) / max(to_europe, to_asia), 4),
        "mobility.female_share": round(100 * sum(f.female for f in year_flows) / total, 2),
        "mobility.fewer_opportunities_share": round(100 * sum(f.fewer_opportunities for f in year_flows) / total, 2),
        "mobility.blended_virtual_share": round(
            100 * sum(f.participants for f in year_flows if f.mode != "physical") / total, 2),
    }
    if spec.metric in values:
        return values[spec.metric]
    # activities.objective.N: published activities serving objective N that started in the baseline year.
    number = int(spec.metric.rsplit(".", 1)[1])
    return float(Activity.objects.filter(state=Activity.State.PUBLISHED, objectives__number=number,
                                         start_year=spec.baseline_year).count())
