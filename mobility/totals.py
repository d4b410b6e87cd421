"""Mobility totals kept ready: the flows summed per year, direction, mode and level, per year and route, and per
partner, year, mode and level.

They sum the public rows only (where both ends reported a route, the host's: mobility.services.settle_public).

Adding up a million flows takes the database most of a second, and nearly
every sum the portal shows groups and filters by nothing more than year,
direction, mode and level (FlowTotal: a few hundred rows), or by year and
partners (RouteTotal: a row per year and route, tens of thousands): the
summary API, the home page, the mobility page's figures and largest
corridors, a partner's yearly flows. ``mobility.selectors.source`` picks the
table that can answer, while it is current. A partner's profile reads its
flows in and out by year, mode and level from PartnerTotal (a row per
partner, year, mode and level; ``mobility.selectors.partner_flow_rows``).
How it stays honest:

- every write of flows or partners calls ``flows_changed()`` inside its
  transaction (the receivers below for saves and deletes; imports and the
  demo loader, which write in bulk, call it once themselves). It bumps
  ``FlowTotalState.version`` there, so the bump commits with the write or not
  at all, and queues one rebuild for when the transaction commits;
- ``rebuild()`` reads the version, then adds up the flows (which include at
  least every change up to that version), replaces both tables' totals and
  records that version as ``built_version``. A write that commits meanwhile
  bumps the version past it, and queues the next rebuild. Two rebuilds take
  turns; the state row is locked only for the moment of that last update, so
  a writer of flows never waits for the seconds a rebuild takes;
- readers use the totals only while ``built_version`` equals ``version``;
  otherwise they add up the flows themselves. A stale total is never served.

A migration that changes either table must mark them stale too (set
``built_version`` to null, as 0004 does), or an install would read the old
shape as current until its next change.

Rebuilds run in the Celery worker (in-process where there is no broker), after
every committed change and nightly, and with ``manage.py rebuild_flow_totals``.
"""

import logging

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from mobility import activity_counts
from mobility.models import FlowTotal, FlowTotalState, MobilityFlow, Partner, PartnerTotal, RouteTotal
from mobility.selectors import TOTAL_GROUPS, Source, flow_summary

logger = logging.getLogger(__name__)

STATE_ID = 1
REBUILD_QUEUED_KEY = "mobility:flow-totals:queued"
# If a queued rebuild is lost (a broker restart), changes queue a new one after this long.
REBUILD_QUEUED_TIMEOUT = 300
# The advisory lock two rebuilds take turns on (any number no other part of the portal uses).
REBUILD_LOCK = 7_140_001


def flows_changed() -> None:
    """Flows or partners changed in this transaction: mark the totals stale with it and rebuild them after it.

    The mark is made every time (a rebuild earlier in the same transaction
    must not hide a later write); the rebuild is queued once per transaction.
    """
    # No state row yet means no totals have been built: they are stale already.
    FlowTotalState.objects.filter(pk=STATE_ID).update(version=F("version") + 1)
    if connection.in_atomic_block and _queue_rebuild in {callback for _, callback, _ in connection.run_on_commit}:
        return
    transaction.on_commit(_queue_rebuild, robust=True)


def flows_changed_receiver(**kwargs) -> None:
    """A post_save or post_delete receiver: a cue to flows_changed(), nothing more."""
    flows_changed()


def _queue_rebuild() -> None:
    from core.queue import enqueue
    from mobility.tasks import rebuild_flow_totals

    if not cache.add(REBUILD_QUEUED_KEY, True, timeout=REBUILD_QUEUED_TIMEOUT):
        return
    # With the broker away the totals stay stale, and so unused, until the nightly rebuild.
    if not enqueue(rebuild_flow_totals):
        cache.delete(REBUILD_QUEUED_KEY)


def rebuild() -> int:
    """Replace every kept total with the flows' sums now, and mark them current. How many totals there are."""
    with transaction.atomic():
        _take_turns()
        state, _ = FlowTotalState.objects.get_or_create(pk=STATE_ID)
        version = state.version
        written = 0
        for model, rows in ((FlowTotal, _flow_totals()), (RouteTotal, _route_totals()),
                            (PartnerTotal, _partner_totals())):
            model.objects.all().delete()
            written += len(model.objects.bulk_create([model(**row) for row in rows], batch_size=2000))
        state.built_version, state.built_at = version, timezone.now()
        state.save(update_fields=["built_version", "built_at"])
    logger.info("Rebuilt %s mobility flow totals from version %s.", written, version)
    # Cheap beside the flows, and this is the rebuild that runs nightly and after writes in bulk that send no signal.
    activity_counts.rebuild()
    return written


def _take_turns() -> None:
    """Two rebuilds at once take turns, until the first commits; writers of flows never wait for either.

    PostgreSQL: a lock of the transaction's own, on no row. SQLite lets one
    transaction write at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REBUILD_LOCK])


def _flow_totals() -> list[dict]:
    return flow_summary(MobilityFlow.objects.filter(is_public=True), list(TOTAL_GROUPS))


def _route_totals() -> list[dict]:
    sums = Source(MobilityFlow.objects.filter(is_public=True), kept=False)
    return list(
        sums.queryset.values("year", "origin_id", "destination_id").annotate(
            participants=sums.total("participants"), female=sums.total("female"),
            fewer_opportunities=sums.total("fewer_opportunities"), flows=sums.count(), demo_flows=sums.demo_count(),
        )
    )


def _partner_totals() -> list[dict]:
    """Each partner's participants in (as the destination) and out (as the origin) per year, mode and level."""
    public = MobilityFlow.objects.filter(is_public=True).order_by()
    totals: dict[tuple, dict] = {}
    for end, figure in (("destination_id", "incoming"), ("origin_id", "outgoing")):
        rows = public.values(end, "year", "mode", "level").annotate(
            participants=Sum("participants"), demo=Count("pk", filter=Q(is_demo=True)))
        for row in rows:
            total = totals.setdefault((row[end], row["year"], row["mode"], row["level"]), {
                "partner_id": row[end], "year": row["year"], "mode": row["mode"], "level": row["level"],
                "incoming": 0, "outgoing": 0, "demo_flows": 0,
            })
            total[figure] += row["participants"] or 0
            total["demo_flows"] += row["demo"]
    return list(totals.values())


def connect_receivers() -> None:
    from django.db.models.signals import post_delete, post_save

    for model in (MobilityFlow, Partner):  # a partner's region decides its flows' direction
        post_save.connect(flows_changed_receiver, sender=model, dispatch_uid=f"flow-totals-{model.__name__}-save")
        post_delete.connect(flows_changed_receiver, sender=model, dispatch_uid=f"flow-totals-{model.__name__}-delete")
