"""The benchmark's synthetic data: mobility flows, activities and indicators at a chosen scale.

Everything is generated from a fixed seed, so two builds at the same scale
are the same. Flows are written with PostgreSQL's COPY where it is there
(the large scale writes a million rows in seconds), else with bulk_create.
"""

import csv
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mobility.imports import FLOW_COLUMNS
from mobility.models import DeliveryMode, MobilityLevel

SEED = 2030
DATA_DIR = Path(__file__).resolve().parent / "data"
BENCH_SOURCE = "Synthetic benchmark data"
PROGRAMMES = ["", "ASEM-DUO Fellowship Programme", "ASEM Work Placement Programme", "Erasmus+",
              "National scholarship", "University partnership"]


@dataclass(frozen=True)
class Scale:
    name: str
    flows: int
    activities: int
    indicators: int
    first_year: int = 2016
    last_year: int = 2025
    observation_years: int = 10

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


SCALES = {
    "tiny": Scale("tiny", flows=400, activities=30, indicators=5),
    "small": Scale("small", flows=20_000, activities=1_000, indicators=20),
    "large": Scale("large", flows=1_000_000, activities=50_000, indicators=100),
}


def flow_rows(scale: Scale, partner_codes: list[str], *, seed: int = SEED) -> Iterator[tuple]:
    """scale.flows distinct flows spread evenly over the years, as rows in FLOW_COLUMNS order.

    Keys never repeat: within a year the i-th row takes route i mod the
    routes, then mode and level, then programme.
    """
    rng = random.Random(seed)
    codes = sorted(partner_codes)
    routes = [(a, b) for a in codes for b in codes if a != b]
    modes, levels = list(DeliveryMode.values), list(MobilityLevel.values)
    combos = [(m, lv) for m in modes for lv in levels]
    years = list(scale.years)
    per_year, extra = divmod(scale.flows, len(years))
    capacity = len(routes) * len(combos) * len(PROGRAMMES)
    if per_year + 1 > capacity:
        raise ValueError(f"{scale.flows} flows do not fit {len(years)} years of {capacity} distinct flows")
    randint = rng.randint
    for y, year in enumerate(years):
        for i in range(per_year + (1 if y < extra else 0)):
            origin, destination = routes[i % len(routes)]
            rest = i // len(routes)
            mode, level = combos[rest % len(combos)]
            programme = PROGRAMMES[rest // len(combos)]
            participants = randint(1, 600) if mode == "physical" else randint(1, 200)
            female = participants * randint(35, 65) // 100
            fewer = participants * randint(0, 25) // 100 if i % 7 else None
            yield (year, origin, destination, mode, level, participants, female, fewer, programme, BENCH_SOURCE)


def write_flows_csv(path: Path, scale: Scale, partner_codes: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(FLOW_COLUMNS)
        for row in flow_rows(scale, partner_codes):
            writer.writerow(["" if value is None else value for value in row])
    return path


def flows_csv_bytes(scale: Scale, partner_codes: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FLOW_COLUMNS)
    for row in flow_rows(scale, partner_codes):
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue().encode("utf-8")


# --- Building the database ---------------------------------------------------------------------------------------

ACTIVITY_TOPICS = [
    "student exchange", "virtual exchange", "joint summer school", "staff mobility", "credit mobility",
    "adult learning", "TVET teacher training", "work-based learning", "industry skills", "lifelong learning cities",
    "digital skills", "green skills", "transversal skills", "future skills", "sustainable development",
    "recognition of qualifications", "quality assurance", "micro-credentials", "learning pathways",
    "credit transfer",
]
ACTIVITY_FORMATS = ["Conference on {}", "Project: {}", "{} programme", "Study on {}", "Network for {}",
                    "Training in {}", "Call for proposals: {}", "Seminar on {}"]
BENCH_SLUG = "bench-"
BENCH_INDICATOR_PREFIX = "b"
COMPUTED_METRICS = [
    ("mobility.asia_to_europe", "Participants moving from Asia to Europe", "participants"),
    ("mobility.europe_to_asia", "Participants moving from Europe to Asia", "participants"),
    ("mobility.balance_ratio", "Balance of Asia-Europe mobility", "ratio"),
    ("mobility.female_share", "Female share of mobile participants", "%"),
    ("mobility.fewer_opportunities_share", "Share with fewer opportunities", "%"),
    ("mobility.blended_virtual_share", "Share of blended and virtual mobility", "%"),
    ("activities.objective.1", "Published activities serving objective 1", "activities"),
    ("activities.objective.2", "Published activities serving objective 2", "activities"),
    ("activities.objective.3", "Published activities serving objective 3", "activities"),
    ("activities.objective.4", "Published activities serving objective 4", "activities"),
]


@dataclass
class BuildReport:
    flows: int = 0
    activities: int = 0
    activity_links: int = 0
    indicators: int = 0
    observations: int = 0
    timings: dict | None = None

    def __str__(self):
        times = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in (self.timings or {}).items())
        return (f"{self.flows} flows, {self.activities} activities ({self.activity_links} links), "
                f"{self.indicators} indicators, {self.observations} observations [{times}]")


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(value)


def insert_rows(model, columns: list[str], rows, *, chunk: int = 50_000) -> int:
    """Write rows (tuples in `columns` order, by column name) fast: COPY on PostgreSQL, bulk_create elsewhere."""
    from django.db import connection

    count = 0
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor:
            buffer: list[str] = []
            for row in rows:
                buffer.append("\t".join(_copy_value(v) for v in row))
                if len(buffer) >= chunk:
                    cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", io.StringIO("\n".join(buffer) + "\n"))
                    count += len(buffer)
                    buffer = []
            if buffer:
                cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", io.StringIO("\n".join(buffer) + "\n"))
                count += len(buffer)
        return count
    by_column = {field.column: field.attname for field in model._meta.concrete_fields}
    attnames = [by_column[c] for c in columns]
    objects = [model(**dict(zip(attnames, row, strict=True))) for row in rows]
    model.objects.bulk_create(objects, batch_size=500)
    return len(objects)


def _reset_sequence(model) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def remove(*, keep_flows: bool = False) -> None:
    """Take out everything a build wrote, leaving the strategy's real content."""
    from mobility.models import Activity, MobilityFlow
    from objectives.models import Indicator, Observation

    if not keep_flows:
        MobilityFlow.objects.all()._raw_delete(MobilityFlow.objects.db)
    bench_activities = Activity.objects.filter(slug__startswith=BENCH_SLUG)
    for relation in ("partners", "organisations", "objectives", "priorities", "instruments"):
        through = getattr(Activity, relation).through
        through.objects.filter(activity__slug__startswith=BENCH_SLUG)._raw_delete(through.objects.db)
    bench_activities._raw_delete(Activity.objects.db)
    bench_indicators = Indicator.objects.filter(code__regex=rf"^\d+\.\d+\.{BENCH_INDICATOR_PREFIX}\d+$")
    Observation.objects.filter(indicator__in=bench_indicators)._raw_delete(Observation.objects.db)
    bench_indicators._raw_delete(Indicator.objects.db)


def build(scale: Scale, *, log=print) -> BuildReport:
    """Fill the database with `scale`'s flows, activities and indicators, on top of the strategy's real content."""
    import time

    from django.core.management import call_command
    from django.db import connection, transaction

    from mobility import totals
    from mobility.models import Partner
    from mobility.totals import flows_changed

    timings: dict[str, float] = {}
    report = BuildReport(timings=timings)

    def step(name, function, *args):
        started = time.monotonic()
        value = function(*args)
        timings[name] = time.monotonic() - started
        log(f"  {name}: {timings[name]:.1f}s")
        return value

    step("strategy", lambda: call_command("load_strategy", verbosity=0))
    with transaction.atomic():
        step("remove earlier bench data", remove)
        partners = {code: pk for code, pk in Partner.objects.values_list("code", "pk")}
        rng = random.Random(SEED)
        report.flows = step("flows", _build_flows, scale, partners)
        flows_changed()  # COPY sends no signal
        report.activities, report.activity_links = step("activities", _build_activities, scale, partners, rng)
        report.indicators, report.observations = step("indicators", _build_indicators, scale, rng)
    started = time.monotonic()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum would have done on a live database
    timings["vacuum analyze"] = time.monotonic() - started
    from objectives.services import refresh_computed_indicators

    step("flow totals", totals.rebuild)  # now, not when a worker gets to it: the benchmark reads them
    refreshed = step("computed indicators", lambda: refresh_computed_indicators())
    report.observations += refreshed.created
    _computed_baselines()
    return report


def _computed_baselines() -> None:
    """A computed indicator's baseline is its own first value, as the secretariat would set it."""
    from objectives.models import Indicator, Observation

    for indicator in Indicator.objects.filter(source=Indicator.Source.COMPUTED, code__contains=".b"):
        first = Observation.objects.filter(indicator=indicator, year=indicator.baseline_year, breakdown="").first()
        if first is not None and first.value:
            Indicator.objects.filter(pk=indicator.pk).update(baseline_value=first.value)


def _build_flows(scale: Scale, partners: dict[str, int]) -> int:
    from django.utils import timezone

    from mobility.models import MobilityFlow

    now = timezone.now()
    # Each row reported by its host, so each is the public figure of its route.
    columns = ["year", "origin_id", "destination_id", "reported_by_id", "is_public", "mode", "level", "participants",
               "female", "fewer_opportunities", "programme", "source", "is_demo", "updated_at"]
    rows = (
        (year, partners[origin], partners[destination], partners[destination], True, mode, level, participants,
         female, fewer, programme, source, False, now)
        for year, origin, destination, mode, level, participants, female, fewer, programme, source
        in flow_rows(scale, list(partners))
    )
    return insert_rows(MobilityFlow, columns, rows)


def _build_activities(scale: Scale, partners: dict[str, int], rng: random.Random) -> tuple[int, int]:
    import datetime

    from django.db.models import Max

    from instruments.models import Instrument
    from mobility.models import Activity, DeliveryMode, Organisation, Partner
    from objectives.models import Objective, Priority

    objectives = list(Objective.objects.order_by("number").values_list("pk", flat=True))
    priorities: dict[int, list[int]] = {}
    for pk, objective_id in Priority.objects.order_by("code").values_list("pk", "objective_id"):
        priorities.setdefault(objective_id, []).append(pk)
    instruments = list(Instrument.objects.order_by("number").values_list("pk", flat=True))
    organisations = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    partner_ids = sorted(partners.values())
    names = dict(Partner.objects.values_list("pk", "name"))
    types = [t for t in Activity.Type.values if t not in {"ministerial_meeting"}]
    modes = DeliveryMode.values
    first_id = (Activity.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    today = datetime.date(2026, 1, 1)
    rows, links = [], {name: [] for name in ("partners", "organisations", "objectives", "priorities", "instruments")}
    for i in range(scale.activities):
        pk = first_id + i
        lead = partner_ids[i % len(partner_ids)]
        objective = objectives[i % len(objectives)]
        topic = ACTIVITY_TOPICS[rng.randrange(len(ACTIVITY_TOPICS))]
        start = datetime.date(scale.first_year, 1, 1) + datetime.timedelta(days=rng.randrange(0, 11 * 365))
        end = start + datetime.timedelta(days=rng.choice([0, 1, 2, 4, 30, 180, 365, 730]))
        state = "published" if i % 10 < 8 else ("submitted" if i % 10 == 8 else "draft")
        status = ("cancelled" if i % 23 == 0 else "completed" if end < today
                  else "ongoing" if start <= today else "planned")
        mode = modes[rng.randrange(3)]
        title = f"{names[lead]}: {ACTIVITY_FORMATS[i % len(ACTIVITY_FORMATS)].format(topic)} {start.year} ({i + 1})"
        published_at = datetime.datetime.combine(start, datetime.time(12), tzinfo=datetime.UTC)
        rows.append((
            pk, f"{BENCH_SLUG}{i + 1:06d}", title, f"A benchmark {topic} activity led by {names[lead]}.",
            f"Synthetic benchmark activity number {i + 1}, about {topic}.", types[i % len(types)], status, state, "",
            start, end, start.year, end.year, "" if mode == "virtual" else names[lead], mode == "virtual", mode,
            lead, "", rng.randrange(0, 500), rng.randrange(0, 500), "", "", "", False, None, published_at,
            published_at, published_at if state != "draft" else None, published_at if state == "published" else None,
        ))
        others = rng.sample(partner_ids, rng.randrange(1, 4))
        links["partners"] += [(pk, p) for p in {lead, *others}]
        links["objectives"] += [(pk, objective)] + ([(pk, objectives[(i + 1) % 4])] if i % 5 == 0 else [])
        links["priorities"].append((pk, rng.choice(priorities[objective])))
        links["instruments"] += [(pk, instruments[i % len(instruments)])] + (
            [(pk, instruments[(i + 2) % len(instruments)])] if i % 4 == 0 else [])
        if organisations and i % 3 == 0:
            links["organisations"].append((pk, organisations[i % len(organisations)]))
    columns = ["id", "slug", "title", "summary", "description", "activity_type", "status", "state", "review_note",
               "start_date", "end_date", "start_year", "end_year", "place", "online", "delivery_mode",
               "lead_partner_id", "lead_description", "participants_asia", "participants_europe", "website",
               "source_url", "outcomes", "is_demo", "created_by_id", "created_at", "updated_at", "submitted_at",
               "published_at"]
    count = insert_rows(Activity, columns, rows)
    _reset_sequence(Activity)
    total_links = 0
    for name, pairs in links.items():
        through = getattr(Activity, name).through
        target = through._meta.get_field(name[:-1] if name != "priorities" else "priority").column
        total_links += insert_rows(through, ["activity_id", target], pairs)
    return count, total_links


def _build_indicators(scale: Scale, rng: random.Random) -> tuple[int, int]:
    from objectives.models import Indicator, Observation, Priority

    priorities = list(Priority.objects.order_by("code"))
    computed = min(len(COMPUTED_METRICS), scale.indicators // 2)
    indicators = []
    for i in range(scale.indicators):
        priority = priorities[i % len(priorities)]
        code = f"{priority.code}.{BENCH_INDICATOR_PREFIX}{i + 1:03d}"
        if i < computed:
            metric, name, unit = COMPUTED_METRICS[i]
            # The computed ones belong where the metric fits; their observations come from the refresh.
            priority = priorities[0] if metric.startswith("mobility.") else priority
            code = f"{priority.code}.{BENCH_INDICATOR_PREFIX}{i + 1:03d}"
            indicators.append(Indicator(
                priority=priority, code=code, name=name, unit=unit, baseline_year=scale.first_year,
                baseline_value=1.0 if unit != "ratio" else 0.5, target_value=None,
                source=Indicator.Source.COMPUTED, metric=metric, methodology="Benchmark indicator.",
            ))
            continue
        direction = -1 if i % 9 == 0 else 1
        baseline = round(rng.uniform(10, 1000), 1)
        indicators.append(Indicator(
            priority=priority, code=code, name=f"Benchmark indicator {i + 1} for priority {priority.code}",
            unit=rng.choice(["participants", "%", "partners", "programmes"]), direction=direction,
            baseline_year=scale.first_year, baseline_value=baseline,
            target_value=None if i % 7 == 0 else round(baseline * (0.6 if direction < 0 else 1.8), 1),
            data_source=BENCH_SOURCE, methodology="Benchmark indicator.",
        ))
    Indicator.objects.bulk_create(indicators, batch_size=500)
    observations = []
    for indicator in indicators:
        if indicator.source == Indicator.Source.COMPUTED:
            continue
        value = indicator.baseline_value
        trend = rng.uniform(-0.04, 0.12) * indicator.direction
        for year in range(scale.first_year, scale.first_year + scale.observation_years):
            if year > scale.first_year:
                value = max(value * (1 + trend + rng.uniform(-0.03, 0.03)), 0.0)
            observations.append(Observation(indicator=indicator, year=year, value=round(value, 2)))
        for region in ("asia", "europe"):
            observations.append(Observation(indicator=indicator, year=scale.first_year + scale.observation_years - 1,
                                            value=round(value * rng.uniform(0.8, 1.2), 2),
                                            breakdown=f"region={region}"))
    Observation.objects.bulk_create(observations, batch_size=1000)
    return len(indicators), len(observations)
