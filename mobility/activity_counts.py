"""How many published activities there are, and each partner leads and joins, each objective and instrument has,
kept ready (ActivityCount).

Counting them means joining every link of tens of thousands of activities to its activity, for each list of
partners, objectives or instruments: most of a second at a large scale. The kept counts are a row per partner,
objective and instrument, and they stay honest as the flow totals do (mobility/totals.py):

- every write of an activity or of its partners, objectives and instruments calls ``activities_changed()`` inside
  its transaction (the receivers below); it bumps ``ActivityCountState.version`` there, so the bump commits with the
  write or not at all, and queues one rebuild for when the transaction commits;
- ``rebuild()`` reads the version, counts the activities again, replaces the counts and records that version as
  ``built_version``; a write that commits meanwhile bumps the version past it and queues the next rebuild;
- readers use the counts only while ``built_version`` equals ``version`` (``kept()`` returns None otherwise) and
  count the activities themselves meanwhile. A stale count is never served.

A writer in bulk that sends no signal calls ``activities_changed()`` itself. The flow totals' rebuild (after a
large import, nightly, ``manage.py rebuild_flow_totals``) rebuilds these counts too.
"""

import logging

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Q
from django.utils import timezone

from mobility.models import Activity, ActivityCount, ActivityCountState

logger = logging.getLogger(__name__)

STATE_ID = 1
# The advisory lock two rebuilds take turns on (the flow totals' is 7_140_001).
REBUILD_LOCK = 7_140_002
Kind = ActivityCount.Kind
# Each kind of count by a related row: the link table's field and the counts' field that name it.
LINKS = {Kind.JOINED: ("partners", "partner"), Kind.OBJECTIVE: ("objectives", "objective"),
         Kind.INSTRUMENT: ("instruments", "instrument")}


def activities_changed() -> None:
    """Activities or their links changed in this transaction: mark the counts stale with it, count again after it."""
    ActivityCountState.objects.filter(pk=STATE_ID).update(version=F("version") + 1)
    if connection.in_atomic_block and _queue_rebuild in {callback for _, callback, _ in connection.run_on_commit}:
        return
    transaction.on_commit(_queue_rebuild, robust=True)


def activities_changed_receiver(**kwargs) -> None:
    """A post_save, post_delete or m2m_changed receiver: a cue to activities_changed(), nothing more."""
    if kwargs.get("action", "post_").startswith("post_"):
        activities_changed()


def _queue_rebuild() -> None:
    from core.queue import enqueue
    from mobility.tasks import rebuild_activity_counts

    enqueue(rebuild_activity_counts)


def counted() -> list[dict]:
    """The counts as rows of ActivityCount's fields, from the activities themselves: five GROUP BY queries."""
    published = Activity.objects.filter(state=Activity.State.PUBLISHED).order_by()
    figures = {"activities": Count("pk"), "demo": Count("pk", filter=Q(is_demo=True))}
    rows = [{"kind": Kind.ALL, **published.aggregate(**figures)}]
    rows += [
        {"kind": Kind.LED, "partner_id": row.pop("lead_partner_id"), **row}
        for row in published.exclude(lead_partner=None).values("lead_partner_id").annotate(**figures)
    ]
    for kind, (relation, field) in LINKS.items():
        links = getattr(Activity, relation).through.objects.filter(activity__state=Activity.State.PUBLISHED)
        rows += [
            {"kind": kind, **row}
            for row in links.order_by().values(f"{field}_id").annotate(
                activities=Count("pk"), demo=Count("pk", filter=Q(activity__is_demo=True)))
        ]
    return rows


def rebuild() -> int:
    """Replace every kept count with the activities' counts now, and mark them current. How many counts there are."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REBUILD_LOCK])
        state, _ = ActivityCountState.objects.get_or_create(pk=STATE_ID)
        version = state.version
        ActivityCount.objects.all().delete()
        written = len(ActivityCount.objects.bulk_create([ActivityCount(**row) for row in counted()]))
        state.built_version, state.built_at = version, timezone.now()
        state.save(update_fields=["built_version", "built_at"])
    logger.info("Rebuilt %s activity counts from version %s.", written, version)
    return written


def up_to_date() -> Exists:
    """An expression true while the kept counts include every committed change of activities and their links: a
    query may read the counts under it, and is still one query."""
    return Exists(ActivityCountState.objects.filter(pk=STATE_ID, built_version=F("version")))


def current() -> bool:
    """Whether the kept counts include every committed change of activities and their links."""
    return ActivityCountState.objects.filter(up_to_date()).exists()


def kept(*kinds: str, by: str | None = None) -> dict | None:
    """The kept counts of those kinds, {(kind, key): (activities, demo)} with key the related row's id (or `by`, a
    field of it: "objective__number"), None for all published activities; None if they are not current. One
    query."""
    rows = ActivityCount.objects.filter(Q(kind__in=kinds) | Q(kind=Kind.ALL), up_to_date()).order_by()
    keys = {kind: by or f"{LINKS.get(kind, (None, 'partner'))[1]}_id" for kind in kinds}
    found = {}
    for row in rows.values("kind", "activities", "demo", *set(keys.values())):
        key = None if row["kind"] == Kind.ALL else row[keys[row["kind"]]]
        found[(row["kind"], key)] = (row["activities"], row["demo"])
    # The row of all published activities is always written: without it, the counts are not current.
    return found if (Kind.ALL, None) in found else None


def connect_receivers() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    post_save.connect(activities_changed_receiver, sender=Activity, dispatch_uid="activity-counts-save")
    post_delete.connect(activities_changed_receiver, sender=Activity, dispatch_uid="activity-counts-delete")
    for relation in ("partners", "objectives", "instruments"):
        m2m_changed.connect(activities_changed_receiver, sender=getattr(Activity, relation).through,
                            dispatch_uid=f"activity-counts-{relation}")
