"""Writes of activities and mobility flows, and the rules of who may make them.

The API and the partner workspace both call these, so the rules of DESIGN.md
section 5 live here only:

- An activity belongs to a partner when the partner leads it. A partner's
  focal points (users with a PartnerMembership) create its activities as
  drafts, edit them while draft or returned, and submit them; they never
  publish, and never touch another partner's.
- Only the secretariat approves a submission (it is published) or returns it
  with a note (the focal points can edit and submit it again). The secretariat
  may edit any activity in any state.
- The state changes only through submit, approve and return:
  draft -> submitted -> published, or submitted -> returned -> submitted.
  Each reads the activity again under a row lock, so two reviewers deciding
  at once are taken one after the other and the second sees the first's
  decision; each queues its email (mobility.emails) for when it commits, so a
  rolled-back change tells nobody anything. Pages, API and admin all call
  these three.
- Every flow row names the partner that reported it (its origin or its
  destination). A partner's rows reach the portal only through its return in a
  reporting round: approving the return calls replace_reported_flows(). The
  secretariat writes any flow directly; focal points write none directly.
- When both ends report the same year, route, mode, level and programme, both
  rows are kept and settle_public() decides which is the public figure: the
  host country's (MobilityFlow's docstring has the rule).

Each write is atomic, runs full_clean() before saving and records who made it
in the history. A refusal is PermissionDenied (whom the rules do not allow)
or, when the activity's state does not allow it now, a ValidationError on
``state`` with the code ``invalid_state``.
"""

import secrets
import string
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.text import slugify

from core.api.errors import INVALID_STATE
from core.roles import is_secretariat
from core.writes import set_fields, validate_and_save
from mobility import emails
from mobility.models import Activity, MobilityFlow, Partner, PartnerMembership

User = AbstractBaseUser | AnonymousUser

# What a write may set. The workflow fields (state, review_note, submitted_at,
# published_at) and created_by are the services' own; is_demo is the demo loader's
# alone, since load_demo --remove deletes whatever carries it.
ACTIVITY_FIELDS = {
    "slug", "title", "summary", "description", "activity_type", "status", "start_date", "end_date", "start_year",
    "end_year", "place", "online", "delivery_mode", "lead_partner", "lead_description", "participants_asia",
    "participants_europe", "website", "source_url", "outcomes",
}
ACTIVITY_RELATIONS = {"partners", "organisations", "objectives", "priorities", "instruments"}
FLOW_FIELDS = {
    "year", "origin", "destination", "mode", "level", "participants", "female", "fewer_opportunities", "programme",
    "source", "reported_by",
}
EDITABLE_STATES = (Activity.State.DRAFT, Activity.State.RETURNED)


class NotAllowed(PermissionDenied):
    """A refusal under the roles' rules, naming the field whose value made it, if one did."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def _state_error(message: str) -> ValidationError:
    return ValidationError({"state": ValidationError(message, code=INVALID_STATE)})


# Who is who -------------------------------------------------------------------


def partner_ids(user: User) -> frozenset[int]:
    """The partners a user is a focal point for; remembered on the user for the rest of the request."""
    if not user.is_authenticated:
        return frozenset()
    if not hasattr(user, "_partner_ids"):
        user._partner_ids = frozenset(PartnerMembership.objects.filter(user=user).values_list("partner_id", flat=True))
    return user._partner_ids


def visible_activities_filter(user: User) -> Q:
    """Which activities a user may read: the published ones, their own partners' too, or all for the secretariat."""
    if is_secretariat(user):
        return Q()
    published = Q(state=Activity.State.PUBLISHED)
    mine = partner_ids(user)
    return published | Q(lead_partner__in=mine) if mine else published


def owns_activity(user: User, activity: Activity) -> bool:
    return activity.lead_partner_id is not None and activity.lead_partner_id in partner_ids(user)


def can_edit_activity(user: User, activity: Activity) -> bool:
    return is_secretariat(user) or (owns_activity(user, activity) and activity.state in EDITABLE_STATES)


def owns_flow(user: User, flow: MobilityFlow) -> bool:
    """Whether the flow is the user's partner's report: the row its partner reported, not the other end's."""
    return flow.reported_by_id in partner_ids(user)


def is_reporter(user: User) -> bool:
    """A focal point of some partner, or the secretariat: who may use the workspace and hold an API token."""
    return is_secretariat(user) or bool(partner_ids(user))


def _require_focal_point_or_secretariat(user: User, what: str) -> None:
    if not is_reporter(user):
        raise NotAllowed(f"Only partner focal points and the secretariat may {what}.")


