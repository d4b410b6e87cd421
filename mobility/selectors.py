"""Reads of partners, activities and mobility, shared by pages, the API and exports."""

from django.db.models import Case, CharField, Count, F, Prefetch, Q, QuerySet, Sum, Value, When

from mobility.filters import DIRECTION_REGIONS
from mobility.models import Activity, MobilityFlow, Partner

SUMMARY_GROUPS = ["year", "direction", "mode", "level", "origin", "destination"]


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
    return MobilityFlow.objects.select_related("origin", "destination")


def direction_expression() -> Case:
    """The direction of a flow, from its partners' regions, as a database expression."""
    return Case(
        *[
            When(Q(origin__region=origin) & Q(destination__region=destination), then=Value(direction.value))
            for direction, (origin, destination) in DIRECTION_REGIONS.items()
        ],
        output_field=CharField(),
    )


def flow_summary(queryset: QuerySet[MobilityFlow], group_by: list[str]) -> list[dict]:
    """Totals of participants (and of them female and with fewer opportunities) per group.

    group_by takes names from SUMMARY_GROUPS; origin and destination group by
    partner code. With no group, one row of grand totals.
    """
    unknown = [name for name in group_by if name not in SUMMARY_GROUPS]
    if unknown:
        raise ValueError(f"cannot group by {', '.join(unknown)}; choose from {', '.join(SUMMARY_GROUPS)}")
    annotations = {}
    if "direction" in group_by:
        annotations["direction"] = direction_expression()
    if "origin" in group_by:
        annotations["origin_code"] = F("origin__code")
    if "destination" in group_by:
        annotations["destination_code"] = F("destination__code")
    columns = [{"origin": "origin_code", "destination": "destination_code"}.get(name, name) for name in group_by]
    rows = (
        queryset.order_by()
        .annotate(**annotations)
        .values(*columns)
        .annotate(
            participants=Sum("participants"), female=Sum("female"), fewer_opportunities=Sum("fewer_opportunities"),
            flows=Count("id"),
        )
        .order_by(*columns)
    )
    renamed = {"origin_code": "origin", "destination_code": "destination"}
    return [{renamed.get(key, key): value for key, value in row.items()} for row in rows]
