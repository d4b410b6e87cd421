"""Reads of partners, activities and mobility, shared by pages, the API and exports."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from mobility.activity_counts import kept as kept_activity_counts
from mobility.activity_counts import up_to_date as activity_counts_up_to_date
from mobility.models import (
    DIRECTION_REGIONS,
    Activity,
    ActivityCount,
    DeliveryMode,
    FlowTotal,
    FlowTotalState,
    MobilityFlow,
    MobilityLevel,
    Partner,
    PartnerTotal,
    RouteTotal,
    direction_lookup,
)

SUMMARY_GROUPS = ["year", "direction", "mode", "level", "origin", "destination"]
# Filters that change no sum.
SUMMARY_NEUTRAL_FILTERS = {"ordering"}


class Source:
    """Where sums of flows come from: the flows themselves, or the totals kept of them (mobility/totals.py).

    The kept totals are already sums, so they are summed again where the flows
    are counted, and cast back to whole numbers (PostgreSQL widens a sum of
    big integers to a decimal).
    """

    def __init__(self, queryset: QuerySet, *, kept: bool):
        self.queryset = queryset.order_by()
        self.kept = kept

    def total(self, name: str, **extra):
        return Cast(Sum(name, **extra), output_field=BigIntegerField()) if self.kept else Sum(name, **extra)

    def count(self):
        return Coalesce(self.total("flows"), 0) if self.kept else Count("pk")

    def demo_count(self):
        return Coalesce(self.total("demo_flows"), 0) if self.kept else Count("pk", filter=Q(is_demo=True))


TOTAL_GROUPS = ("year", "direction", "mode", "level")  # FlowTotal's, in the order it is built by
YEAR_LOOKUPS = {"year": lambda v: Q(year=v), "year_from": lambda v: Q(year__gte=v), "year_to": lambda v: Q(year__lte=v)}
# What each kept table is summed by, and the flow filters it answers, as the lookups that select its rows.
KEPT_TOTALS = [
    (FlowTotal, set(TOTAL_GROUPS), {
        **YEAR_LOOKUPS, "direction": lambda v: Q(direction=v), "mode": lambda v: Q(mode=v),
        "level": lambda v: Q(level=v),
    }),
    (RouteTotal, {"year", "direction", "origin", "destination"}, {
        **YEAR_LOOKUPS, "direction": direction_lookup, "origin": lambda v: Q(origin=v),
        "destination": lambda v: Q(destination=v), "partner": lambda v: Q(origin=v) | Q(destination=v),
    }),
]


def totals_current() -> bool:
    """Whether the kept totals include every committed change of flows and partners."""
    return FlowTotalState.objects.filter(built_version=F("version")).exists()


def source(
    queryset: QuerySet[MobilityFlow], filters: Mapping | None, needs: frozenset[str] | set[str] = frozenset()
) -> Source:
    """The kept totals that answer for the flows the filters selected and the groups needed, if they are current;
    else the flows themselves (the queryset). filters=None: the flows, without asking."""
    if filters is not None:
        asked = {
            name: value for name, value in filters.items()
            if value not in (None, "") and name not in SUMMARY_NEUTRAL_FILTERS
        }
        for model, groups, lookups in KEPT_TOTALS:
            if needs <= groups and asked.keys() <= lookups.keys():
                if not totals_current():
                    break
                where = Q()
                for name, value in asked.items():
                    where &= lookups[name](value)
                return Source(model.objects.filter(where), kept=True)
    return Source(queryset, kept=False)


def public_activities() -> QuerySet[Activity]:
    """Published activities with what a list shows, in a fixed number of queries."""
    return (
        Activity.objects.filter(state=Activity.State.PUBLISHED)
        .select_related("lead_partner")
        .prefetch_related(
            "objectives", "instruments", Prefetch("partners", queryset=Partner.objects.order_by("name"))
        )
    )


def partner_list() -> QuerySet[Partner]:
    return Partner.objects.order_by("region", "name")


def flows() -> QuerySet[MobilityFlow]:
    """The public flows: where both ends reported a route, the host's row (mobility.services.settle_public)."""
    return MobilityFlow.objects.filter(is_public=True).select_related("origin", "destination")


def reported_flows() -> QuerySet[MobilityFlow]:
    """Every row as reported, public or not: the secretariat's list, and a partner's own reports."""
    return MobilityFlow.objects.select_related("origin", "destination")


def other_ends_report(*, differing: bool = False) -> QuerySet[MobilityFlow]:
    """For Exists(): the other end's row of the outer flow's year, route, mode, level and programme; with
    differing, only where its participants differ."""
    rows = MobilityFlow.objects.filter(
        year=OuterRef("year"), origin=OuterRef("origin"), destination=OuterRef("destination"), mode=OuterRef("mode"),
        level=OuterRef("level"), programme=OuterRef("programme"),
    ).exclude(reported_by=OuterRef("reported_by"))
    return rows.exclude(participants=OuterRef("participants")) if differing else rows