def _names(ids) -> str:
    return ", ".join(Partner.objects.filter(pk__in=ids).order_by("name").values_list("name", flat=True))


# Activities -------------------------------------------------------------------


SLUG_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits


def _new_slug(title: str) -> str:
    """The title's words and a random suffix.

    Numbering clashes (-2, -3) would tell anyone whether an activity they may not see has the same title; a
    random suffix depends on nothing else, and a clash (one in two billion) is drawn again, unseen.
    """
    base = slugify(title)[:100].strip("-") or "activity"
    while True:
        slug = f"{base}-{''.join(secrets.choice(SLUG_SUFFIX_ALPHABET) for _ in range(6))}"
        if not Activity.objects.filter(slug=slug).exists():
            return slug


def _check_slug_choice(user: User, slug: str | None) -> None:
    # Only the secretariat, who sees every activity, names one: "already exists" would reveal a hidden one to others.
    if slug and not is_secretariat(user):
        raise ValidationError(
            {"slug": "Only the secretariat chooses an activity's address: leave slug out and one is made from "
                     "the title."},
            code="invalid",
        )


def _apply(activity: Activity, data: dict[str, Any], *, allowed=ACTIVITY_FIELDS) -> dict[str, Any]:
    """Set the activity's own fields from data; return the relations to set once it is saved."""
    set_fields(activity, {name: value for name, value in data.items() if name not in ACTIVITY_RELATIONS},
               allowed=allowed)
    # The year follows the date; it is set alone only when the date is unknown.
    if data.get("start_date") and "start_year" not in data:
        activity.start_year = data["start_date"].year
    if data.get("end_date") and "end_year" not in data:
        activity.end_year = data["end_date"].year
    return {name: data[name] for name in ACTIVITY_RELATIONS & set(data)}


def _set_relations(activity: Activity, relations: dict[str, Any]) -> None:
    for name, objects in relations.items():
        getattr(activity, name).set(objects)


def _check_lead_partner(user: User, lead_partner: Partner | None) -> None:
    if is_secretariat(user):
        return
    if lead_partner is None or lead_partner.pk not in partner_ids(user):
        raise NotAllowed(
            f"Your activities must be led by a partner you report for: {_names(partner_ids(user))}.",
            field="lead_partner",
        )


@transaction.atomic
def activity_create(*, user: User, data: dict[str, Any]) -> Activity:
    """A new activity, as a draft, created by the user."""
    _require_focal_point_or_secretariat(user, "create activities")
    _check_lead_partner(user, data.get("lead_partner"))
    _check_slug_choice(user, data.get("slug"))
    activity = Activity(state=Activity.State.DRAFT, created_by=user)
    relations = _apply(activity, data)
    if not activity.slug:
        activity.slug = _new_slug(activity.title)
    validate_and_save(activity, user=user)
    _set_relations(activity, relations)
    return activity


def _check_can_change(user: User, activity: Activity, verb: str) -> None:
    if is_secretariat(user):
        return
    if not owns_activity(user, activity):
        raise NotAllowed(f"You may {verb} only activities led by a partner you report for.")
    if activity.state not in EDITABLE_STATES:
        raise _state_error(
            f"This activity is {activity.get_state_display().lower()}: focal points may {verb} it only while it "
            "is a draft or returned. Ask the secretariat for any change."
        )


@transaction.atomic
def activity_update(*, activity: Activity, user: User, data: dict[str, Any]) -> Activity:
    """Change an activity's content; its state stays as it is."""
    _check_can_change(user, activity, "edit")
    if "lead_partner" in data:
        _check_lead_partner(user, data["lead_partner"])
    # The address is fixed once made: a new one would break links, and its "already exists" would reveal a hidden
    # activity's to a focal point.
    relations = _apply(activity, data, allowed=ACTIVITY_FIELDS - {"slug"})
    validate_and_save(activity, user=user)
    _set_relations(activity, relations)
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, user: User) -> None:
    """Remove an activity: the secretariat any, focal points their own while draft or returned."""
    _check_can_change(user, activity, "delete")
    activity._history_user = user if user.is_authenticated else None
    activity.delete()


def _lock(activity: Activity) -> None:
    activity.refresh_from_db(from_queryset=Activity.objects.select_for_update())


