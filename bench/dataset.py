"""The benchmark's synthetic data: mobility flows, activities, indicators and partners' values at a chosen scale.

Everything is generated from a fixed seed, so two builds at the same scale
are the same. Flows and partners' values are written with PostgreSQL's COPY
where it is there (the large scale writes a million rows in seconds), else
with bulk_create. The indicators partners report come on top of the
ASEM-level ones: every partner's value for every indicator and year, its
own targets, the ASEM series made from them once, and one open reporting
round with a return per partner in each of the four states, each with the
versions its history shows and a year of reminders. Some flows are reported
by both ends with different figures, as real returns are, and the host rule
settles which is public. Two accounts sign in to the pages only they see: a
focal point for Germany and a member of the secretariat. A few small data
releases stand on /data/.
"""

import csv
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.common import BENCH_FOCAL_PARTNER, BENCH_FOCAL_POINT, BENCH_PASSWORD, BENCH_SECRETARIAT
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
    partner_indicators: int = 0
    first_year: int = 2016
    last_year: int = 2025
    observation_years: int = 10

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)


SCALES = {
    "tiny": Scale("tiny", flows=400, activities=30, indicators=5, partner_indicators=3),
    "small": Scale("small", flows=20_000, activities=1_000, indicators=20, partner_indicators=20),
    # 53 partners x 100 indicators x 10 years: 53,000 partners' values, less the few gaps.
    "large": Scale("large", flows=1_000_000, activities=50_000, indicators=100, partner_indicators=100),
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
    partner_values: int = 0
    returns: int = 0
    conflicts: int = 0
    versions: int = 0
    reminders: int = 0
    releases: int = 0
    timings: dict | None = None

    def __str__(self):
        times = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in (self.timings or {}).items())
        return (f"{self.flows} flows (and {self.conflicts} reported by the other end too), "
                f"{self.activities} activities ({self.activity_links} links), "
                f"{self.indicators} indicators, {self.observations} observations "
                f"({self.partner_values} partners' values), {self.returns} returns ({self.versions} versions, "
                f"{self.reminders} reminders), {self.releases} data releases [{times}]")


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return str(value)


def _defaults(model, columns: list[str]) -> dict[str, object]:
    """The columns `columns` leaves out that may not be null, with their field's default: one a later migration
    added is filled as it would be through the ORM."""
    return {
        field.column: field.get_default() for field in model._meta.concrete_fields
        if field.column not in columns and not field.null and not field.primary_key
        and field.get_default() is not None
    }


def insert_rows(model, columns: list[str], rows, *, chunk: int = 50_000) -> int:
    """Write rows (tuples in `columns` order, by column name) fast: COPY on PostgreSQL, bulk_create elsewhere."""
    from django.db import connection

    count = 0
    if connection.vendor == "postgresql":
        # COPY knows no Django default: a column the rows leave out gets its field's, as bulk_create would give it.
        defaults = _defaults(model, columns)
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in [*columns, *defaults])
        tail = "".join("\t" + _copy_value(value) for value in defaults.values())
        with connection.cursor() as cursor:
            buffer: list[str] = []
            for row in rows:
                buffer.append("\t".join(_copy_value(v) for v in row) + tail)
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
    from objectives.models import Indicator, Observation, PartnerTarget

    if not keep_flows:
        MobilityFlow.objects.all()._raw_delete(MobilityFlow.objects.db)
    bench_activities = Activity.objects.filter(slug__startswith=BENCH_SLUG)
    for relation in ("partners", "organisations", "objectives", "priorities", "instruments"):
        through = getattr(Activity, relation).through
        through.objects.filter(activity__slug__startswith=BENCH_SLUG)._raw_delete(through.objects.db)
    bench_activities._raw_delete(Activity.objects.db)
    _remove_rounds()
    bench_indicators = Indicator.objects.filter(code__regex=rf"^\d+\.\d+\.{BENCH_INDICATOR_PREFIX}\d+$")
    PartnerTarget.objects.filter(indicator__in=bench_indicators)._raw_delete(PartnerTarget.objects.db)
    Observation.objects.filter(indicator__in=bench_indicators)._raw_delete(Observation.objects.db)
    # The ASEM series made from partners' values is written with its history, as an approval writes it.
    history = Observation.history.model
    history.objects.filter(indicator_id__in=bench_indicators.values("pk"))._raw_delete(history.objects.db)
    bench_indicators._raw_delete(Indicator.objects.db)
    _remove_releases()