@dataclass(frozen=True)
class FlowConflict:
    """A year, route, mode, level and programme both ends reported, with different numbers of participants."""

    year: int
    origin: Partner
    destination: Partner
    mode: str
    level: str
    programme: str
    destination_figure: int  # the host's
    origin_figure: int
    public: str  # whose row is the public figure: "destination" (the host rule) or "origin"

    @property
    def level_label(self) -> str:
        return MobilityLevel(self.level).label

    @property
    def mode_label(self) -> str:
        return DeliveryMode(self.mode).label

    def __str__(self):
        whose = "the host's" if self.public == "destination" else f"{self.origin.name}'s"
        return (f"{self.destination.name} reported {self.destination_figure:,}, {self.origin.name} "
                f"{self.origin_figure:,}; {whose} figure is shown")


def flow_conflicts(*, partner: Partner | None = None, years=None) -> list[FlowConflict]:
    """Where both ends of a route reported the same year, mode, level and programme with different participants:
    both figures and which one is public, newest year first. One query.

    partner: only its routes (from or to it); years: only those years. Read from the rows that are not public: of
    two rows of one key exactly one is (settle_public), so the few hidden rows lead to every such pair, without
    looking at each of the public ones.
    """
    other_end = other_ends_report().order_by()
    rows = (
        MobilityFlow.objects.filter(is_public=False)
        .annotate(other_figure=Subquery(other_end.values("participants")[:1]))
        .filter(other_figure__isnull=False).exclude(participants=F("other_figure"))
        .select_related("origin", "destination")
        .order_by("-year", "origin__name", "destination__name", "level", "mode", "programme")
    )
    if partner is not None:
        rows = rows.filter(Q(origin=partner) | Q(destination=partner))
    if years is not None:
        rows = rows.filter(year__in=list(years))
    conflicts = []
    for row in rows:
        hosts_row = row.reported_by_id == row.destination_id  # the hidden one; the origin's figure is public
        conflicts.append(FlowConflict(
            year=row.year, origin=row.origin, destination=row.destination, mode=row.mode, level=row.level,
            programme=row.programme,
            destination_figure=row.participants if hosts_row else row.other_figure,
            origin_figure=row.other_figure if hosts_row else row.participants,
            public="origin" if hosts_row else "destination",
        ))
    return conflicts


def direction_expression() -> Case:
    """The direction of a flow, from its partners' regions, as a database expression."""
    return Case(
        *[
            When(Q(origin__region=origin) & Q(destination__region=destination), then=Value(direction.value))
            for direction, (origin, destination) in DIRECTION_REGIONS.items()
        ],
        output_field=CharField(),
    )


def flow_summary(
    queryset: QuerySet[MobilityFlow], group_by: list[str], *, filters: Mapping | None = None
) -> list[dict]:
    """Totals of participants (and of them female and with fewer opportunities) per group.

    group_by takes names from SUMMARY_GROUPS; origin and destination group by
    partner code. With no group, one row of grand totals. filters are the
    values of the MobilityFlowFilter that selected the queryset (its cleaned
    data, {} for all flows): given them, the kept totals answer when they can,
    with the same rows, in two small queries instead of one over every flow.
    """
    unknown = [name for name in group_by if name not in SUMMARY_GROUPS]
    if unknown:
        raise ValueError(f"cannot group by {', '.join(unknown)}; choose from {', '.join(SUMMARY_GROUPS)}")
    sums = source(queryset, filters, set(group_by))
    totals = {
        "participants": sums.total("participants"), "female": sums.total("female"),
        "fewer_opportunities": sums.total("fewer_opportunities"), "flows": sums.count(),
    }
    if not group_by:
        # values() with no field would group by every field, one row per flow: aggregate instead.
        return [sums.queryset.aggregate(**totals)]
    annotations = {}
    if "direction" in group_by and sums.queryset.model is not FlowTotal:
        annotations["direction"] = direction_expression()
    if "origin" in group_by:
        annotations["origin_code"] = F("origin__code")
    if "destination" in group_by:
        annotations["destination_code"] = F("destination__code")
    columns = [{"origin": "origin_code", "destination": "destination_code"}.get(name, name) for name in group_by]
    rows = sums.queryset.annotate(**annotations).values(*columns).annotate(**totals).order_by(*columns)
    renamed = {"origin_code": "origin", "destination_code": "destination"}
    return [{renamed.get(key, key): value for key, value in row.items()} for row in rows]


