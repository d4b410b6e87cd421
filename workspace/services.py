"""The workspace's writes: mobility.services' rules, and what people need around them.

Each function wraps the existing service that holds the rule (who may, in which state) and adds:

- a check that nobody changed the activity since the form was opened, instead of silently overwriting them;
- revert for the secretariat: an earlier version's content written back as a new version, which says which
  version it restored and who did it (the history keeps every version, the reverted ones too);
- the user's API token, shown and rotated.

The review workflow (submit, approve, return, and their emails) is mobility.services' own: the pages, the API and
the admin call it there.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.timezone import localtime
from rest_framework.authtoken.models import Token

from core.roles import is_secretariat
from mobility import services
from mobility.models import Activity, MobilityFlow
from workspace import history

STALE = "stale"


def _locked(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _check_version(activity: Activity, version: str | None) -> None:
    if version and activity.updated_at.isoformat() != version:
        raise ValidationError(
            "Someone changed this activity after you opened it. Open it again to see their change, then make "
            "yours.", code=STALE,
        )


@transaction.atomic
def save_activity(*, user, data: dict[str, Any], activity: Activity | None = None,
                  version: str | None = None) -> Activity:
    """Create a draft (activity None) or change an activity, refusing a change over someone else's newer one."""
    if activity is None:
        return services.activity_create(user=user, data=data)
    activity = _locked(activity)
    _check_version(activity, version)
    return services.activity_update(activity=activity, user=user, data=data)


# Revert ----------------------------------------------------------------------------------------------------


def _require_secretariat(user, what: str) -> None:
    if not is_secretariat(user):
        raise services.NotAllowed(f"Only the secretariat may {what}.")


def _reason(record) -> str:
    when = date_format(localtime(record.history_date), "j M Y H:i:s")
    return f"Reverted to the version of {when}"[:100]


def _record(model, instance, history_id: int):
    try:
        return model.history.get(id=instance.pk, history_id=history_id)
    except model.history.model.DoesNotExist:
        raise ValidationError({"version": f"{model._meta.verbose_name.capitalize()} has no version {history_id}."},
                              code="invalid") from None


@transaction.atomic
def revert_activity(*, activity: Activity, history_id: int, user) -> Activity:
    """Write an earlier version's content back, as a new version; the review state stays as it is."""
    _require_secretariat(user, "revert an activity")
    activity = _locked(activity)
    record = _record(Activity, activity, history_id)
    fields = services.ACTIVITY_FIELDS - {"slug", "lead_partner"}
    data: dict[str, Any] = {name: getattr(record, name) for name in fields}
    data["lead_partner"] = record.lead_partner
    for m2m in history.m2m_fields(Activity):
        data[m2m.name] = m2m.related_model._default_manager.filter(
            pk__in=history._related_ids(Activity, record, m2m)
        )
    activity._change_reason = _reason(record)
    return services.activity_update(activity=activity, user=user, data=data)


@transaction.atomic
def revert_flow(*, flow: MobilityFlow, history_id: int, user) -> MobilityFlow:
    _require_secretariat(user, "revert a flow")
    flow = MobilityFlow.objects.select_for_update().get(pk=flow.pk)
    record = _record(MobilityFlow, flow, history_id)
    data = {name: getattr(record, name) for name in services.FLOW_FIELDS - {"origin", "destination", "reported_by"}}
    data["origin"], data["destination"] = record.origin, record.destination
    # A version from before rows named their reporter was the destination's, as the migration took them all to be.
    data["reported_by"] = record.reported_by if record.reported_by_id else record.destination
    flow._change_reason = _reason(record)
    return services.flow_update(flow=flow, user=user, data=data)


# API tokens ------------------------------------------------------------------------------------------------


def _require_reporter(user) -> None:
    if not services.is_reporter(user):
        raise services.NotAllowed("API tokens are for partner focal points and the secretariat.")


def api_token(user) -> Token | None:
    """The user's token, if they have one."""
    return Token.objects.filter(user=user).first()


@transaction.atomic
def rotate_token(*, user) -> Token:
    """A new token for the user; the old one stops working at once."""
    _require_reporter(user)
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)