def _remove_rounds() -> None:
    """The benchmark's reporting rounds and all their returns hold: raw deletes, children first."""
    from reporting.models import Answer, Question, Reminder, Return, ReturnFlow, ReturnValue, ReturnVersion, Round

    rounds = Round.objects.filter(slug__startswith=BENCH_SLUG)
    for model in (ReturnValue, Answer, ReturnFlow, Reminder, ReturnVersion):
        model.objects.filter(report__round__in=rounds)._raw_delete(model.objects.db)
    history = Return.history.model
    history.objects.filter(round_id__in=rounds.values("pk"))._raw_delete(history.objects.db)
    Return.objects.filter(round__in=rounds)._raw_delete(Return.objects.db)
    Question.objects.filter(round__in=rounds)._raw_delete(Question.objects.db)
    through = Round.indicators.through
    through.objects.filter(round__in=rounds)._raw_delete(through.objects.db)
    rounds._raw_delete(Round.objects.db)


def build(scale: Scale, *, log=print) -> BuildReport:
    """Fill the database with `scale`'s flows, activities and indicators, on top of the strategy's real content."""
    import time

    from django.core.management import call_command
    from django.db import connection, transaction

    from mobility import totals
    from mobility.activity_counts import activities_changed
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
        users = step("accounts", _build_accounts, partners)
        rng = random.Random(SEED)
        report.flows = step("flows", _build_flows, scale, partners)
        report.conflicts = step("flows both ends report", _build_conflicts, scale, partners)
        flows_changed()  # COPY sends no signal
        report.activities, report.activity_links = step("activities", _build_activities, scale, partners, rng)
        activities_changed()  # nor do the activities' COPY and bulk_create
        report.indicators, report.observations = step("indicators", _build_indicators, scale, rng)
        partner_indicators, report.partner_values = step(
            "partners' values", _build_partner_values, scale, partners, rng)
        report.indicators += len(partner_indicators)
        report.observations += report.partner_values
        report.observations += step("ASEM values from partners'", _aggregate_partner_values, partner_indicators)
        report.returns = step("reporting round", _build_round, scale, partners, partner_indicators)
        report.versions = step("returns' versions", _build_return_versions, users)
        report.reminders = step("a year of reminders", _build_reminders, users)
        report.releases = step("data releases", _build_releases, users)
    started = time.monotonic()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum would have done on a live database
    timings["vacuum analyze"] = time.monotonic() - started
    from objectives.services import refresh_computed_indicators

    # Now, not when a worker gets to it: the benchmark reads them (the activities' counts are rebuilt with them).
    step("flow totals", totals.rebuild)
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


