"""Reads of the workspace: a user's activities, counted by state and read a page at a time; the review queue; an
activity's or a flow's versions."""

import itertools
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Subquery

from core.roles import is_secretariat
from mobility import selectors as mobility_selectors
from mobility import services
from mobility.models import Activity, MobilityFlow
from workspace import history

STATES = [Activity.State.DRAFT, Activity.State.RETURNED, Activity.State.SUBMITTED, Activity.State.PUBLISHED]
# A page of the workspace's list of activities: a partner reports thousands over the years.
ACTIVITIES_PER_PAGE = 25


@dataclass
class ActivityList:
    """A user's activities as the workspace lists them: how many the search finds in each review state, and the
    activities of the state asked (every state when none), latest change first, to be read a page at a time."""

    counts: dict[str, int]
    activities: QuerySet[Activity]
    state: str = ""

    @property
    def total(self) -> int:
        """How many the search finds in every state."""
        return sum(self.counts.values())

    @property
    def found(self) -> int:
        """How many activities the list holds: the state's count, or every state's."""
        return self.counts.get(self.state, 0) if self.state else self.total

    def states(self) -> list[tuple[str, str, int]]:
        """(state, label, how many) for every state, the empty ones too, in the order of the review."""
        return [(state, Activity.State(state).label, self.counts.get(state, 0)) for state in STATES]


def workspace_activities(user, *, state: str = "", search: str = "") -> ActivityList:
    """The activities a user reports: their partners' (or, for the secretariat, everyone's), those whose title or
    address holds the search, with a count for each state found by one query. Reading a page of the activities is
    one more query, whatever their number."""
    queryset = Activity.objects.all()
    if not is_secretariat(user):
        queryset = queryset.filter(lead_partner__in=services.partner_ids(user))
    if search:
        queryset = queryset.filter(Q(title__icontains=search) | Q(slug__icontains=search))
    counts = dict(queryset.order_by().values_list("state").annotate(Count("pk")))
    if state:
        queryset = queryset.filter(state=state)
    return ActivityList(counts=counts, state=state,
                        activities=queryset.select_related("lead_partner").order_by("-updated_at", "-pk"))


def editable_activity(user, slug: str) -> Activity:
    """An activity the user may read in the workspace: their partners' or, for the secretariat, any."""
    queryset = Activity.objects.select_related("lead_partner", "created_by")
    if not is_secretariat(user):
        queryset = queryset.filter(lead_partner__in=services.partner_ids(user))
    return queryset.get(slug=slug)


def activity_versions(activity: Activity) -> list[history.Version]:
    return history.versions(Activity, list(history.history_queryset(Activity).filter(id=activity.pk)))


def flow_versions(flow: MobilityFlow) -> list[history.Version]:
    return history.versions(MobilityFlow, list(history.history_queryset(MobilityFlow).filter(id=flow.pk)))


def visible_flows(user) -> QuerySet[MobilityFlow]:
    """The flow rows a user's partners reported, public or not, or every row for the secretariat; each with the
    other end's figure of the same year, route, mode, level and programme (other_figure, None if it reported none).
    """
    queryset = MobilityFlow.objects.select_related("origin", "destination").annotate(
        other_figure=Subquery(mobility_selectors.other_ends_report().values("participants")[:1]))
    if is_secretariat(user):
        return queryset
    return queryset.filter(reported_by__in=services.partner_ids(user))


# The review queue -----------------------------------------------------------------------------------------


@dataclass
class Submission:
    activity: Activity
    record: object  # the latest version's record: who submitted, when
    published: object | None  # the last published version's record, if it was ever published
    since_published: list[history.Change]
    returned: object | None  # the record of the last return, if it was returned since it was last published
    since_returned: list[history.Change]


def _last_return(records: list) -> object | None:
    """The record a return made (state returned, right after a submitted one), newest first in records."""
    for newer, older in itertools.pairwise(records):
        if newer.state == Activity.State.PUBLISHED:
            return None
        if newer.state == Activity.State.RETURNED and older.state == Activity.State.SUBMITTED:
            return newer
    return None


def review_waiting(*, search: str = "") -> QuerySet[Activity]:
    """The submitted activities waiting for review, oldest submission first; with a word, those whose title has it."""
    queryset = Activity.objects.filter(state=Activity.State.SUBMITTED)
    if search:
        queryset = queryset.filter(title__icontains=search)
    return queryset.select_related("lead_partner").order_by("submitted_at", "pk")


def review_queue(*, slug: str | None = None, activities: list[Activity] | None = None) -> list[Submission]:
    """Submitted activities, oldest submission first, each with what changed since it was last published and
    since it was last returned: a fixed number of queries, whatever the queue's length. With a slug, only that
    activity's submission (none if it is not submitted); with activities (a page of review_waiting()), theirs."""
    if activities is None:
        queryset = review_waiting()
        if slug is not None:
            queryset = queryset.filter(slug=slug)
        activities = list(queryset)
    records: dict[int, list] = {activity.pk: [] for activity in activities}
    for record in history.history_queryset(Activity).filter(id__in=records).order_by("-history_date", "-history_id"):
        records[record.id].append(record)
    pairs = []
    for activity in activities:
        mine = records[activity.pk]
        current = mine[0] if mine else None
        published = next((r for r in mine if r.state == Activity.State.PUBLISHED), None)
        returned = _last_return(mine)
        pairs.append((activity, current, published, returned))
    names = history.Names()
    history._want_names(Activity, [r for _, *rs in pairs for r in rs if r is not None], names)
    names.load()
    queue = []
    for activity, current, published, returned in pairs:
        if current is None:  # written with history switched off: nothing to compare
            queue.append(Submission(activity, None, None, [], None, []))
            continue
        content = history.REVIEW_FIELDS
        queue.append(Submission(
            activity=activity, record=current, published=published,
            since_published=history.diff(Activity, current, published, names=names, exclude=content),
            returned=returned,
            since_returned=history.diff(Activity, current, returned, names=names, exclude=content) if returned else [],
        ))
    return queue
