"""CSV columns for activities and mobility flows, shared by the pages' exports and the API.

A column is a header and a function of one record. The querysets given
must carry the relations the columns read (public_activities() and
flows() do, plus the prefetches named in ACTIVITY_PREFETCH), so an export
takes a fixed number of queries however many rows it has.
"""

from collections.abc import Iterator

from core.exports import Column
from mobility.models import Activity, MobilityFlow

CHUNK_SIZE = 2000


def _codes(manager, attribute: str) -> str:
    return "; ".join(str(getattr(obj, attribute)) for obj in manager.all())


def _code(partner) -> str:
    return partner.code if partner else ""


def reporter(flow: MobilityFlow):
    """The partner that reported the flow, from its origin or destination (already fetched with it): no query."""
    return flow.origin if flow.reported_by_id == flow.origin_id else flow.destination


ACTIVITY_PREFETCH = ["priorities", "organisations"]

ACTIVITY_COLUMNS = [
    Column("slug", lambda a: a.slug),
    Column("title", lambda a: a.title),
    Column("summary", lambda a: a.summary),
    Column("type", lambda a: a.activity_type),
    Column("status", lambda a: a.status),
    Column("start_date", lambda a: a.start_date),
    Column("end_date", lambda a: a.end_date),
    Column("start_year", lambda a: a.start_year),
    Column("end_year", lambda a: a.end_year),
    Column("place", lambda a: a.place),
    Column("online", lambda a: "yes" if a.online else "no"),
    Column("delivery_mode", lambda a: a.delivery_mode),
    Column("lead_partner", lambda a: _code(a.lead_partner)),
    Column("lead_description", lambda a: a.lead_description),
    Column("partners", lambda a: _codes(a.partners, "code")),
    Column("organisations", lambda a: _codes(a.organisations, "slug")),
    Column("objectives", lambda a: _codes(a.objectives, "number")),
    Column("priorities", lambda a: _codes(a.priorities, "code")),
    Column("instruments", lambda a: _codes(a.instruments, "slug")),
    Column("participants_asia", lambda a: a.participants_asia),
    Column("participants_europe", lambda a: a.participants_europe),
    Column("website", lambda a: a.website),
    Column("source_url", lambda a: a.source_url),
    Column("is_demo", lambda a: "yes" if a.is_demo else "no"),
]

# A flow file's columns (those mobility.imports reads, in this order) with what the export adds around them: the
# partners' names and the direction, for a reader, and the demo mark.
# reported_by is a flow file's one optional column (a row without it is the destination's); is_public says which of
# two ends' reports of a route is the public figure, and only the secretariat's exports hold rows that are not.
FLOW_EXPORT_ONLY = {"origin_name", "destination_name", "direction", "is_public", "is_demo"}
FLOW_COLUMNS = [
    Column("year", lambda f: f.year),
    Column("origin", lambda f: f.origin.code),
    Column("origin_name", lambda f: f.origin.name),
    Column("destination", lambda f: f.destination.code),
    Column("destination_name", lambda f: f.destination.name),
    Column("direction", lambda f: f.direction.value),
    Column("mode", lambda f: f.mode),
    Column("level", lambda f: f.level),
    Column("participants", lambda f: f.participants),
    Column("female", lambda f: f.female),
    Column("fewer_opportunities", lambda f: f.fewer_opportunities),
    Column("programme", lambda f: f.programme),
    Column("source", lambda f: f.source),
    Column("reported_by", lambda f: reporter(f).code),
    Column("is_public", lambda f: "yes" if f.is_public else "no"),
    Column("is_demo", lambda f: "yes" if f.is_demo else "no"),
]


def activity_records(queryset) -> Iterator[Activity]:
    return queryset.prefetch_related(*ACTIVITY_PREFETCH).iterator(chunk_size=CHUNK_SIZE)


def flow_records(queryset) -> Iterator[MobilityFlow]:
    return queryset.iterator(chunk_size=CHUNK_SIZE)