def conflict_step(scale: Scale) -> int:
    """Every how many flows the origin reported the same route, year, mode, level and programme too: a few thousand
    rows at the large and small scales, a few dozen at the tiny one."""
    return min(max(scale.flows // 2_000, 7), 500)


def _build_conflicts(scale: Scale, partners: dict[str, int]) -> int:
    """The origin's own report of some flows, with a different figure; the host rule then hides the origin's rows.

    Written with COPY, so no signal settles them: mobility's own set-based settle_public() does, over every flow,
    as an import does after its COPY.
    """
    from django.db.models import Q
    from django.utils import timezone

    from mobility.models import MobilityFlow
    from mobility.services import settle_public

    now = timezone.now()
    every = conflict_step(scale)
    columns = ["year", "origin_id", "destination_id", "reported_by_id", "is_public", "mode", "level", "participants",
               "female", "fewer_opportunities", "programme", "source", "is_demo", "updated_at"]
    rows = (
        # The origin counts its own outgoing participants: a tenth more or less than the host's count, never equal.
        (year, partners[origin], partners[destination], partners[origin], True, mode, level,
         participants + max(1, participants // 10) * (1 if i % 2 else -1) if participants > 1 else participants + 1,
         None, None, programme, f"{source}: the origin's report", False, now)
        for i, (year, origin, destination, mode, level, participants, _female, _fewer, programme, source)
        in enumerate(flow_rows(scale, list(partners)))
        if i % every == 0
    )
    written = insert_rows(MobilityFlow, columns, rows)
    settle_public(within=Q())
    return written


def _build_accounts(partners: dict[str, int]) -> dict[str, object]:
    """The two accounts the benchmark signs in as: Germany's focal point and a member of the secretariat.

    Kept from build to build (get or create), their password set anew: bench/run.py signs in through the sign-in
    form with it.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.roles import SECRETARIAT_GROUP
    from mobility.models import PartnerMembership

    User = get_user_model()
    users = {}
    for username, staff in ((BENCH_FOCAL_POINT, False), (BENCH_SECRETARIAT, True)):
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@bench.invalid"})
        user.is_staff, user.is_active = staff, True
        user.set_password(BENCH_PASSWORD)
        user.save()
        users[username] = user
    PartnerMembership.objects.get_or_create(user=users[BENCH_FOCAL_POINT], partner_id=partners[BENCH_FOCAL_PARTNER])
    users[BENCH_SECRETARIAT].groups.add(Group.objects.get(name=SECRETARIAT_GROUP))
    return users


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


# --- Partners' values and a reporting round ----------------------------------------------------------------------

# How partners' values make the ASEM value, in turn: two sums, two means, one count of partners saying yes.
PARTNER_AGGREGATIONS = ["sum", "sum", "mean", "mean", "count"]
# In turn by the partners' codes: Germany's (the twelfth), the return its benchmark focal point opens, is returned,
# so its form is the fullest one a focal point edits: every value, every answer and the secretariat's note.
RETURN_STATES = ["approved", "submitted", "draft", "returned"]
ROUND_QUESTIONS = [
    "What were the highlights of the period?", "What stood in the way?", "Which good practice would you share?",
    "What do you plan next?",
]


def partner_series(scale: Scale, rule: str, partner_codes: list[str],
                   rng: random.Random) -> dict[str, dict[int, float]]:
    """One indicator's values per partner and year: {code: {year: value}}, every partner every year.

    The whole grid, 53 partners by the indicators by ten years, as the issue sizes the benchmark: the pages that
    compare partners and the ASEM values made from theirs read the most rows they will ever read. A gap would only
    make them lighter.
    """
    series: dict[str, dict[int, float]] = {}
    years = list(scale.years)[: scale.observation_years]
    for code in partner_codes:
        values: dict[int, float] = {}
        if rule == "sum":
            value, trend = float(rng.randint(50, 5000)), rng.uniform(-0.02, 0.10)
        elif rule == "mean":
            value, trend = rng.uniform(5, 60), rng.uniform(-0.02, 0.06)
        else:
            value, trend = (1.0 if rng.random() < 0.3 else 0.0), 0.0
        for y, year in enumerate(years):
            if y:
                if rule == "count":
                    value = 1.0 if value or rng.random() < 0.08 else 0.0
                else:
                    value = max(value * (1 + trend + rng.uniform(-0.03, 0.03)), 0.0)
            values[year] = round(value) if rule == "sum" else min(round(value, 1), 100.0) if rule == "mean" else value
        series[code] = values
    return series


def _build_partner_values(scale: Scale, partners: dict[str, int], rng: random.Random) -> tuple[list, int]:
    """The indicators partners report, each partner's values for every year and its own targets."""
    from objectives import progress
    from objectives.models import Indicator, Observation, PartnerTarget, Priority

    priorities = list(Priority.objects.order_by("code"))
    codes = sorted(partners)
    indicators, all_series = [], []
    for j in range(scale.partner_indicators):
        i = scale.indicators + j
        # From the first priority on, so objective 1 has some at every scale: its partners' page has them to show.
        priority = priorities[j % len(priorities)]
        rule = PARTNER_AGGREGATIONS[j % len(PARTNER_AGGREGATIONS)]
        series = partner_series(scale, rule, codes, rng)
        baseline, _coverage = progress.aggregate(
            {code: values[scale.first_year] for code, values in series.items() if scale.first_year in values},
            rule=rule)
        baseline = baseline or 0.0
        direction = -1 if rule == "mean" and j % 9 == 2 else 1
        if rule == "sum":
            kind, unit, target = Indicator.Kind.COUNT, "participants", round(baseline * 1.6)
        elif rule == "mean":
            kind, unit = Indicator.Kind.PERCENTAGE, "%"
            target = round(baseline * 0.7, 1) if direction < 0 else min(round(baseline * 1.3, 1), 100.0)
        else:
            kind, unit, target = Indicator.Kind.COUNT, "partners", float(min(len(codes), baseline + 15))
        indicators.append(Indicator(
            priority=priority, code=f"{priority.code}.{BENCH_INDICATOR_PREFIX}{i + 1:03d}",
            name=f"Benchmark indicator {i + 1} that partners report, for priority {priority.code}",
            unit=unit, kind=kind, aggregation=rule, direction=direction, baseline_year=scale.first_year,
            baseline_value=baseline, target_value=None if j % 7 == 6 else target, data_source=BENCH_SOURCE,
            methodology="Benchmark indicator: each partner reports its own value in the reporting rounds.",
        ))
        all_series.append(series)
    Indicator.objects.bulk_create(indicators, batch_size=500)
    values = [
        (indicator.pk, partners[code], year, value, "", False, None, "")
        for indicator, series in zip(indicators, all_series, strict=True)
        for code, by_year in series.items() for year, value in by_year.items()
    ]
    columns = ["indicator_id", "partner_id", "year", "value", "breakdown", "is_computed", "coverage", "note"]
    count = insert_rows(Observation, columns, values)
    factors = {"sum": 1.5, "mean": 1.2}
    targets = [
        (indicator.pk, partners[code], indicator.target_year,
         round(by_year[min(by_year)] * (factors[indicator.aggregation] if indicator.direction > 0 else 0.8), 1))
        for indicator, series in zip(indicators, all_series, strict=True)
        if indicator.target_value is not None and indicator.aggregation in factors
        for code, by_year in series.items() if by_year
    ]
    insert_rows(PartnerTarget, ["indicator_id", "partner_id", "target_year", "target_value"], targets)
    return indicators, count


def _aggregate_partner_values(indicators: list) -> int:
    """The ASEM series of each indicator partners report, made from their values once, as approvals make it."""
    from objectives.models import Observation
    from objectives.services import recompute_partner_aggregates

    recompute_partner_aggregates(indicators=indicators)
    return Observation.objects.filter(indicator__in=indicators, partner__isnull=True).count()


def _build_round(scale: Scale, partners: dict[str, int], indicators: list) -> int:
    """An open round on the last two years and the indicators partners report, a return per partner in each state.

    The approved returns hold the values already public; the others hold what a partner is still working on (a
    draft has half its values in); the submitted and returned ones have answers to every question.
    """
    import datetime

    from django.utils import timezone

    from objectives.models import Observation
    from reporting.models import Answer, Question, Return, ReturnValue, Round

    if not indicators:
        return 0
    now = timezone.now()
    years = (scale.last_year - 1, scale.last_year)
    round_ = Round(name=f"Benchmark stocktaking {scale.last_year}", slug=f"{BENCH_SLUG}stocktaking-{scale.last_year}",
                   first_year=years[0], last_year=years[1], deadline=datetime.date(scale.last_year + 1, 6, 30),
                   state=Round.State.OPEN, includes_flows=False, opened_at=now - datetime.timedelta(days=365))
    Round.objects.bulk_create([round_])
    insert_rows(Round.indicators.through, ["round_id", "indicator_id"], [(round_.pk, i.pk) for i in indicators])
    questions = Question.objects.bulk_create(
        [Question(round=round_, number=n, text=text, required=n == 1) for n, text in enumerate(ROUND_QUESTIONS, 1)])
    reports = []
    for n, code in enumerate(sorted(partners)):
        state = RETURN_STATES[n % len(RETURN_STATES)]
        done = state != "draft"
        reports.append(Return(
            round=round_, partner_id=partners[code], state=state, version=2 if done else 1,
            review_note="Please check the figures for the last year." if state == "returned" else "",
            submitted_at=now if done else None, approved_at=now if state == "approved" else None,
            approved_version=2 if state == "approved" else None,
        ))
    Return.objects.bulk_create(reports)
    values = {
        (indicator_id, partner_id, year): value
        for indicator_id, partner_id, year, value in Observation.objects.filter(
            indicator__in=indicators, partner__isnull=False, year__in=years, breakdown="",
        ).values_list("indicator_id", "partner_id", "year", "value")
    }
    rows = [
        (report.pk, indicator.pk, year, values[(indicator.pk, report.partner_id, year)], "")
        for report in reports
        for indicator in (indicators if report.state != "draft" else indicators[: (len(indicators) + 1) // 2])
        for year in years if (indicator.pk, report.partner_id, year) in values
    ]
    insert_rows(ReturnValue, ["report_id", "indicator_id", "year", "value", "note"], rows)
    insert_rows(Answer, ["report_id", "question_id", "text"], [
        (report.pk, question.pk, f"The benchmark's answer of {report.partner_id} to question {question.number}.")
        for report in reports if report.state != "draft" for question in questions
    ])
    return len(reports)


def _build_return_versions(users: dict) -> int:
    """What each return's history shows: the version the round opened it with, a first save with half its values,
    and for those sent to the secretariat the whole return; then its moves (submitted, returned, approved)."""
    import datetime

    from reporting.models import Answer, Return, ReturnValue, ReturnVersion

    reports = list(Return.objects.filter(round__slug__startswith=BENCH_SLUG).select_related("round", "partner"))
    if not reports:
        return 0
    values: dict[int, dict[str, float]] = {}
    for report_id, code, year, value in (ReturnValue.objects.filter(report__in=reports).order_by("indicator__code")
                                         .values_list("report_id", "indicator__code", "year", "value")):
        values.setdefault(report_id, {})[f"{code}/{year}"] = value
    answers: dict[int, dict[str, str]] = {}
    for report_id, number, text in Answer.objects.filter(report__in=reports).values_list(
            "report_id", "question__number", "text"):
        answers.setdefault(report_id, {})[str(number)] = text
    focal_point, secretariat = users[BENCH_FOCAL_POINT], users[BENCH_SECRETARIAT]
    versions, history = [], []
    history_model = Return.history.model
    fields = [field.attname for field in Return._meta.concrete_fields]
    for report in reports:
        opened = report.round.opened_at
        mine = values.get(report.pk, {})
        half = dict(list(mine.items())[: (len(mine) + 1) // 2])
        by = focal_point if report.partner.code == BENCH_FOCAL_PARTNER else None
        contents = [({}, "prefilled"), (half, "")] + ([(mine, "")] if report.version >= 2 else [])
        for number, (content_values, reason) in enumerate(contents):
            versions.append(ReturnVersion(
                report=report, number=number, saved_at=opened + datetime.timedelta(days=30 * number + 1),
                saved_by=None if number == 0 else by, state=Return.State.DRAFT, reason=reason,
                content={"values": content_values, "answers": answers.get(report.pk, {}) if number == 2 else {},
                         "flows": []},
            ))
        moves = [(Return.State.DRAFT, "+", opened, None)]
        if report.state != Return.State.DRAFT:
            moves.append((Return.State.SUBMITTED, "~", opened + datetime.timedelta(days=90), by))
        if report.state in (Return.State.RETURNED, Return.State.APPROVED):
            moves.append((report.state, "~", opened + datetime.timedelta(days=120), secretariat))
        for state, kind, when, user in moves:
            row = {name: getattr(report, name) for name in fields}
            history.append(history_model(**{**row, "state": state}, history_date=when, history_type=kind,
                                         history_user=user, history_change_reason=None))
    ReturnVersion.objects.bulk_create(versions, batch_size=500)
    history_model.objects.bulk_create(history, batch_size=500)
    return len(versions)


def _build_reminders(users: dict) -> int:
    """A year of reminders: every week of the year the round has been open, each return not yet approved by then
    reminded from the board (an approved one stops at its approval, halfway)."""
    import datetime

    from reporting.models import Reminder, Return

    reports = list(Return.objects.filter(round__slug__startswith=BENCH_SLUG).select_related("partner", "round"))
    secretariat = users[BENCH_SECRETARIAT]
    rows = []
    for report in reports:
        start = report.round.opened_at
        weeks = 26 if report.state == Return.State.APPROVED else 52
        for week in range(weeks):
            sent = start + datetime.timedelta(weeks=week)
            rows.append(Reminder(report=report, threshold=f"manual-{sent.date().isoformat()}", sent_at=sent,
                                 recipients=f"focal-point@{report.partner.code.lower()}.bench.invalid",
                                 sent_by=secretariat))
    Reminder.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


BENCH_RELEASE_REASON = "Benchmark release"
BENCH_RELEASES = 5


def _release_package(number: int) -> bytes:
    """A small zip that says what it is: the benchmark's releases are placeholders, not packages of the data."""
    import json
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps({
            "name": f"asem-benchmark-release-{number}", "title": f"Synthetic benchmark release {number}",
            "description": "Synthetic benchmark data: a placeholder standing in for a data release, so that the "
                           "pages listing releases have some to list.",
            "resources": [],
        }, indent=2))
    return out.getvalue()


def _build_releases(users: dict) -> int:
    """A few small ready releases, one a quarter, as the secretariat asks for them."""
    import datetime
    import hashlib

    from django.db.models import Max
    from django.utils import timezone

    from opendata.models import DataRelease, ReleaseChunk

    first = (DataRelease.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    now = timezone.now()
    for n in range(BENCH_RELEASES):
        number = first + n
        data = _release_package(number)
        release = DataRelease.objects.create(
            number=number, state=DataRelease.State.READY, requested_by=users[BENCH_SECRETARIAT],
            reason=f"{BENCH_RELEASE_REASON} {n + 1}: synthetic", size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            finished_at=now - datetime.timedelta(days=91 * (BENCH_RELEASES - n)),
        )
        ReleaseChunk.objects.create(release=release, index=0, data=data)
    return BENCH_RELEASES


def _remove_releases() -> None:
    from opendata.models import DataRelease, ReleaseChunk

    releases = DataRelease.objects.filter(reason__startswith=BENCH_RELEASE_REASON)
    ReleaseChunk.objects.filter(release__in=releases)._raw_delete(ReleaseChunk.objects.db)
    releases._raw_delete(DataRelease.objects.db)