def activities_newest_first(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    """Newest first, dating by the year where only the year is known, undated ones last."""
    return queryset.order_by(
        F("start_year").desc(nulls_last=True), F("start_date").desc(nulls_last=True), "title", "pk"
    )


def latest_activities(limit: int = 5) -> list[Activity]:
    latest = public_activities().prefetch_related(None).order_by(F("published_at").desc(nulls_last=True), "title")
    return list(latest[:limit])


def has_demo(queryset: QuerySet) -> bool:
    """Whether any record behind a figure is synthetic, so the page can say so."""
    return queryset.filter(is_demo=True).exists()


def partner_list_with_counts() -> QuerySet[Partner]:
    """Partners with how many published activities each leads and joins, in one query: from the kept counts
    (mobility/activity_counts.py) while they are current, else counted from the activities. Building the query reads
    nothing, so the schema's generator and a view that never evaluates it pay no query."""
    published = Q(state=Activity.State.PUBLISHED)
    led = Activity.objects.filter(published, lead_partner=OuterRef("pk")).order_by().values("lead_partner")
    joined = (
        Activity.partners.through.objects.filter(partner=OuterRef("pk"), activity__state=Activity.State.PUBLISHED)
        .order_by().values("partner")
    )

    def count(kind: str, counted: QuerySet):
        kept = ActivityCount.objects.filter(kind=kind, partner=OuterRef("pk")).order_by().values("activities")
        return Case(When(activity_counts_up_to_date(), then=Coalesce(Subquery(kept[:1]), 0)),
                    default=Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0))

    return partner_list().annotate(led_count=count(ActivityCount.Kind.LED, led),
                                   joined_count=count(ActivityCount.Kind.JOINED, joined))


def partner_activities(partner: Partner) -> tuple[QuerySet[Activity], QuerySet[Activity]]:
    """The published activities a partner leads, and those it takes part in without leading."""
    led = activities_serving(lead_partner=partner)
    joined = activities_serving(partners=partner).exclude(lead_partner=partner)
    return led, joined


def partner_mobility(partner: Partner) -> list[dict]:
    """Per year, how many came to the partner and how many left it, and how many of those flows are demo data."""
    sums = source(flows(), {"partner": partner})
    rows = (
        sums.queryset.filter(Q(origin=partner) | Q(destination=partner))
        .values("year")
        .annotate(
            incoming=Coalesce(sums.total("participants", filter=Q(destination=partner)), 0),
            outgoing=Coalesce(sums.total("participants", filter=Q(origin=partner)), 0),
            demo=sums.demo_count(),
        )
        .order_by("year")
    )
    return list(rows)


def partner_flow_rows(partner: Partner, *, kept: bool) -> list[dict]:
    """The partner's public flows in and out per year, mode and level (year, mode, level, incoming, outgoing and demo:
    how many of those flows are demo data), in that order, in one query: from its kept totals (kept: whether
    totals_current()), else from the flows to and from it."""
    if kept:
        rows = PartnerTotal.objects.filter(partner=partner).values(
            "year", "mode", "level", "incoming", "outgoing", demo=F("demo_flows"))
    else:
        rows = (
            flows().filter(Q(origin=partner) | Q(destination=partner)).order_by()
            .values("year", "mode", "level")
            .annotate(incoming=Coalesce(Sum("participants", filter=Q(destination=partner)), 0),
                      outgoing=Coalesce(Sum("participants", filter=Q(origin=partner)), 0),
                      demo=Count("pk", filter=Q(is_demo=True)))
        )
    return list(rows.order_by("year", "mode", "level"))


def partner_routes(partner: Partner, *, kept: bool) -> list[dict]:
    """Every route to or from the partner with its participants, largest first, each as largest_corridors() gives
    it, in one query: from the kept totals by route (kept: whether totals_current()), else from the flows."""
    sums = Source(RouteTotal.objects.all() if kept else flows(), kept=kept)
    rows = [
        {"origin": row["origin__code"], "origin_name": row["origin__name"],
         "destination": row["destination__code"], "destination_name": row["destination__name"],
         "participants": row["participants"]}
        for row in sums.queryset.filter(Q(origin=partner) | Q(destination=partner))
        .values("origin__code", "origin__name", "destination__code", "destination__name")
        .annotate(participants=sums.total("participants"))
    ]
    return sorted(rows, key=lambda row: (-(row["participants"] or 0), row["origin_name"], row["destination_name"]))


