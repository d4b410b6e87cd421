"""The stocktaking report: every figure of it, read once for a period.

The page, the XLSX and CSV downloads and the API all call
``stocktaking_report(period)`` and show what it returns, so they cannot
drift apart. It reads approved data only: published activities, mobility
flows and the progress engine's results.

- Progress of the vision, each objective, priority and indicator at the end
  of the period (as of its last year) against the start of the period (as of
  the year before its first, so the period's own data is the change).
- The activities of the period: published, not cancelled, and under way in at
  least one of its years, by the same rule as the activity list's year filter
  (``ActivityFilter.filter_year``): started by the period's end and not ended
  before its start; without an end year, ongoing or started in the period.
- The coverage matrix: for each objective and instrument, how many distinct
  activities serve both. An activity serving two objectives and two
  instruments counts once in each of its four cells, never twice in one.
- Asia-Europe balance: per objective, the participants from each side in its
  activities and the partners of each side taking part; and the period's
  mobility flows in each direction, per year. Flows are not tied to an
  objective, so they are shown once for the whole period.
- Partner participation: for every partner, the activities it led and those it
  joined without leading.
- How much of all this is demonstration data.

It costs a fixed number of queries however many activities, partners and flows
there are: the two progress overviews (four queries each, or none when they
are cached), the strategy, the instruments, the partners, the activities, the
activities' objectives, instruments and partners, and the flows' totals.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from instruments.models import Instrument
from mobility.models import Activity, MobilityFlow, Partner, Region
from mobility.selectors import YearDirections, activities_newest_first, direction_expression, partner_list
from objectives import progress
from objectives.models import Objective, Strategy
from objectives.selectors import current_strategy, progress_overview

# A report covers the last two full years unless asked otherwise: the AEP reports every two years.
DEFAULT_YEARS = 2


@dataclass(frozen=True)
class Period:
    """The years a report covers, both included."""

    start: int
    end: int

    @property
    def years(self) -> int:
        return self.end - self.start + 1

    @property
    def year_list(self) -> list[int]:
        return list(range(self.start, self.end + 1))

    @property
    def baseline_year(self) -> int:
        """Progress "at the start" is as of the year before the first: the period's own data is the change."""
        return self.start - 1

    @property
    def label(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}–{self.end}"

    @property
    def slug(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"

    @property
    def query(self) -> str:
        return f"from={self.start}&to={self.end}"

    def as_dict(self) -> dict:
        return {"from": self.start, "to": self.end, "years": self.years, "progress_start_as_of": self.baseline_year,
                "progress_end_as_of": self.end}


def default_period(today: datetime.date | None = None) -> Period:
    """The last two full years."""
    last_full_year = (today or timezone.localdate()).year - 1
    return Period(last_full_year - DEFAULT_YEARS + 1, last_full_year)


def activities_under_way(queryset: QuerySet[Activity], period: Period) -> QuerySet[Activity]:
    """Activities under way in at least one year of the period.

    The union over the period's years of ActivityFilter.filter_year: started
    by the end of the period, and ended in it or after it; without an end
    year, ongoing, or started within the period.
    """
    return queryset.filter(start_year__lte=period.end).filter(
        Q(end_year__gte=period.start)
        | Q(end_year__isnull=True, status=Activity.Status.ONGOING)
        | Q(end_year__isnull=True, start_year__gte=period.start)
    )


def period_activities(period: Period) -> QuerySet[Activity]:
    """The published activities under way in the period, cancelled ones included (the report counts them apart)."""
    return activities_under_way(Activity.objects.filter(state=Activity.State.PUBLISHED), period)


# Progress -----------------------------------------------------------------------

TREND_BETTER = "better"
TREND_WORSE = "worse"
TREND_SAME = "same"
TREND_NEW = "new"
TREND_NONE = "none"
TREND_LABELS = {
    TREND_BETTER: "Better", TREND_WORSE: "Worse", TREND_SAME: "No change",
    TREND_NEW: "Assessed for the first time", TREND_NONE: "Not assessed",
}


@dataclass(frozen=True)
class ProgressRow:
    """The vision, an objective, a priority or an indicator: its status at the start and at the end of the period."""

    level: str  # vision, objective, priority or indicator
    code: str
    title: str
    url: str
    start: progress.RollupResult | progress.IndicatorResult
    end: progress.RollupResult | progress.IndicatorResult
    unit: str = ""
    is_demo: bool = False

    @property
    def score_change(self) -> float | None:
        if self.start.score is None or self.end.score is None:
            return None
        return self.end.score - self.start.score

    @property
    def trend(self) -> str:
        if self.end.score is None:
            return TREND_NONE
        if self.start.score is None:
            return TREND_NEW
        change = self.score_change
        if change > 1e-9:
            return TREND_BETTER
        if change < -1e-9:
            return TREND_WORSE
        return TREND_SAME

    @property
    def trend_label(self) -> str:
        return TREND_LABELS[self.trend]

    @property
    def is_indicator(self) -> bool:
        return self.level == "indicator"

    def as_dict(self) -> dict:
        data = {"level": self.level, "code": self.code, "title": self.title, "url": self.url,
                "start": _status_dict(self.start), "end": _status_dict(self.end),
                "score_change": self.score_change, "trend": self.trend, "trend_label": self.trend_label,
                "unit": self.unit or None, "is_demo": self.is_demo}
        return data


def _status_dict(result) -> dict:
    data = {"as_of": result.as_of, "status": result.status, "status_label": result.status_label,
            "score": result.score}
    if isinstance(result, progress.IndicatorResult):
        data.update(latest_year=result.latest_year, latest_value=result.latest_value)
    else:
        data.update(latest_year=None, latest_value=None)
    data["indicators_assessed"] = getattr(result, "scored_count", None)
    return data


def _progress_rows(period: Period) -> tuple[list[ProgressRow], list[Objective]]:
    end = progress_overview(as_of=period.end)
    start = progress_overview(as_of=period.baseline_year)
    before = {item.objective.pk: item for item in start.objectives}
    rows = [ProgressRow("vision", "", "The vision: all four objectives", "", start.vision, end.vision)]
    for item in end.objectives:
        objective = item.objective
        earlier = before.get(objective.pk)
        if earlier is None:  # the strategy changed between the two reads; show nothing rather than mismatch
            continue
        rows.append(ProgressRow("objective", str(objective.number), objective.title, objective.get_absolute_url(),
                                earlier.result, item.result))
        earlier_priorities = {p.priority.pk: p for p in earlier.priorities}
        for priority in item.priorities:
            earlier_priority = earlier_priorities.get(priority.priority.pk)
            if earlier_priority is None:
                continue
            rows.append(ProgressRow("priority", priority.priority.code, priority.priority.title, "",
                                    earlier_priority.result, priority.result))
            earlier_indicators = {i.indicator.pk: i for i in earlier_priority.indicators}
            for indicator in priority.indicators:
                earlier_indicator = earlier_indicators.get(indicator.indicator.pk)
                if earlier_indicator is None:
                    continue
                rows.append(ProgressRow(
                    "indicator", indicator.indicator.code, indicator.indicator.name,
                    indicator.indicator.get_absolute_url(), earlier_indicator.result, indicator.result,
                    unit=indicator.indicator.unit, is_demo=indicator.indicator.is_demo,
                ))
    return rows, [item.objective for item in end.objectives]


# Activities ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReportActivity:
    """A published activity of the period, with the objectives and instruments it serves and its partners."""

    activity: Activity
    objectives: tuple[Objective, ...]
    instruments: tuple[Instrument, ...]
    partners: tuple[Partner, ...]  # taking part, the lead partner included if it is listed

    @property
    def is_demo(self) -> bool:
        return self.activity.is_demo

    @property
    def participants_reported(self) -> bool:
        return self.activity.participants_asia is not None or self.activity.participants_europe is not None

    @property
    def lead_name(self) -> str:
        a = self.activity
        return a.lead_partner.name if a.lead_partner else a.lead_description

    @property
    def joined(self) -> tuple[Partner, ...]:
        """The partners taking part without leading."""
        return tuple(p for p in self.partners if p.pk != self.activity.lead_partner_id)

    def as_dict(self) -> dict:
        a = self.activity
        return {
            "slug": a.slug, "title": a.title, "url": a.get_absolute_url(), "type": a.activity_type,
            "type_label": a.get_activity_type_display(), "status": a.status, "start_year": a.start_year,
            "end_year": a.end_year,
            "lead_partner": a.lead_partner.code if a.lead_partner else None,
            "lead_description": a.lead_description,
            "partners": [p.code for p in self.joined],
            "objectives": [o.number for o in self.objectives],
            "instruments": [i.slug for i in self.instruments],
            "participants_asia": a.participants_asia, "participants_europe": a.participants_europe,
            "is_demo": a.is_demo,
        }


@dataclass(frozen=True)
class ActivityGroup:
    """The activities serving one objective through one instrument (None: not linked to any)."""

    objective: Objective | None
    instrument: Instrument | None
    activities: list[ReportActivity]

    def as_dict(self) -> dict:
        return {"objective": self.objective.number if self.objective else None,
                "instrument": self.instrument.slug if self.instrument else None,
                "activities": [item.activity.slug for item in self.activities]}


@dataclass(frozen=True)
class ObjectiveActivities:
    """One objective's activities (None: those linked to no objective), by instrument."""

    objective: Objective | None
    activities: int  # distinct
    groups: list[ActivityGroup]


# Coverage -----------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageCell:
    objective: Objective
    instrument: Instrument
    activities: int
    demo: int

    @property
    def is_empty(self) -> bool:
        return self.activities == 0

    def as_dict(self) -> dict:
        return {"objective": self.objective.number, "instrument": self.instrument.slug,
                "activities": self.activities, "demo": self.demo, "is_empty": self.is_empty}


@dataclass(frozen=True)
class CoverageRow:
    objective: Objective
    cells: list[CoverageCell]
    activities: int  # distinct activities serving the objective, through any instrument or none


@dataclass(frozen=True)
class Coverage:
    instruments: list[Instrument]
    rows: list[CoverageRow]
    instrument_totals: list[int]  # distinct activities using each instrument, for any objective or none
    without_objective: int
    without_instrument: int

    @property
    def cells(self) -> list[CoverageCell]:
        return [cell for row in self.rows for cell in row.cells]

    @property
    def empty_cells(self) -> list[CoverageCell]:
        return [cell for cell in self.cells if cell.is_empty]

    def cell(self, objective_number: int, instrument_slug: str) -> CoverageCell:
        return next(c for c in self.cells if c.objective.number == objective_number
                    and c.instrument.slug == instrument_slug)

    def as_dict(self) -> dict:
        return {
            "instruments": [{"number": i.number, "slug": i.slug, "name": i.name} for i in self.instruments],
            "rows": [{"objective": row.objective.number, "title": row.objective.title, "activities": row.activities,
                      "cells": [cell.as_dict() for cell in row.cells]} for row in self.rows],
            "instrument_totals": [{"instrument": i.slug, "activities": n}
                                  for i, n in zip(self.instruments, self.instrument_totals, strict=True)],
            "empty_cells": [{"objective": c.objective.number, "instrument": c.instrument.slug}
                            for c in self.empty_cells],
            "without_objective": self.without_objective, "without_instrument": self.without_instrument,
        }


# Balance ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantBalance:
    """Participants and partners from each side in the activities of one objective (None: all activities)."""

    objective: Objective | None
    activities: int
    reporting: int  # of them, how many report a participant figure
    participants_asia: int
    participants_europe: int
    partners_asia: int
    partners_europe: int

    @property
    def participants(self) -> int:
        return self.participants_asia + self.participants_europe

    @property
    def share_asia(self) -> float | None:
        return self.participants_asia / self.participants if self.participants else None

    @property
    def share_asia_percent(self) -> float | None:
        return None if self.share_asia is None else round(self.share_asia * 100, 1)

    @property
    def ratio(self) -> float | None:
        """The smaller side over the larger: 1 is balanced."""
        larger = max(self.participants_asia, self.participants_europe)
        return min(self.participants_asia, self.participants_europe) / larger if larger else None

    def as_dict(self) -> dict:
        return {"objective": self.objective.number if self.objective else None,
                "activities": self.activities, "reporting_participants": self.reporting,
                "participants_asia": self.participants_asia, "participants_europe": self.participants_europe,
                "share_asia": self.share_asia, "ratio": self.ratio,
                "partners_asia": self.partners_asia, "partners_europe": self.partners_europe}


@dataclass(frozen=True)
class MobilityBalance:
    """The period's mobility flows in each direction: each year, and the whole period."""

    years: list[YearDirections]
    total: YearDirections
    flows: int
    demo_participants: int

    def as_dict(self) -> dict:
        return {"years": [_directions_dict(y) for y in self.years], "total": _directions_dict(self.total),
                "flows": self.flows, "demo_participants": self.demo_participants}


def _directions_dict(item: YearDirections) -> dict:
    return {"year": item.year, "asia_to_europe": item.asia_to_europe, "europe_to_asia": item.europe_to_asia,
            "within_asia": item.within_asia, "within_europe": item.within_europe, "balance": item.balance}


# Partners ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerParticipation:
    partner: Partner
    led: int
    joined: int  # taking part without leading

    @property
    def total(self) -> int:
        return self.led + self.joined

    @property
    def is_absent(self) -> bool:
        return self.total == 0

    def as_dict(self) -> dict:
        p = self.partner
        return {"code": p.code, "name": p.name, "region": p.region, "led": self.led, "joined": self.joined,
                "total": self.total, "is_absent": self.is_absent}


# The report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoShare:
    """How much of the report is synthetic demonstration data."""

    activities: int
    flow_participants: int
    indicators: int

    @property
    def any(self) -> bool:
        return bool(self.activities or self.flow_participants or self.indicators)

    def as_dict(self) -> dict:
        return {"any": self.any, "activities": self.activities, "flow_participants": self.flow_participants,
                "indicators": self.indicators}


@dataclass(frozen=True)
class StocktakingReport:
    period: Period
    strategy: Strategy | None
    objectives: list[Objective]
    progress: list[ProgressRow]
    activities: list[ReportActivity]
    by_objective: list[ObjectiveActivities]
    coverage: Coverage
    balance: list[ParticipantBalance]  # each objective, then every activity of the period
    mobility: MobilityBalance
    partners: list[PartnerParticipation]
    demo: DemoShare
    cancelled: int  # published activities of the period that were cancelled: left out

    @property
    def absent_partners(self) -> list[Partner]:
        return [item.partner for item in self.partners if item.is_absent]

    @property
    def partners_taking_part(self) -> int:
        return sum(1 for item in self.partners if not item.is_absent)

    @property
    def balance_all(self) -> ParticipantBalance:
        return self.balance[-1]

    @property
    def only_demo(self) -> bool:
        """Every activity and flow participant of the period is synthetic (and there is some)."""
        has_activities = bool(self.activities)
        has_flows = bool(self.mobility.flows)
        if not (has_activities or has_flows):
            return False
        activities_demo = not has_activities or self.demo.activities == len(self.activities)
        total = self.mobility.total
        flows_total = total.asia_to_europe + total.europe_to_asia + total.within_asia + total.within_europe
        flows_demo = not has_flows or self.demo.flow_participants == flows_total
        return activities_demo and flows_demo

    @property
    def has_progress_data(self) -> bool:
        return any(row.end.score is not None for row in self.progress)

    def as_dict(self) -> dict:
        return {
            "period": self.period.as_dict(),
            "strategy": self.strategy.title if self.strategy else None,
            "demo": {**self.demo.as_dict(), "only": self.only_demo},
            "summary": {
                "activities": len(self.activities), "cancelled_left_out": self.cancelled,
                "partners": len(self.partners), "partners_taking_part": self.partners_taking_part,
                "partners_absent": len(self.absent_partners),
                "coverage_cells": len(self.coverage.cells), "coverage_cells_empty": len(self.coverage.empty_cells),
            },
            "progress": [row.as_dict() for row in self.progress],
            "activities": [item.as_dict() for item in self.activities],
            "activity_groups": [group.as_dict() for section in self.by_objective for group in section.groups],
            "coverage": self.coverage.as_dict(),
            "balance": {"objectives": [row.as_dict() for row in self.balance[:-1]],
                        "all": self.balance_all.as_dict(), "mobility": self.mobility.as_dict()},
            "partners": [item.as_dict() for item in self.partners],
            "absent_partners": [p.code for p in self.absent_partners],
        }


def stocktaking_report(period: Period) -> StocktakingReport:
    """The stocktaking report for a period, in a fixed number of queries."""
    progress_rows, objectives = _progress_rows(period)
    strategy = current_strategy()
    instruments = list(Instrument.objects.order_by("number"))
    partners = list(partner_list())

    in_period = period_activities(period)
    fetched = list(activities_newest_first(in_period.select_related("lead_partner")))
    cancelled = sum(1 for a in fetched if a.status == Activity.Status.CANCELLED)
    records = [a for a in fetched if a.status != Activity.Status.CANCELLED]
    ids = in_period.values("pk")
    objective_ids, instrument_ids, partner_ids = defaultdict(set), defaultdict(set), defaultdict(set)
    for activity_id, objective_id in Activity.objectives.through.objects.filter(activity_id__in=ids).values_list(
        "activity_id", "objective_id"
    ):
        objective_ids[activity_id].add(objective_id)
    for activity_id, instrument_id in Activity.instruments.through.objects.filter(
        activity_id__in=ids
    ).values_list("activity_id", "instrument_id"):
        instrument_ids[activity_id].add(instrument_id)
    for activity_id, partner_id in Activity.partners.through.objects.filter(activity_id__in=ids).values_list(
        "activity_id", "partner_id"
    ):
        partner_ids[activity_id].add(partner_id)

    objective_by_id = {o.pk: o for o in objectives}
    instrument_by_id = {i.pk: i for i in instruments}
    partner_by_id = {p.pk: p for p in partners}
    activities = [
        ReportActivity(
            activity=a,
            objectives=tuple(sorted((objective_by_id[i] for i in objective_ids[a.pk] if i in objective_by_id),
                                    key=lambda o: o.number)),
            instruments=tuple(sorted((instrument_by_id[i] for i in instrument_ids[a.pk] if i in instrument_by_id),
                                     key=lambda i: i.number)),
            partners=tuple(sorted((partner_by_id[i] for i in partner_ids[a.pk] if i in partner_by_id),
                                  key=lambda p: p.name)),
        )
        for a in records
    ]
    flows = _mobility(period)
    return StocktakingReport(
        period=period,
        strategy=strategy,
        objectives=objectives,
        progress=progress_rows,
        activities=activities,
        by_objective=_by_objective(activities, objectives, instruments),
        coverage=_coverage(activities, objectives, instruments),
        balance=_balance(activities, objectives),
        mobility=flows,
        partners=_partners(activities, partners),
        demo=DemoShare(
            activities=sum(1 for item in activities if item.is_demo),
            flow_participants=flows.demo_participants,
            indicators=sum(1 for row in progress_rows if row.is_indicator and row.is_demo),
        ),
        cancelled=cancelled,
    )


def _by_objective(activities: list[ReportActivity], objectives: list[Objective],
                  instruments: list[Instrument]) -> list[ObjectiveActivities]:
    sections = []
    for objective in [*objectives, None]:
        serving = [item for item in activities
                   if (objective in item.objectives if objective else not item.objectives)]
        groups = []
        for instrument in [*instruments, None]:
            members = [item for item in serving
                       if (instrument in item.instruments if instrument else not item.instruments)]
            if members:
                groups.append(ActivityGroup(objective, instrument, members))
        if serving or objective is not None:
            sections.append(ObjectiveActivities(objective, len(serving), groups))
    return sections


def _coverage(activities: list[ReportActivity], objectives: list[Objective],
              instruments: list[Instrument]) -> Coverage:
    # Sets of activity ids, so an activity is counted once in a cell whatever its other links.
    cells: dict[tuple[int, int], set[int]] = defaultdict(set)
    demo: dict[tuple[int, int], set[int]] = defaultdict(set)
    for item in activities:
        for objective in item.objectives:
            for instrument in item.instruments:
                cells[objective.pk, instrument.pk].add(item.activity.pk)
                if item.is_demo:
                    demo[objective.pk, instrument.pk].add(item.activity.pk)
    rows = [
        CoverageRow(
            objective=objective,
            cells=[CoverageCell(objective, instrument, len(cells[objective.pk, instrument.pk]),
                                len(demo[objective.pk, instrument.pk])) for instrument in instruments],
            activities=sum(1 for item in activities if objective in item.objectives),
        )
        for objective in objectives
    ]
    return Coverage(
        instruments=instruments,
        rows=rows,
        instrument_totals=[sum(1 for item in activities if instrument in item.instruments)
                           for instrument in instruments],
        without_objective=sum(1 for item in activities if not item.objectives),
        without_instrument=sum(1 for item in activities if not item.instruments),
    )


def _balance(activities: list[ReportActivity], objectives: list[Objective]) -> list[ParticipantBalance]:
    def balance(objective: Objective | None, items: list[ReportActivity]) -> ParticipantBalance:
        involved = {p for item in items for p in item.partners}
        involved |= {item.activity.lead_partner for item in items if item.activity.lead_partner}
        return ParticipantBalance(
            objective=objective,
            activities=len(items),
            reporting=sum(1 for item in items if item.participants_reported),
            participants_asia=sum(item.activity.participants_asia or 0 for item in items),
            participants_europe=sum(item.activity.participants_europe or 0 for item in items),
            partners_asia=sum(1 for p in involved if p.region == Region.ASIA),
            partners_europe=sum(1 for p in involved if p.region == Region.EUROPE),
        )

    rows = [balance(o, [item for item in activities if o in item.objectives]) for o in objectives]
    return [*rows, balance(None, activities)]


def _mobility(period: Period) -> MobilityBalance:
    rows = (
        MobilityFlow.objects.filter(year__gte=period.start, year__lte=period.end)
        .order_by().annotate(direction=direction_expression()).values("year", "direction")
        .annotate(people=Sum("participants"), demo=Sum("participants", filter=Q(is_demo=True)), flows=Count("pk"))
    )
    years = {year: YearDirections(year) for year in period.year_list}
    total = YearDirections(year=None)
    flows = demo = 0
    for row in rows:
        setattr(years[row["year"]], row["direction"], row["people"] or 0)
        setattr(total, row["direction"], getattr(total, row["direction"]) + (row["people"] or 0))
        flows += row["flows"]
        demo += row["demo"] or 0
    return MobilityBalance(years=list(years.values()), total=total, flows=flows, demo_participants=demo)


def _partners(activities: list[ReportActivity], partners: list[Partner]) -> list[PartnerParticipation]:
    led: dict[int, int] = defaultdict(int)
    joined: dict[int, int] = defaultdict(int)
    for item in activities:
        if item.activity.lead_partner_id:
            led[item.activity.lead_partner_id] += 1
        for partner in item.joined:
            joined[partner.pk] += 1
    return [PartnerParticipation(p, led[p.pk], joined[p.pk]) for p in partners]

