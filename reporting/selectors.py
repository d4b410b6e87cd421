"""Reads of returns shared by the workspace's pages, the API and the board: the review queue with what each
submission would change, a return's history, and a partner's returns.

Each reads a fixed number of queries, whatever the number of returns, values, flows or versions.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from mobility.models import MobilityFlow
from mobility.services import partner_ids
from reporting.models import Return, ReturnVersion, Round
from reporting.services import Change, Labels, contents, diff, public_contents

# The review queue -----------------------------------------------------------------------------------------------------


@dataclass
class FlowConflict:
    """A flow of the return that the route's other end reported with another figure."""

    label: str
    ours: int
    theirs: int
    other: str  # the other end's name
    public: str  # whose figure the host-country rule makes public: the destination's

    def __str__(self):
        return (f"{self.label}: this return says {self.ours:,}, {self.other} reported {self.theirs:,}; "
                f"{self.public}'s figure is the public one.")


@dataclass
class Submission:
    report: Return
    changes: list[Change]  # against what is public now: what approving it changes
    conflicts: list[FlowConflict] = field(default_factory=list)
    # What the changes were found from: the return's content and what is public of it, as services.contents and
    # services.public_contents give them, so a review shows both without reading them again.
    content: dict = field(default_factory=dict)
    public: dict = field(default_factory=dict)


def _conflicts(reports: list[Return], found: dict[int, dict], labels: dict[int, Labels]) -> dict[int, list]:
    """The return's flows that the other end reported for the same key with other participants: one query."""
    conflicts: dict[int, list[FlowConflict]] = {report.pk: [] for report in reports}
    wanted = {}
    for report in reports:
        for flow in found[report.pk]["flows"]:
            key = (flow["year"], flow["origin"], flow["destination"], flow["mode"], flow["level"], flow["programme"])
            wanted.setdefault(key, []).append((report, flow))
    if not wanted:
        return conflicts
    years = {key[0] for key in wanted}
    codes = {code for key in wanted for code in key[1:3]}
    rows = (MobilityFlow.objects.filter(year__in=years, origin__code__in=codes, destination__code__in=codes)
            .order_by().values("year", "origin__code", "destination__code", "mode", "level", "programme",
                               "reported_by__code", "participants"))
    for row in rows:
        key = (row["year"], row["origin__code"], row["destination__code"], row["mode"], row["level"],
               row["programme"])
        for report, flow in wanted.get(key, []):
            if row["reported_by__code"] == report.partner.code or row["participants"] == flow["participants"]:
                continue
            label = labels[report.round_id]
            conflicts[report.pk].append(FlowConflict(
                label=label.flow(flow), ours=flow["participants"], theirs=row["participants"],
                other=label.partner(row["reported_by__code"]), public=label.partner(flow["destination"]),
            ))
    return conflicts


def review_queue(*, round: Round | None = None, pk: int | None = None) -> list[Submission]:
    """Submitted returns, oldest submission first, each with what approving it would change and its flows' conflicts
    with the other ends' reports. With a round, only its returns; with a pk, only that return (none if it is not
    submitted)."""
    queryset = Return.objects.filter(state=Return.State.SUBMITTED)
    if round is not None:
        queryset = queryset.filter(round=round)
    if pk is not None:
        queryset = queryset.filter(pk=pk)
    reports = list(queryset.select_related("round", "partner", "updated_by")
                   .prefetch_related("round__indicators", "round__questions").order_by("submitted_at", "pk"))
    return submissions(reports)


def submissions(reports: list[Return]) -> list[Submission]:
    """Each return (its round, partner and the round's indicators and questions read) with what approving it would
    change and its flows' conflicts."""
    names: dict[str, str] = {}
    labels = {report.round_id: Labels(report.round, partner_names=names) for report in reports}
    found, public = contents(reports), public_contents(reports)
    conflicts = _conflicts(reports, found, labels)
    return [Submission(report, diff(public[report.pk], found[report.pk], labels=labels[report.round_id]),
                       conflicts[report.pk], content=found[report.pk], public=public[report.pk])
            for report in reports]


# A return's history -------------------------------------------------------------------------------------------------


@dataclass
class Event:
    """One step in a return's history: a saved version (with what it changed), or a change of state."""

    date: datetime.datetime
    user: object | None
    kind: str  # "saved", or the state it moved to: "submitted", "returned", "approved"
    number: int | None = None  # the version saved
    reason: str = ""
    note: str = ""  # the secretariat's note, for a return
    changes: list[Change] = field(default_factory=list)

    @property
    def is_version(self) -> bool:
        return self.kind == "saved"


def return_history(report: Return) -> list[Event]:
    """Every version of the return, with who saved it, when and what it changed from the one before, and every
    submission, return and approval, newest first. Four queries, five with the partners' names."""
    labels = Labels(report.round)
    events = []
    previous = {"values": {}, "answers": {}, "flows": []}
    for version in ReturnVersion.objects.filter(report=report).select_related("saved_by").order_by("number"):
        events.append(Event(version.saved_at, version.saved_by, "saved", version.number, version.reason,
                            changes=diff(previous, version.content, labels=labels)))
        previous = version.content
    state = Return.State.DRAFT
    for record in report.history.select_related("history_user").order_by("history_date", "history_id"):
        if record.state != state and record.state != Return.State.DRAFT:
            note = record.review_note if record.state == Return.State.RETURNED else ""
            events.append(Event(record.history_date, record.history_user, record.state, note=note))
        state = record.state
    events.sort(key=lambda event: (event.date, event.is_version), reverse=True)
    return events


# A partner's returns ----------------------------------------------------------------------------------------------


def partner_returns(user) -> QuerySet[Return]:
    """The returns of the partners a focal point reports for, in rounds that have opened, newest round first, each
    with how many values, flows and answers it holds."""
    return (
        Return.objects.filter(partner__in=partner_ids(user)).exclude(round__state=Round.State.DRAFT)
        .select_related("round", "partner", "updated_by")
        .annotate(value_count=Count("values", distinct=True), flow_count=Count("flows", distinct=True),
                  answer_count=Count("answers", filter=~Q(answers__text=""), distinct=True))
        .order_by("-round__deadline", "round__name", "partner__name")
    )
