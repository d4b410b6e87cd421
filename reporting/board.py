"""Who has reported: the secretariat's board of a round, one row per partner, in a constant number of queries.

A row says where the partner's return stands (its state, how many of the values asked it holds, its flows and
answers, who changed it last), whom a reminder reaches (the partner's active focal points with an email) and
how many reminders went already and the latest; the API lists every one of them too. The page, its CSV and the
reminders' checks all read these rows.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from mobility.models import PartnerMembership
from partners.models import Partner, Region
from reporting.models import Answer, Reminder, Return, ReturnFlow, ReturnValue, Round

# A partner the round has no return for (one added after the round opened): it shows, and says so.
NO_RETURN = "none"
STATES = [*Return.State.values, NO_RETURN]
STATE_LABELS = {**dict(Return.State.choices), NO_RETURN: _("No return")}
# Where a reminder still helps: nothing has reached the secretariat yet, or it came back to the partner.
REMINDABLE = (Return.State.DRAFT, Return.State.RETURNED)

# The orders the board offers, by the name its links use; "-" in front reverses one.
ORDERS = {
    "partner": lambda row: row.partner.name.casefold(),
    "region": lambda row: (row.partner.region, row.partner.name.casefold()),
    "state": lambda row: (STATES.index(row.state), row.partner.name.casefold()),
    "filled": lambda row: (row.share, row.partner.name.casefold()),
    "changed": lambda row: (row.updated_at.timestamp() if row.updated_at else 0, row.partner.name.casefold()),
}


@dataclass(frozen=True)
class FocalPoint:
    name: str
    email: str


@dataclass
class Row:
    partner: Partner
    report: Return | None
    values_requested: int
    questions: int
    values_filled: int = 0
    flows: int = 0
    answers: int = 0
    focal_points: list[FocalPoint] = field(default_factory=list)
    reminder_count: int = 0
    last_reminder: Reminder | None = None
    # Every reminder sent, newest first: only when the board was asked for them (every_reminder).
    reminders: list[Reminder] = field(default_factory=list)

    @property
    def state(self) -> str:
        return self.report.state if self.report is not None else NO_RETURN

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def share(self) -> float:
        """The part of the values asked that the return holds, 0 to 1 (1 when the round asks for none)."""
        return self.values_filled / self.values_requested if self.values_requested else 1.0

    @property
    def percent_filled(self) -> int:
        # Floor, not round: 8 of 9 values is not "100 %".
        return int(self.share * 100)

    @property
    def updated_at(self) -> datetime | None:
        return self.report.updated_at if self.report is not None else None

    @property
    def updated_by(self) -> str:
        user = self.report.updated_by if self.report is not None else None
        return (user.get_full_name() or user.get_username()) if user is not None else ""

    @property
    def addresses(self) -> list[str]:
        return [point.email for point in self.focal_points if point.email]

    @property
    def remindable(self) -> bool:
        return self.state in REMINDABLE


@dataclass
class Board:
    round: Round
    rows: list[Row]
    totals: dict[str, int]
    values_requested: int
    questions: int

    @property
    def partner_count(self) -> int:
        return sum(self.totals.values())

    @property
    def totals_in_words(self) -> list[tuple[str, str, int]]:
        """(state, label, how many) for every state, the empty ones too: a board shows 0 approved as plainly."""
        return [(state, STATE_LABELS[state], self.totals.get(state, 0)) for state in STATES
                if state != NO_RETURN or self.totals.get(state)]


def _count(model, *, filters: dict | None = None):
    """How many rows of a model belong to the outer return, as a subquery (0 for none)."""
    rows = model.objects.filter(report=OuterRef("pk"), **(filters or {})).order_by()
    counted = rows.values("report").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _latest_reminder():
    """The outer return's latest reminder, as a subquery of its id (None when none went)."""
    return Subquery(Reminder.objects.filter(report=OuterRef("pk")).order_by("-sent_at", "-pk").values("pk")[:1])


def board(round: Round, *, state: str | None = None, region: str | None = None, order: str | None = None,
          every_reminder: bool = False) -> Board:
    """Every partner's row in the round (those a filter leaves out aside), with the totals of the whole round.

    state is a return state or "none"; region "asia" or "europe"; order a key of ORDERS, "-" first to reverse
    (the partner's name when none). An unknown value raises ValueError naming it. Each row counts its reminders and
    carries the latest, both found by the database (a round's reminders are thousands by its end); every_reminder
    lists them all on each row as well.
    """
    if state not in (None, "", *STATES):
        raise ValueError(f"state: unknown state {state!r}")
    if region not in (None, "", *Region.values):
        raise ValueError(f"region: unknown region {region!r}")
    order = order or "partner"
    if order.removeprefix("-") not in ORDERS:
        raise ValueError(f"order: unknown order {order!r}")

    # Expect 6 queries: the round's indicators, its questions, the returns with their counts and last editors, the
    # partners, their focal points, each return's latest reminder (or every one).
    indicator_count = round.indicators.count()
    question_count = round.questions.count()
    requested = indicator_count * len(round.years)
    returns = (
        Return.objects.filter(round=round).select_related("updated_by").order_by()
        .annotate(
            values_filled=_count(ReturnValue, filters={"indicator__rounds": round, "year__gte": round.first_year,
                                                       "year__lte": round.last_year}),
            flow_count=_count(ReturnFlow),
            answer_count=_count(Answer, filters={"question__round": round, "text__gt": ""}),
            reminder_count=_count(Reminder),
        )
    )
    by_partner = {report.partner_id: report for report in returns}
    focal_points = defaultdict(list)
    memberships = (PartnerMembership.objects.filter(user__is_active=True).select_related("user")
                   .order_by("user__last_name", "user__first_name", "user__username"))
    for membership in memberships:
        user = membership.user
        focal_points[membership.partner_id].append(
            FocalPoint(name=user.get_full_name() or user.get_username(), email=user.email))
    reminders = defaultdict(list)
    sent = Reminder.objects.select_related("sent_by").order_by("-sent_at", "-pk")
    if every_reminder:
        sent = sent.filter(report__round=round)
    else:
        # Asked of the database even when no reminder went, so the board costs the same queries either way.
        sent = sent.filter(pk__in=Return.objects.filter(round=round).annotate(latest=_latest_reminder())
                           .values("latest"))
    for reminder in sent:
        reminders[reminder.report_id].append(reminder)

    rows = []
    for partner in Partner.objects.all():
        report = by_partner.get(partner.pk)
        row = Row(partner=partner, report=report, values_requested=requested, questions=question_count,
                  focal_points=focal_points[partner.pk])
        if report is not None:
            # Returns name partners by their own id, so a Partner row is not fetched twice.
            report.partner = partner
            report.round = round
            row.values_filled, row.flows, row.answers = report.values_filled, report.flow_count, report.answer_count
            row.reminder_count = report.reminder_count
            mine = reminders[report.pk]
            row.last_reminder = mine[0] if mine else None
            row.reminders = mine if every_reminder else []
        rows.append(row)

    totals = Counter(row.state for row in rows)
    shown = [row for row in rows if (not state or row.state == state) and (not region or row.partner.region == region)]
    shown.sort(key=ORDERS[order.removeprefix("-")], reverse=order.startswith("-"))
    return Board(round=round, rows=shown, totals=dict(totals), values_requested=requested, questions=question_count)