@transaction.atomic
def activity_submit(*, activity: Activity, user: User) -> Activity:
    """Send a draft or returned activity to the secretariat for review, and tell the secretariat."""
    _lock(activity)
    if not (is_secretariat(user) or owns_activity(user, activity)):
        raise NotAllowed("You may submit only activities led by a partner you report for.")
    if activity.state not in EDITABLE_STATES:
        raise _state_error(
            f"Only a draft or returned activity can be submitted; this one is {activity.get_state_display().lower()}."
        )
    activity.state = Activity.State.SUBMITTED
    activity.submitted_at = timezone.now()
    validate_and_save(activity, user=user)
    emails.notify(activity, emails.SUBMITTED)
    return activity


def _check_review(user: User, activity: Activity, verb: str) -> None:
    if not is_secretariat(user):
        raise NotAllowed(f"Only the secretariat may {verb} a submission.")
    if activity.state != Activity.State.SUBMITTED:
        raise _state_error(
            f"Only a submitted activity can be {verb}d; this one is {activity.get_state_display().lower()}."
        )


@transaction.atomic
def activity_approve(*, activity: Activity, user: User) -> Activity:
    """Publish a submitted activity: from now on anyone can read it; its focal points are told."""
    _lock(activity)
    _check_review(user, activity, "approve")
    activity.state = Activity.State.PUBLISHED
    activity.published_at = timezone.now()
    activity.review_note = ""  # the history keeps it; a published activity has nothing left to fix
    validate_and_save(activity, user=user)
    emails.notify(activity, emails.APPROVED)
    return activity


@transaction.atomic
def activity_return(*, activity: Activity, user: User, note: str) -> Activity:
    """Send a submission back to its focal points with a note saying what to change, and email them the note."""
    _lock(activity)
    _check_review(user, activity, "return")
    if not note or not note.strip():
        raise ValidationError({"note": ValidationError("Say what the focal points should change.", code="required")})
    activity.state = Activity.State.RETURNED
    activity.review_note = note.strip()
    validate_and_save(activity, user=user)
    emails.notify(activity, emails.RETURNED)
    return activity


# Mobility flows ---------------------------------------------------------------

# Where a focal point reports flows now, said wherever a direct write of flows is refused.
RETURNS_PATH = "/workspace/returns/"
FLOWS_IN_RETURNS = (
    "Flows are reported in your partner's return in a reporting round, and become public when the secretariat "
    "approves the return."
)
FLOWS_REFUSED = f"{FLOWS_IN_RETURNS} While a round is open, enter or upload them in your return at {RETURNS_PATH}."


def _require_secretariat_for_flows(user: User) -> None:
    """Only the secretariat writes flows directly; a partner's reach the portal through its approved return."""
    if is_secretariat(user):
        return
    if partner_ids(user):
        raise NotAllowed(FLOWS_REFUSED)
    raise NotAllowed("Only the secretariat may write mobility flows.")


@transaction.atomic
def flow_create(*, user: User, data: dict[str, Any]) -> MobilityFlow:
    """A flow the secretariat enters; reported by its destination unless data says the origin."""
    _require_secretariat_for_flows(user)
    flow = MobilityFlow(created_by=user)
    set_fields(flow, data, allowed=FLOW_FIELDS)
    if flow.reported_by_id is None:
        flow.reported_by_id = flow.destination_id
    validate_and_save(flow, user=user)
    settle_routes([_route(flow)])
    return flow


@transaction.atomic
def flow_update(*, flow: MobilityFlow, user: User, data: dict[str, Any]) -> MobilityFlow:
    _require_secretariat_for_flows(user)
    before = _route(flow)
    set_fields(flow, data, allowed=FLOW_FIELDS)
    validate_and_save(flow, user=user)
    settle_routes([before, _route(flow)])
    return flow


@transaction.atomic
def flow_delete(*, flow: MobilityFlow, user: User) -> None:
    _require_secretariat_for_flows(user)
    flow._history_user = user if user.is_authenticated else None
    flow.delete()
    settle_routes([_route(flow)])


# Who reported a flow, and which row is public ----------------------------------------------------------------------

FLOW_KEY = ("year", "origin", "destination", "mode", "level", "programme")
FLOW_ROW_FIELDS = (*FLOW_KEY, "participants", "female", "fewer_opportunities", "source")


def settle_public(*, within: Q) -> None:
    """Apply the host-country rule to the flows `within` selects: a row is public unless its origin reported it and
    its destination reported the same year, route, mode, level and programme too.

    `within` filters by the key's fields only (year, origin, destination, mode, level, programme), so it holds every
    row of a key or none of them. Two UPDATEs, each touching only the rows whose outcome changes.
    """
    host_reported_too = Exists(
        MobilityFlow.objects.filter(
            year=OuterRef("year"), origin=OuterRef("origin"), destination=OuterRef("destination"),
            mode=OuterRef("mode"), level=OuterRef("level"), programme=OuterRef("programme"),
            reported_by=F("destination"),
        )
    )
    hidden = Q(reported_by=F("origin")) & host_reported_too
    rows = MobilityFlow.objects.filter(within).order_by()
    rows.filter(is_public=False).exclude(hidden).update(is_public=True)
    rows.filter(hidden, is_public=True).update(is_public=False)


