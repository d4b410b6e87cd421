"""Comparing partners: ranked on one indicator in one year, and their statuses side by side for one objective.

Reads shared by the comparison pages, their CSVs and the API. Each costs the same few queries however many partners
report and however many indicators an objective has: the partners, their headline values and their own targets are
read once each, and every status is worked out in Python by the same engine as the partners' table of an indicator.
"""

from collections import defaultdict
from dataclasses import dataclass

from objectives import progress
from objectives.models import Indicator, Objective, Observation, PartnerTarget
from objectives.selectors import assess_partner, year_in_progress
from partners.models import Partner, Region

Series = dict[int, dict[int, float]]  # partner id -> {year: value}


def _partner_values(indicators: list[Indicator]) -> tuple[dict[int, Series], dict[tuple[int, int], tuple]]:
    """Each indicator's partners' headline values, and the partners' own targets: two queries for them all."""
    values: dict[int, Series] = defaultdict(lambda: defaultdict(dict))
    for indicator_id, partner_id, year, value in Observation.objects.filter(
        indicator__in=indicators, partner__isnull=False, breakdown="",
    ).order_by().values_list("indicator_id", "partner_id", "year", "value"):
        values[indicator_id][partner_id][year] = value
    targets = {
        (indicator_id, partner_id): (year, value) for indicator_id, partner_id, year, value in
        PartnerTarget.objects.filter(indicator__in=indicators).order_by()
        .values_list("indicator_id", "partner_id", "target_year", "target_value")
    }
    return values, targets


# One indicator, one year ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedPartner:
    """A partner's place on an indicator in a year: 1 is the best value (ties share a place), with its own status."""

    rank: int
    partner: Partner
    value: float
    result: progress.IndicatorResult


@dataclass(frozen=True)
class Figure:
    """The value of ASEM or of one side for the year, made from its partners' values as the indicator says."""

    region: str  # "" for ASEM as a whole
    label: str
    value: float | None
    coverage: int  # how many partners it rests on
    partner_count: int  # how many partners it could rest on


@dataclass(frozen=True)
class RegionGroup:
    region: str
    label: str
    figure: Figure
    rows: list[RankedPartner]
    not_reported: list[Partner]


@dataclass(frozen=True)
class IndicatorComparison:
    indicator: Indicator
    year: int | None  # None: no partner has reported the indicator
    years: list[int]  # the years some partner reported, latest first
    rows: list[RankedPartner]
    asem: Figure
    sides: list[Figure]
    not_reported: list[Partner]  # by name
    partner_count: int

    @property
    def coverage(self) -> int:
        return len(self.rows)

    def groups(self) -> list[RegionGroup]:
        """The ranking split by region, Asia first, each with its own figure and who did not report."""
        return [
            RegionGroup(region=side.region, label=side.label, figure=side,
                        rows=[row for row in self.rows if row.partner.region == side.region],
                        not_reported=[p for p in self.not_reported if p.region == side.region])
            for side in self.sides
        ]


def default_year(years: list[int]) -> int | None:
    """The latest whole year some partner reported; a year in progress only when there is no whole one."""
    whole = [year for year in years if year < year_in_progress()]
    return max(whole or years, default=None)


def indicator_comparison(indicator: Indicator, *, year: int | None = None) -> IndicatorComparison:
    """The partners ranked by their values of the indicator in a year (by default default_year()), best first by
    the indicator's direction, each with its own status as of that year; ASEM's and each side's figure made from
    those values by the indicator's rule; and the partners that did not report that year. Three queries."""
    partners = list(Partner.objects.order_by("name"))
    values, targets = _partner_values([indicator])
    series = values[indicator.pk]
    years = sorted({y for by_year in series.values() for y in by_year}, reverse=True)
    if year is None:
        year = default_year(years)
    reported = [p for p in partners if year in series.get(p.pk, {})]
    better_first = sorted(reported, key=lambda p: (-indicator.direction * series[p.pk][year], p.name))
    rows, rank, previous, this_year = [], 0, None, year_in_progress()
    for place, partner in enumerate(better_first, start=1):
        shown = indicator.at_precision(series[partner.pk][year])
        if shown != previous:
            rank, previous = place, shown
        result = assess_partner(indicator, series[partner.pk], targets.get((indicator.pk, partner.pk)), year,
                                this_year=this_year)
        rows.append(RankedPartner(rank=rank, partner=partner, value=series[partner.pk][year], result=result))

    def figure(region: str, label: str) -> Figure:
        members = [p for p in partners if not region or p.region == region]
        value, coverage = progress.aggregate(
            {p.code: series[p.pk][year] for p in members if year in series.get(p.pk, {})},
            rule=indicator.aggregation, count_at_least=indicator.count_at_least,
        )
        return Figure(region=region, label=label, value=value, coverage=coverage, partner_count=len(members))

    return IndicatorComparison(
        indicator=indicator, year=year, years=years, rows=rows,
        asem=figure("", "ASEM"), sides=[figure(region.value, str(region.label)) for region in Region],
        not_reported=[p for p in partners if year not in series.get(p.pk, {})], partner_count=len(partners),
    )


# One objective, every partner -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixRow:
    """A partner's own status on each of the objective's indicators partners report (None: it has not reported
    it), and their roll-up."""

    partner: Partner
    cells: list[progress.IndicatorResult | None]
    summary: progress.RollupResult

    @property
    def reported(self) -> int:
        return sum(1 for cell in self.cells if cell is not None)


@dataclass(frozen=True)
class ObjectiveMatrix:
    objective: Objective
    indicators: list[Indicator]  # the objective's indicators partners report, by code
    rows: list[MatrixRow]  # every partner, by name
    as_of: int | None


def objective_matrix(objective: Objective, *, as_of: int | None = None) -> ObjectiveMatrix:
    """Every partner's own status on each of the objective's indicators partners report, as of a year (by default
    each partner's latest), in four queries: the indicators, the partners, their values and their targets."""
    indicators = list(Indicator.objects.filter(priority__objective=objective)
                      .exclude(aggregation=Indicator.Aggregation.ASEM).order_by("code"))
    partners = list(Partner.objects.order_by("name"))
    values, targets = _partner_values(indicators) if indicators else ({}, {})
    rows = []
    this_year = year_in_progress()  # the clock read once, not for each of a thousand cells
    for partner in partners:
        cells = [
            assess_partner(indicator, values[indicator.pk][partner.pk], targets.get((indicator.pk, partner.pk)),
                           as_of, this_year=this_year)
            if values.get(indicator.pk, {}).get(partner.pk) else None
            for indicator in indicators
        ]
        summary = progress.roll_up([cell for cell in cells if cell is not None], as_of=as_of)
        rows.append(MatrixRow(partner=partner, cells=cells, summary=summary))
    return ObjectiveMatrix(objective=objective, indicators=indicators, rows=rows, as_of=as_of)

