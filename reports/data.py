"""The stocktaking report's figures, as the page, the downloads and the API read them.

Values that reports.selectors.stocktaking_report() builds, in a fixed number of queries, for the page and the
exports to show and the API's serializers (reports.api) to write as JSON.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from instruments.models import Instrument
from mobility.models import Activity, Partner
from mobility.selectors import YearDirections
from objectives import progress
from objectives.models import Indicator, Objective, Strategy
from reporting.models import Question, Round

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


def default_period(today: datetime.date | None = None) -> Period:
    """The last two full years."""
    last_full_year = (today or timezone.localdate()).year - 1
    return Period(last_full_year - DEFAULT_YEARS + 1, last_full_year)


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


@dataclass(frozen=True)
class ActivityGroup:
    """The activities serving one objective through one instrument (None: not linked to any)."""

    objective: Objective | None
    instrument: Instrument | None
    activities: list[ReportActivity]  # every one in the downloads; on the page and in the API, the newest
    count: int  # how many there are

    @property
    def more(self) -> int:
        """How many are not listed."""
        return self.count - len(self.activities)


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


@dataclass(frozen=True)
class InstrumentTotal:
    instrument: Instrument
    activities: int  # distinct activities using it, for any objective or none


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

    @property
    def totals_by_instrument(self) -> list[InstrumentTotal]:
        return [InstrumentTotal(i, n) for i, n in zip(self.instruments, self.instrument_totals, strict=True)]


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


@dataclass(frozen=True)
class MobilityBalance:
    """The period's mobility flows in each direction: each year, and the whole period."""

    years: list[YearDirections]
    total: YearDirections
    flows: int
    demo_participants: int


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


# The reporting round ------------------------------------------------------------------


@dataclass(frozen=True)
class AsemValue:
    """An indicator's ASEM value for one year, made from the partners' approved values, and how many it rests on."""

    year: int
    value: float | None  # None: no partner's value of that year is approved
    shown: float | int | None  # the value at the indicator's precision, as the page and the files show it
    coverage: int


@dataclass(frozen=True)
class PartnerValue:
    """A partner's latest approved value of an indicator in the period."""

    partner: Partner
    year: int
    value: float
    shown: float | int


@dataclass(frozen=True)
class RoundIndicator:
    """An indicator the round asks partners for: the ASEM value each year of the period, and each partner's latest."""

    indicator: Indicator
    asem: list[AsemValue]  # each year of the period, in order
    partners: list[PartnerValue]  # partners with a value in the period, by name


@dataclass(frozen=True)
class PartnerValuesRow:
    """One partner's latest values of the round's indicators, in the order of the indicators (None: no value)."""

    partner: Partner
    values: list[PartnerValue | None]


@dataclass(frozen=True)
class Quote:
    partner: Partner
    text: str


@dataclass(frozen=True)
class QuestionAnswers:
    """A narrative question of the round and the answers of the approved returns, by partner."""

    question: Question
    answers: list[Quote]


@dataclass(frozen=True)
class RoundSection:
    """The reporting round that covers the period: the partners' own figures and what they said.

    Only what the secretariat approved: the partners' values are their published observations, and the answers
    are those of each return's approved version, never a draft's.
    """

    round: Round
    returns: int  # every return of the round
    reported: list[Partner]  # partners whose return was approved, by name
    partners: int  # every partner: what a coverage is out of
    indicators: list[RoundIndicator]
    narratives: list[QuestionAnswers]

    @property
    def is_demo(self) -> bool:
        return self.round.is_demo

    @property
    def years(self) -> str:
        r = self.round
        return str(r.first_year) if r.first_year == r.last_year else f"{r.first_year}–{r.last_year}"

    @property
    def partner_rows(self) -> list[PartnerValuesRow]:
        """Every partner with a value in the period, by name: its latest value of each indicator."""
        latest: dict[int, dict[int, PartnerValue]] = {}
        partners: dict[int, Partner] = {}
        for column, item in enumerate(self.indicators):
            for value in item.partners:
                latest.setdefault(value.partner.pk, {})[column] = value
                partners[value.partner.pk] = value.partner
        return [
            PartnerValuesRow(partner, [latest[pk].get(column) for column in range(len(self.indicators))])
            for pk, partner in sorted(partners.items(), key=lambda item: item[1].name)
        ]

    @property
    def answers(self) -> int:
        return sum(len(item.answers) for item in self.narratives)


# The report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoShare:
    """How much of the report is synthetic demonstration data."""

    activities: int
    flow_participants: int
    indicators: int
    round: bool = False  # the reporting round shown is a demonstration one

    @property
    def any(self) -> bool:
        return bool(self.activities or self.flow_participants or self.indicators or self.round)


@dataclass(frozen=True)
class StocktakingReport:
    period: Period
    strategy: Strategy | None
    objectives: list[Objective]
    progress: list[ProgressRow]
    activities: list[ReportActivity]  # every one when complete; else a page of them, or none
    activity_count: int  # published activities under way in the period, cancelled ones left out
    by_objective: list[ObjectiveActivities]
    coverage: Coverage
    balance: list[ParticipantBalance]  # each objective, then every activity of the period
    mobility: MobilityBalance
    partners: list[PartnerParticipation]
    demo: DemoShare
    cancelled: int  # published activities of the period that were cancelled: left out
    round: RoundSection | None = None  # the reporting round covering the period, if one does
    complete: bool = True  # every activity listed (the downloads), not only each group's newest (the page, the API)

    @property
    def absent_partners(self) -> list[Partner]:
        return [item.partner for item in self.partners if item.is_absent]

    @property
    def partners_taking_part(self) -> int:
        return sum(1 for item in self.partners if not item.is_absent)

    @property
    def balance_by_objective(self) -> list[ParticipantBalance]:
        return self.balance[:-1]

    @property
    def balance_all(self) -> ParticipantBalance:
        return self.balance[-1]

    @property
    def activity_groups(self) -> list[ActivityGroup]:
        """Every group of activities, objective by objective, each by instrument."""
        return [group for section in self.by_objective for group in section.groups]

    @property
    def only_demo(self) -> bool:
        """Every activity and flow participant of the period is synthetic (and there is some)."""
        has_activities = bool(self.activity_count)
        has_flows = bool(self.mobility.flows)
        if not (has_activities or has_flows):
            return False
        activities_demo = not has_activities or self.demo.activities == self.activity_count
        total = self.mobility.total
        flows_total = total.asia_to_europe + total.europe_to_asia + total.within_asia + total.within_europe
        flows_demo = not has_flows or self.demo.flow_participants == flows_total
        return activities_demo and flows_demo

    @property
    def has_progress_data(self) -> bool:
        return any(row.end.score is not None for row in self.progress)
