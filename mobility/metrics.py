"""The mobility and activity metrics that computed indicators use, registered with objectives.

Each metric is one aggregate query returning ``{year: value}``. Flows count
whatever their origin (demo or real), the public rows only (where both ends
of a route reported it, the host's); activities count only when published,
in the year they start, up to this year. Shares are percentages (0 to 100), the balance ratio
runs from 0 to 1.

The receivers at the end only tell objectives that its inputs changed
(``core.changes.data_changed``, which debounces to one announcement per
transaction): the admin, the API and imports all write flows and
activities, and this catches every one of them.
"""

from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone

from mobility.models import Activity, DeliveryMode, MobilityFlow, Partner, Region
from objectives.registry import metrics

# The strategy's six instruments: their slugs are fixed by load_strategy.
INSTRUMENT_SLUGS = (
    "people-to-people", "policy-dialogue", "knowledge-exchange", "collaborative-research",
    "multilateral-synergies", "visibility-communication",
)
OBJECTIVE_NUMBERS = (1, 2, 3, 4)

def public_flows():
    return MobilityFlow.objects.filter(is_public=True)


ASIA_TO_EUROPE = Q(origin__region=Region.ASIA, destination__region=Region.EUROPE)
EUROPE_TO_ASIA = Q(origin__region=Region.EUROPE, destination__region=Region.ASIA)


def participants(direction: Q) -> dict[int, float]:
    """Participants moving in one direction, each year any flow is reported (0 when none go that way)."""
    rows = public_flows().order_by().values("year").annotate(n=Coalesce(Sum("participants", filter=direction), 0))
    return {row["year"]: float(row["n"]) for row in rows}


def asia_to_europe() -> dict[int, float]:
    return participants(ASIA_TO_EUROPE)


def europe_to_asia() -> dict[int, float]:
    return participants(EUROPE_TO_ASIA)


def balance_ratio() -> dict[int, float]:
    """The smaller direction over the larger, each year anyone moved between Asia and Europe."""
    rows = public_flows().order_by().values("year").annotate(
        to_europe=Coalesce(Sum("participants", filter=ASIA_TO_EUROPE), 0),
        to_asia=Coalesce(Sum("participants", filter=EUROPE_TO_ASIA), 0),
    )
    return {
        row["year"]: min(row["to_europe"], row["to_asia"]) / max(row["to_europe"], row["to_asia"])
        for row in rows if max(row["to_europe"], row["to_asia"]) > 0
    }


def blended_virtual_share() -> dict[int, float]:
    rows = public_flows().order_by().values("year").annotate(
        part=Coalesce(Sum("participants", filter=Q(mode__in=[DeliveryMode.BLENDED, DeliveryMode.VIRTUAL])), 0),
        whole=Sum("participants"),
    )
    return {row["year"]: 100 * row["part"] / row["whole"] for row in rows if row["whole"]}


def reported_share(field: str) -> dict[int, float]:
    """`field` as a percentage of the participants of the flows that report it: an unknown is not a zero."""
    rows = (
        public_flows().order_by().filter(**{f"{field}__isnull": False})
        .values("year").annotate(part=Sum(field), whole=Sum("participants"))
    )
    return {row["year"]: 100 * row["part"] / row["whole"] for row in rows if row["whole"]}


def female_share() -> dict[int, float]:
    return reported_share("female")


def fewer_opportunities_share() -> dict[int, float]:
    return reported_share("fewer_opportunities")


def published_activities(served: Q) -> dict[int, float]:
    """Published activities starting each year that match `served`; 0 in a year with activities but none of these.

    Years run without gaps from the first year any published activity starts
    to the last, but never beyond this year: a planned activity is not yet
    an observation.
    """
    year = Coalesce("start_year", ExtractYear("start_date"), output_field=IntegerField())
    rows = (
        Activity.objects.filter(state=Activity.State.PUBLISHED).order_by()
        .annotate(year=year).filter(year__isnull=False, year__lte=timezone.localdate().year)
        .values("year").annotate(n=Count("pk", filter=served, distinct=True))
    )
    counts = {row["year"]: row["n"] for row in rows}
    if not counts:
        return {}
    return {y: float(counts.get(y, 0)) for y in range(min(counts), max(counts) + 1)}


def activities_for_objective(number: int):
    def compute() -> dict[int, float]:
        return published_activities(Q(objectives__number=number))

    compute.__qualname__ = f"activities_for_objective_{number}"
    return compute


def activities_for_instrument(slug: str):
    def compute() -> dict[int, float]:
        return published_activities(Q(instruments__slug=slug))

    compute.__qualname__ = f"activities_for_instrument_{slug.replace('-', '_')}"
    return compute


def register_metrics() -> None:
    metrics.register(
        "mobility.asia_to_europe", asia_to_europe, label="Participants moving from Asia to Europe",
        unit="participants", description="All flows from an Asian partner to a European one, each year.",
    )
    metrics.register(
        "mobility.europe_to_asia", europe_to_asia, label="Participants moving from Europe to Asia",
        unit="participants", description="All flows from a European partner to an Asian one, each year.",
    )
    metrics.register(
        "mobility.balance_ratio", balance_ratio, label="Balance of Asia-Europe mobility", unit="ratio",
        description="The smaller direction's participants over the larger's: 1 is perfectly balanced.",
    )
    metrics.register(
        "mobility.blended_virtual_share", blended_virtual_share, label="Share of blended and virtual mobility",
        unit="%", description="Participants in blended or virtual mobility, as a percentage of all participants.",
    )
    metrics.register(
        "mobility.female_share", female_share, label="Female share of mobile participants", unit="%",
        description="Female participants as a percentage of the participants of flows that report it.",
    )
    metrics.register(
        "mobility.fewer_opportunities_share", fewer_opportunities_share,
        label="Share of mobile participants with fewer opportunities", unit="%",
        description="Participants with fewer opportunities as a percentage of the participants of flows that "
                    "report it.",
    )
    for number in OBJECTIVE_NUMBERS:
        metrics.register(
            f"activities.objective.{number}", activities_for_objective(number),
            label=f"Published activities serving objective {number}", unit="activities",
            description="Published activities serving the objective, counted in the year they start.",
        )
    for slug in INSTRUMENT_SLUGS:
        metrics.register(
            f"activities.instrument.{slug}", activities_for_instrument(slug),
            label=f"Published activities using the instrument {slug}", unit="activities",
            description="Published activities using the instrument, counted in the year they start.",
        )


def connect_receivers() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from core.changes import model_changed

    for model in (MobilityFlow, Activity, Partner):
        post_save.connect(model_changed, sender=model, dispatch_uid=f"progress-{model.__name__}-save")
        post_delete.connect(model_changed, sender=model, dispatch_uid=f"progress-{model.__name__}-delete")
    for through in (Activity.objectives.through, Activity.instruments.through):
        m2m_changed.connect(model_changed, sender=through, dispatch_uid=f"progress-{through.__name__}")
