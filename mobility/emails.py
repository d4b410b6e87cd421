"""The emails of the review workflow: who is told of a submission, a return and a publication, and what they read.

- submitted: the secretariat (staff in the Secretariat group, and REVIEW_NOTIFY_EMAILS), with a link to the
  review queue;
- returned: the lead partner's focal points and whoever created the activity, with the secretariat's note and a
  link to edit it;
- approved: the same people, with links to the public page and the workspace.

They are sent by mobility.tasks.send_activity_email, queued by the workflow's services (notify) once the change has
committed, as every email of the portal is sent (core.emails): a message the mail server will not take is tried
again by the task and, after the last try, kept as an UndeliveredEmail that the secretariat sees in the admin.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from core.emails import clean_subject, queue_on_commit, resend, send_each, site_link
from core.roles import secretariat_staff
from mobility.models import Activity, PartnerMembership, UndeliveredEmail
from mobility.tasks import send_activity_email

SUBMITTED, RETURNED, APPROVED = "submitted", "returned", "approved"
EVENTS = (SUBMITTED, RETURNED, APPROVED)


def _addresses(users) -> list[str]:
    return sorted({user.email for user in users if user.email and user.is_active})


def secretariat_addresses() -> list[str]:
    users = secretariat_staff(get_user_model().objects.filter(is_active=True))
    return sorted(set(_addresses(users)) | set(settings.REVIEW_NOTIFY_EMAILS))


def focal_point_addresses(activity: Activity) -> list[str]:
    users = [membership.user for membership in
             PartnerMembership.objects.filter(partner_id=activity.lead_partner_id).select_related("user")]
    if activity.created_by is not None:
        users.append(activity.created_by)
    return _addresses(users)


def _actor(activity: Activity) -> str:
    """Who made the change the email tells of: the author of the activity's latest version."""
    record = activity.history.select_related("history_user").first()
    user = record.history_user if record is not None else None
    if user is None:
        return "Someone"
    return user.get_full_name() or user.get_username()


def build(activity: Activity, event: str, to: list[str] | None = None) -> EmailMessage | None:
    """The message for an event (to everyone concerned, or to those of them given), or None when nobody is there to
    read it."""
    if event not in EVENTS:
        raise ValueError(f"unknown activity email event {event!r}; one of {', '.join(EVENTS)}")
    concerned = secretariat_addresses() if event == SUBMITTED else focal_point_addresses(activity)
    # A retry, or the secretariat's sending again, reaches only those still concerned: an account unlinked from the
    # partner or deactivated since is told nothing more of the activity.
    to = concerned if to is None else [address for address in to if address in concerned]
    if not to:
        return None
    context = {
        "activity": activity,
        "actor": _actor(activity),
        "partner": activity.lead_partner,
        "review_url": site_link(reverse("workspace:review")) + f"#activity-{activity.slug}",
        "workspace_url": site_link(reverse("workspace:activity", args=[activity.slug])),
        "edit_url": site_link(reverse("workspace:activity-edit", args=[activity.slug])),
        "history_url": site_link(reverse("workspace:activity-history", args=[activity.slug])),
        "public_url": site_link(activity.get_absolute_url()),
        "site_url": settings.SITE_URL,
    }
    subject = clean_subject(render_to_string(f"workspace/email/{event}_subject.txt", context))
    body = render_to_string(f"workspace/email/{event}.txt", context)
    # One message per recipient: focal points of different partners need not see each other's addresses.
    return EmailMessage(subject=settings.EMAIL_SUBJECT_PREFIX + subject, body=body, to=to)


def send(activity_pk: int, event: str, to: list[str] | None = None) -> int:
    """Send the event's email, one copy per recipient (only to ``to`` when given: those a failed try left out); how
    many were sent. An activity deleted since is skipped. Raises Undelivered for the copies the server did not take.
    """
    activity = Activity.objects.select_related("lead_partner", "created_by").filter(pk=activity_pk).first()
    if activity is None:
        return 0
    message = build(activity, event, to=to)
    if message is None:
        return 0
    return send_each(message)


def notify(activity: Activity, event: str) -> None:
    """Queue the event's email for when the current transaction commits (at once outside of one)."""
    queue_on_commit(send_activity_email, activity.pk, event)


def send_again(undelivered: UndeliveredEmail) -> None:
    """Queue an undelivered email for the addresses it missed; if it fails once more, it is kept again."""
    resend(undelivered, send_activity_email)