@dataclass
class YearDirections:
    """One year's participants in each direction, and the balance between Asia and Europe."""

    year: int
    asia_to_europe: int = 0
    europe_to_asia: int = 0
    within_asia: int = 0
    within_europe: int = 0

    @property
    def interregional(self) -> int:
        return self.asia_to_europe + self.europe_to_asia

    @property
    def balance(self) -> float | None:
        """The smaller interregional direction over the larger: 1 is perfectly balanced."""
        larger = max(self.asia_to_europe, self.europe_to_asia)
        if not larger:
            return None
        return min(self.asia_to_europe, self.europe_to_asia) / larger


def flows_by_year_and_direction(
    queryset: QuerySet[MobilityFlow], *, filters: Mapping | None = None
) -> list[YearDirections]:
    return years_and_directions(flow_summary(queryset, ["year", "direction"], filters=filters))


def years_and_directions(rows: list[dict]) -> list[YearDirections]:
    """flow_summary rows by year and direction, as one YearDirections a year."""
    years: dict[int, YearDirections] = {}
    for row in rows:
        entry = years.setdefault(row["year"], YearDirections(row["year"]))
        if row["direction"]:
            setattr(entry, row["direction"], row["participants"] or 0)
    return [years[year] for year in sorted(years)]


def table_by_year_and(rows: list[dict], group: str) -> dict[int, dict[str, int]]:
    """flow_summary rows by year and a mode or level, as {year: {mode or level: participants}}."""
    table: dict[int, dict[str, int]] = {}
    for row in rows:
        table.setdefault(row["year"], {})[row[group]] = row["participants"] or 0
    return dict(sorted(table.items()))


SUMMED = ("participants", "female", "fewer_opportunities", "flows")


def regroup(rows: list[dict], group_by: list[str]) -> list[dict]:
    """Rows of a flow_summary added up again by fewer of its groups, as flow_summary would give them.

    One summary by every group a page shows, regrouped in Python, reads the
    flows (or the kept totals) once instead of once a table. Empty groups are
    ordered last.
    """
    groups: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row[name] for name in group_by)
        total = groups.get(key)
        if total is None:
            total = groups[key] = {**dict(zip(group_by, key, strict=True)), **_no_flows()}
        for name in SUMMED:
            if row[name] is not None:
                total[name] = (total[name] or 0) + row[name]
    if not group_by:
        return [groups.get((), _no_flows())]
    return [groups[key] for key in sorted(groups, key=lambda key: tuple((value is None, value) for value in key))]


def _no_flows() -> dict:
    """flow_summary's totals over no flow at all."""
    return {"participants": None, "female": None, "fewer_opportunities": None, "flows": 0}


def largest_corridors(
    queryset: QuerySet[MobilityFlow], limit: int = 10, *, filters: Mapping | None = None
) -> list[dict]:
    """The partner-to-partner routes with the most participants over the flows given (see flow_summary's filters)."""
    sums = source(queryset, filters, {"origin", "destination"})
    rows = (
        sums.queryset
        .values("origin__code", "origin__name", "destination__code", "destination__name")
        .annotate(participants=sums.total("participants"))
        .order_by("-participants", "origin__name", "destination__name")[:limit]
    )
    return [
        {"origin": row["origin__code"], "origin_name": row["origin__name"],
         "destination": row["destination__code"], "destination_name": row["destination__name"],
         "participants": row["participants"]}
        for row in rows
    ]


def activity_counts(by: str) -> dict:
    """Published activities per objective number or instrument slug: {key: (count, of which demo)}. One query: the
    kept counts (mobility/activity_counts.py) while they are current, and then a second, counting the activities."""
    relation, field = {"objective": ("objectives", "objective__number"),
                       "instrument": ("instruments", "instrument__slug")}[by]
    kept = kept_activity_counts(by, by=field)
    if kept is not None:
        return {key: figures for (kind, key), figures in kept.items() if kind == by}
    links = getattr(Activity, relation).through.objects.filter(activity__state=Activity.State.PUBLISHED)
    rows = links.order_by().values(field).annotate(n=Count("pk"), demo=Count("pk", filter=Q(activity__is_demo=True)))
    return {row[field]: (row["n"], row["demo"]) for row in rows}


def activities_serving(**lookup) -> QuerySet[Activity]:
    """Published activities for a short list (no relations beyond the lead partner), newest first."""
    return activities_newest_first(public_activities().prefetch_related(None).filter(**lookup))


def first_activities_serving(relation: str, owner, limit: int) -> tuple[list[Activity], int]:
    """The newest published activities whose relation (objectives, instruments) holds owner, and how many in all (from
    the kept counts while they are current)."""
    related = activities_serving(**{relation: owner})
    kind = {"objectives": ActivityCount.Kind.OBJECTIVE, "instruments": ActivityCount.Kind.INSTRUMENT}[relation]
    kept = kept_activity_counts(kind)
    count = related.count() if kept is None else kept.get((kind, owner.pk), (0, 0))[0]
    return list(related[:limit]), count
