"""The report's numbers computed again, independently, with plain aggregate queries.

The period's activities come from the activity list's own year filter
(ActivityFilter), year by year, rather than from the report's selector: two
ways to the same set.
"""

from django.db.models import Count, Q, Sum

from mobility.filters import ActivityFilter
from mobility.models import Activity, MobilityFlow, Partner


def period_ids(start: int, end: int) -> set[int]:
    published = Activity.objects.filter(state=Activity.State.PUBLISHED).exclude(status=Activity.Status.CANCELLED)
    ids: set[int] = set()
    for year in range(start, end + 1):
        ids |= set(ActivityFilter({"year": year}, queryset=published).qs.values_list("pk", flat=True))
    return ids


def activities(ids) -> int:
    return Activity.objects.filter(pk__in=ids).aggregate(n=Count("pk"))["n"]


def cell(ids, objective: int, instrument: str) -> int:
    return Activity.objects.filter(pk__in=ids, objectives__number=objective, instruments__slug=instrument).aggregate(
        n=Count("pk", distinct=True))["n"]


def objective_total(ids, objective: int) -> int:
    return Activity.objects.filter(pk__in=ids, objectives__number=objective).aggregate(
        n=Count("pk", distinct=True))["n"]


def instrument_total(ids, instrument: str) -> int:
    return Activity.objects.filter(pk__in=ids, instruments__slug=instrument).aggregate(
        n=Count("pk", distinct=True))["n"]


def participants(ids, objective: int | None = None) -> dict:
    queryset = Activity.objects.filter(pk__in=ids)
    if objective is not None:
        queryset = queryset.filter(objectives__number=objective)
    totals = queryset.aggregate(asia=Sum("participants_asia"), europe=Sum("participants_europe"),
                                activities=Count("pk", distinct=True),
                                reporting=Count("pk", distinct=True, filter=Q(participants_asia__isnull=False)
                                                | Q(participants_europe__isnull=False)))
    return {"asia": totals["asia"] or 0, "europe": totals["europe"] or 0, "activities": totals["activities"],
            "reporting": totals["reporting"]}


def partners_by_side(ids, objective: int | None = None) -> dict:
    queryset = Activity.objects.filter(pk__in=ids)
    if objective is not None:
        queryset = queryset.filter(objectives__number=objective)
    involved = Partner.objects.filter(Q(activities_led__in=queryset) | Q(activities_joined__in=queryset))
    return {side: involved.filter(region=side).aggregate(n=Count("pk", distinct=True))["n"]
            for side in ("asia", "europe")}


def mobility(start: int, end: int, year: int | None = None) -> dict:
    flows = MobilityFlow.objects.filter(year__gte=start, year__lte=end, is_public=True)
    if year is not None:
        flows = flows.filter(year=year)
    result = {}
    for name, origin, destination in [("asia_to_europe", "asia", "europe"), ("europe_to_asia", "europe", "asia"),
                                      ("within_asia", "asia", "asia"), ("within_europe", "europe", "europe")]:
        result[name] = flows.filter(origin__region=origin, destination__region=destination).aggregate(
            n=Sum("participants"))["n"] or 0
    return result


def led(ids, code: str) -> int:
    return Activity.objects.filter(pk__in=ids, lead_partner__code=code).aggregate(n=Count("pk"))["n"]


def joined(ids, code: str) -> int:
    return (Activity.objects.filter(pk__in=ids, partners__code=code).exclude(lead_partner__code=code)
            .aggregate(n=Count("pk", distinct=True))["n"])
