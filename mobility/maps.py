"""The maps of where participants go: the mobility page's (the public flows the filters chose, or the latest year's)
and a partner profile's (its own flows over all years, focus on it).

Each partner is coloured by the participants it sent and received, the largest routes are arrows, and the table
beside the map gives every partner's figures (core.maps.flow_map draws it). Three queries: whether the kept totals
are current, the routes' sums (from them when they answer), and the partners' names.
"""

from collections.abc import Mapping

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core import maps
from core.charts import number
from mobility.models import MobilityFlow
from mobility.selectors import largest_corridors
from partners.models import Partner

ARCS = 8  # the routes drawn as arrows; more tangle over Europe
YEAR_FILTERS = ("year", "year_from", "year_to")


def routes(queryset: QuerySet[MobilityFlow], *, filters: Mapping | None) -> list[tuple[str, str, float]]:
    """Every partner-to-partner route's participants over the flows given, largest first."""
    return [(row["origin"], row["destination"], row["participants"] or 0)
            for row in largest_corridors(queryset, limit=None, filters=filters)]


def period(filters: Mapping | None) -> str:
    """The years the filters asked for, in words: "2023", "2021 to 2024", "from 2021", "up to 2024" or ""."""
    filters = filters or {}
    year, start, end = (filters.get(name) for name in YEAR_FILTERS)
    if year:
        return str(year)
    if start and end:
        return _("%(start)s to %(end)s") % {"start": start, "end": end} if start != end else str(start)
    if start:
        return _("from %(start)s") % {"start": start}
    if end:
        return _("up to %(end)s") % {"start": start, "end": end}
    return ""


def mobility_map(queryset: QuerySet[MobilityFlow], *, filters: Mapping | None, latest_year: int | None,
                 focus: str | None = None) -> maps.Map | None:
    """The flows the filters chose; when they ask no year, only the latest year's (latest_year), so it stays legible.

    filters is the filter form's cleaned data, or None when a filter was refused (then the flows, unfiltered).
    """
    asked = dict(filters or {})
    when = period(asked)
    if not when:
        if latest_year is None:
            return None
        queryset = queryset.filter(year=latest_year)
        asked["year"] = latest_year
        when = str(latest_year)
    found = routes(queryset, filters=asked if filters is not None else None)
    names = dict(Partner.objects.values_list("code", "name"))
    return flow_map(found, names=names, when=when, focus=focus, map_id="mobility-map")


def flow_map(found: list[tuple[str, str, float]], *, names: dict[str, str], when: str, focus: str | None = None,
             map_id: str) -> maps.Map:
    largest = sorted(found, key=lambda route: -route[2])[:ARCS]
    arrows = "; ".join(
        _("%(origin)s to %(destination)s, %(count)s") % {
            "origin": names.get(o, o), "destination": names.get(d, d), "count": number(c, 0)}
        for o, d, c in largest)
    if focus:
        title = _("Where %(name)s's participants come from and go to, %(when)s") % {
            "name": names.get(focus, focus), "when": when}
        what = _("each other partner coloured by the participants it sent to %(name)s and received from it") % {
            "name": names.get(focus, focus)}
    else:
        title = _("Where participants went, %(when)s") % {"when": when}
        what = _("each partner coloured by the participants it sent and received")
    if found:
        description = _(
            "A map of the ASEM partners, %(what)s, in up to five classes from light (fewest) to dark (most); partners "
            "with none are grey and hatched. Arrows show the largest routes: %(arrows)s. The table beside the map "
            "gives every partner's figures."
        ) % {"what": what, "arrows": arrows}
    else:
        description = _("No participants in these flows: every partner is grey and hatched.")
    return maps.flow_map(map_id=map_id, title=title, description=description, names=names, flows=found,
                         focus=focus, arcs=ARCS)


def partner_map(partner: Partner, *, years: list[int], routes: list[dict]) -> maps.Map | None:
    """Where a partner's participants come from and go to, over all the years of its public flows (years): each other
    partner coloured by what it exchanged with it. routes: its routes, as mobility.selectors.partner_routes() gives
    them. One query: the partners' names."""
    if not years:
        return None
    found = [(route["origin"], route["destination"], route["participants"] or 0) for route in routes]
    names = dict(Partner.objects.values_list("code", "name"))
    first, last = min(years), max(years)
    when = str(first) if first == last else _("%(start)s to %(end)s") % {"start": first, "end": last}
    return flow_map(found, names=names, when=when, focus=partner.code, map_id="partner-map")
