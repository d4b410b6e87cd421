"""The emails of the review workflow: who is told of a submission, a return and a publication, and what they read.

- submitted: the secretariat (staff in the Secretariat group, and REVIEW_NOTIFY_EMAILS), with a link to the
  review queue;
- returned: the lead partner's focal points and whoever created the activity, with the secretariat's note and a
  link to edit it;
- approved: the same people, with links to the public page and the workspace.

Links start with SITE_URL: a Celery worker sends these with no request to build them from. They are sent by
mobility.tasks.send_activity_email, queued by mobility.workspace.services once the change has committed.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from asem_portal.roles import SECRETARIAT_GROUP
from mobility.models import Activity, PartnerMembership

SUBMITTED, RETURNED, APPROVED = "submitted", "returned", "approved"
EVENTS = (SUBMITTED, RETURNED, APPROVED)


def site_link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _addresses(users) -> list[str]:
    return sorted({user.email for user in users if user.email and user.is_active})


def secretariat_addresses() -> list[str]:
    users = get_user_model().objects.filter(is_active=True, is_staff=True, groups__name=SECRETARIAT_GROUP)
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


def build(activity: Activity, event: str) -> EmailMessage | None:
    """The message for an event, or None when nobody is there to read it."""
    if event not in EVENTS:
        raise ValueError(f"unknown activity email event {event!r}; one of {', '.join(EVENTS)}")
    to = secretariat_addresses() if event == SUBMITTED else focal_point_addresses(activity)
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
    subject = render_to_string(f"workspace/email/{event}_subject.txt", context).strip()
    body = render_to_string(f"workspace/email/{event}.txt", context)
    # One message per recipient: focal points of different partners need not see each other's addresses.
    return EmailMessage(subject=settings.EMAIL_SUBJECT_PREFIX + subject, body=body, to=to)


def send(activity_pk: int, event: str) -> int:
    """Send the event's email, one copy per recipient; how many were sent. An activity deleted since is skipped."""
    activity = Activity.objects.select_related("lead_partner", "created_by").filter(pk=activity_pk).first()
    if activity is None:
        return 0
    message = build(activity, event)
    if message is None:
        return 0
    sent = 0
    for address in message.to:
        copy = EmailMessage(subject=message.subject, body=message.body, to=[address])
        sent += copy.send()
    return sent