def _route(flow: MobilityFlow) -> tuple:
    return (flow.year, flow.origin_id, flow.destination_id)


def settle_routes(routes) -> None:
    """settle_public() for the rows of the given (year, origin id, destination id): what one written row touches."""
    within = Q(pk__in=[])
    for year, origin_id, destination_id in set(routes):
        if None not in (year, origin_id, destination_id):
            within |= Q(year=year, origin_id=origin_id, destination_id=destination_id)
    settle_public(within=within)


def flow_check_row(row: dict[str, Any]) -> dict[str, list[str]]:
    """What is wrong with one flow row (the fields of FLOW_ROW_FIELDS, partners as instances), field by field.

    The model's own rules, without the database: who reported it and whether it is already stored are the
    caller's to check.
    """
    flow = MobilityFlow(**{name: row.get(name) for name in FLOW_ROW_FIELDS if name in row})
    flow.programme, flow.source = flow.programme or "", flow.source or ""
    try:
        flow.full_clean(exclude=["reported_by"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return {name: list(messages) for name, messages in exc.message_dict.items()}
    return {}


def _key(row: dict[str, Any]) -> tuple:
    return (row["year"], row["origin"].pk, row["destination"].pk, row["mode"], row["level"], row.get("programme") or "")


@transaction.atomic
def replace_reported_flows(*, partner: Partner, years, rows, user: User | None = None, is_demo: bool = False) -> int:
    """The partner's reported flows for `years` become exactly `rows`; the number of rows added or changed.

    What approving a partner's return does with its flows. A row already stored with the same figures is left
    alone, a changed one updated, a new one added, and the partner's rows of those years that `rows` leaves out
    deleted: each through save() or delete(), so the history says who changed which row. The other end's rows are
    never touched; the host rule then settles which of each route's rows is public. is_demo marks the rows it
    adds as demonstration data (a demo return's).
    Raises ValidationError with keys "flow/<index>/<field>" for a bad row; nothing is written then.
    """
    years = set(years)
    rows = [dict(row) for row in rows]
    errors: dict[str, list[str]] = {}
    seen: dict[tuple, int] = {}
    for index, row in enumerate(rows):
        problems = flow_check_row(row)
        if row.get("year") is not None and row["year"] not in years:
            problems.setdefault("year", []).append(
                f"{row['year']} is not one of the years reported: {', '.join(map(str, sorted(years)))}.")
        if partner not in (row.get("origin"), row.get("destination")):
            problems.setdefault("origin", []).append(
                f"{partner.name} reports only flows that start or end in {partner.name}.")
        if isinstance(row.get("origin"), Partner) and isinstance(row.get("destination"), Partner):
            first = seen.setdefault(_key(row), index)
            if first != index:
                problems["__all__"] = [f"This row repeats row {first + 1}: the same year, origin, destination, "
                                       "mode, level and programme may be reported once."]
        for name, messages in problems.items():
            errors[f"flow/{index}/{name}"] = messages
    if errors:
        raise ValidationError(errors)
    stored = {
        (flow.year, flow.origin_id, flow.destination_id, flow.mode, flow.level, flow.programme): flow
        for flow in MobilityFlow.objects.filter(reported_by=partner, year__in=years).select_for_update()
    }
    written = 0
    for row in rows:
        flow = stored.pop(_key(row), None)
        values = {name: row.get(name) for name in FLOW_ROW_FIELDS}
        values["programme"], values["source"] = values["programme"] or "", values["source"] or ""
        if flow is not None and all(getattr(flow, name) == value for name, value in values.items()):
            continue
        if flow is None:
            flow = MobilityFlow(reported_by=partner, is_demo=is_demo,
                                created_by=user if user is not None and user.is_authenticated else None)
        set_fields(flow, values, allowed=FLOW_FIELDS)
        validate_and_save(flow, user=user)
        written += 1
    for flow in stored.values():
        flow._history_user = user if user is not None and user.is_authenticated else None
        flow.delete()
    if written or stored:
        # Each save and delete above marked the totals stale; the rule's UPDATEs below change them again unseen.
        settle_public(within=Q(year__in=years) & (Q(origin=partner) | Q(destination=partner)))
    return written
