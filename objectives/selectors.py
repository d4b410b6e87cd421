"""Reads of the strategy shared by pages, the API and exports."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import F, Func, Max, Min, Prefetch, QuerySet, Subquery
from django.utils import timezone

from core import changes
from objectives import progress
from objectives.models import Indicator, Objective, Observation, PartnerTarget, Priority, Strategy
from partners.models import Partner


def asem_series(observations: QuerySet) -> QuerySet:
    """The observations of ASEM as a whole, headline and breakdowns: a partner's own values are never part of it."""
    return observations.filter(partner__isnull=True)


def asem_headline(observations: QuerySet) -> QuerySet:
    """The ASEM headline series, the one progress is measured on."""
    return asem_series(observations).filter(breakdown="")


def current_strategy() -> Strategy | None:
    return Strategy.objects.order_by("-start_year").first()


def objective_list():
    return Objective.objects.prefetch_related(Prefetch("priorities", queryset=Priority.objects.order_by("number")))


# Progress toward 2030 ---------------------------------------------------------
#
# progress_overview(as_of) -> ProgressOverview, for the home page, the progress
# chart, the objective pages and the API:
#   .as_of        the year it is computed as of (by default the latest whole year with data, the year the
#                 statuses rest on; None without data)
#   .vision       RollupResult of the four objectives
#   .objectives   [ObjectiveProgress(.objective, .result, .priorities)]
#                   .priorities  [PriorityProgress(.priority, .result, .indicators)]
#                     .indicators  [IndicatorProgress(.indicator, .result)]
#   .indicators   every IndicatorProgress, in objective and priority order
#   .as_dict()    the same as plain JSON-ready values
# indicator_progress(indicator, as_of) -> IndicatorResult for one indicator.
# status_counts(overview) -> {status: number of indicators}, best status first, every status present.
# progress_years() -> the years an "as of" picker offers: from the earliest baseline to the last whole year
#   with data; as_of_years(first=, with_data=) the same for one indicator.
# year_in_progress() -> this year: its observations are provisional and never make a status.
#
# Results are objectives.progress.IndicatorResult (status, status_label, score,
# is_override, override_reason, baseline_*, latest_*, target_*, actual_growth,
# required_growth, ratio, method, growth_method, direction, as_of, explanation)
# and RollupResult (status, status_label, score, counts, as_of). The overview
# costs four queries however many indicators there are, and is cached until
# the next write (core/changes.py).


@dataclass(frozen=True)
class IndicatorProgress:
    indicator: Indicator
    result: progress.IndicatorResult

    def as_dict(self) -> dict:
        i = self.indicator
        return {"code": i.code, "name": i.name, "unit": i.unit, "weight": i.weight, "source": i.source,
                "metric": i.metric, "is_demo": i.is_demo, "result": self.result.as_dict()}


@dataclass(frozen=True)
class PriorityProgress:
    priority: Priority
    result: progress.RollupResult
    indicators: list[IndicatorProgress]

    def as_dict(self) -> dict:
        return {"code": self.priority.code, "title": self.priority.title, "result": self.result.as_dict(),
                "indicators": [item.as_dict() for item in self.indicators]}


@dataclass(frozen=True)
class ObjectiveProgress:
    objective: Objective
    result: progress.RollupResult
    priorities: list[PriorityProgress]

    @property
    def indicators(self) -> list[IndicatorProgress]:
        return [item for priority in self.priorities for item in priority.indicators]

    def as_dict(self) -> dict:
        o = self.objective
        return {"number": o.number, "title": o.title, "short_title": o.short_title, "result": self.result.as_dict(),
                "priorities": [item.as_dict() for item in self.priorities]}


@dataclass(frozen=True)
class ProgressOverview:
    as_of: int | None
    vision: progress.RollupResult
    objectives: list[ObjectiveProgress]

    @property
    def indicators(self) -> list[IndicatorProgress]:
        return [item for objective in self.objectives for item in objective.indicators]

    def as_dict(self) -> dict:
        return {"as_of": self.as_of, "vision": self.vision.as_dict(), "status_counts": status_counts(self),
                "objectives": [item.as_dict() for item in self.objectives]}


def progress_overview(as_of: int | None = None) -> ProgressOverview:
    """The progress of the vision, each objective, priority and indicator, as of a year."""
    use_cache = not changes.change_pending()
    if use_cache:
        key = changes.key("overview", "latest" if as_of is None else as_of, year_in_progress())
        overview = cache.get(key)
        if overview is not None:
            return overview
    overview = _build_overview(as_of)
    if use_cache:
        cache.set(key, overview)
    return overview


def _build_overview(as_of: int | None) -> ProgressOverview:
    # Four queries: objectives, priorities, indicators, and every headline observation.
    indicators = Prefetch("indicators", queryset=Indicator.objects.order_by("code"))
    priorities = Prefetch("priorities", queryset=Priority.objects.order_by("number").prefetch_related(indicators))
    objectives = list(Objective.objects.order_by("number").prefetch_related(priorities))
    series: dict[int, dict[int, float]] = defaultdict(dict)
    for indicator_id, year, value in asem_headline(Observation.objects).order_by().values_list(
        "indicator_id", "year", "value"
    ):
        series[indicator_id][year] = value
    this_year = year_in_progress()  # once: asking the clock for each of thousands of values is most of the time
    if as_of is None:
        whole_years = (year for values in series.values() for year in values if year < this_year)
        as_of = max(whole_years, default=None)

    objective_items = []
    for objective in objectives:
        priority_items = []
        for priority in objective.priorities.all():
            indicator_items = [
                IndicatorProgress(indicator, _assess(indicator, series.get(indicator.pk, {}), as_of,
                                                     this_year=this_year))
                for indicator in priority.indicators.all()
            ]
            result = progress.roll_up([item.result for item in indicator_items], as_of=as_of)
            priority_items.append(PriorityProgress(priority, result, indicator_items))
        result = progress.roll_up([item.result for item in priority_items], as_of=as_of)
        objective_items.append(ObjectiveProgress(objective, result, priority_items))
    vision = progress.roll_up([item.result for item in objective_items], as_of=as_of)
    return ProgressOverview(as_of=as_of, vision=vision, objectives=objective_items)


def indicator_progress(indicator: Indicator, as_of: int | None = None) -> progress.IndicatorResult:
    """One indicator's progress as of a year (by default the latest year it has data for), in one query."""
    values = asem_headline(Observation.objects.filter(indicator=indicator)).order_by().values_list("year", "value")
    return _assess(indicator, dict(values), as_of)


def indicators_progress(indicators: Iterable[Indicator]) -> dict[int, progress.IndicatorResult]:
    """Several indicators' progress, each as indicator_progress() gives it, in one query for them all."""
    indicators = list(indicators)
    series: dict[int, dict[int, float]] = defaultdict(dict)
    observations = asem_headline(Observation.objects.filter(indicator__in=indicators)).order_by()
    for indicator_id, year, value in observations.values_list("indicator_id", "year", "value"):
        series[indicator_id][year] = value
    return {indicator.pk: _assess(indicator, series[indicator.pk], None) for indicator in indicators}


# Each partner's own progress on an indicator it reports ----------------------------------------------------------


@dataclass(frozen=True)
class PartnerProgress:
    """A partner's status on its own series: from its own baseline, toward its own target if it has one."""

    partner: Partner
    result: progress.IndicatorResult
    has_own_target: bool

    def as_dict(self) -> dict:
        return {"partner": self.partner.code, "name": self.partner.name, "has_own_target": self.has_own_target,
                "result": self.result.as_dict()}


def partner_progress(indicator: Indicator, *, as_of: int | None = None) -> list[PartnerProgress]:
    """Every partner with a headline value of the indicator, by name, with its status as of a year.

    A partner's baseline is its value in the indicator's baseline year, else its earliest value; its target is the
    one the secretariat set for it (PartnerTarget), else, for a count of partners meeting a condition, meeting it
    (count_at_least) by the indicator's target year, else none, and the no-target thresholds apply. The indicator's
    status override is the ASEM series' and no partner's. Two queries however many partners report.
    """
    # The partners come with their values: a join, not a query per partner; read as plain rows, with one partner
    # each (its code and name, the rest read only if asked), not hundreds of observations and partners as models.
    rows = (Observation.objects.filter(indicator=indicator, partner__isnull=False, breakdown="").order_by()
            .values_list("partner_id", "year", "value", "partner__code", "partner__name"))
    partners: dict[int, Partner] = {}
    observations = [
        _PartnerValue(partner_id, year, value, partners.get(partner_id) or partners.setdefault(
            partner_id, Partner.from_db(Observation.objects.db, ["id", "code", "name"], (partner_id, code, name))))
        for partner_id, year, value, code, name in rows
    ]
    targets = PartnerTarget.objects.filter(indicator=indicator).values_list("partner_id", "target_year", "target_value")
    items = [PartnerProgress(partner=first.partner, result=result, has_own_target=own)
             for first, result, own in _own_series(observations, targets, key=attrgetter("partner_id"),
                                                    indicator_of=lambda _: indicator, as_of=as_of)]
    return sorted(items, key=lambda item: item.partner.name)


class _PartnerValue(NamedTuple):
    """A partner's headline value of one year, as partner_progress() reads it."""

    partner_id: int
    year: int
    value: float
    partner: Partner


def _own_series(observations, targets, *, key, indicator_of, as_of):
    """Each partner's series on an indicator among the observations, keyed by key(observation) (a partner's id for
    one indicator, an indicator's for one partner), assessed toward its own target (targets: (key, year, value)):
    (its first observation, its result, whether it has a target of its own) for each."""
    series: dict[int, dict[int, float]] = defaultdict(dict)
    first = {}
    for observation in observations:
        series[key(observation)][observation.year] = observation.value
        first.setdefault(key(observation), observation)
    own = {target_key: (year, value) for target_key, year, value in targets}
    this_year = year_in_progress()
    return [(first[k], assess_partner(indicator_of(first[k]), values, own.get(k), as_of, this_year=this_year), k in own)
            for k, values in series.items()]


def assess_partner(indicator: Indicator, series: dict[int, float], target: tuple[int, float] | None,
                   as_of: int | None, *, this_year: int | None = None) -> progress.IndicatorResult:
    """One partner's status on its own series (year: value): the one rule the indicator page, the comparison and
    the profile share. A caller assessing many passes this_year, the year in progress, read once."""
    baseline_year = indicator.baseline_year if indicator.baseline_year in series else min(series)
    if target is None and indicator.aggregation == Indicator.Aggregation.COUNT:
        # A yes/no question's own target is the yes that counts it: a partner saying yes has achieved it, not grown
        # by nothing a year, and one that said yes and now says no has gone back.
        target = (indicator.target_year, indicator.count_at_least)
    target_year, target_value = target or (None, None)
    if target_year is not None and target_year <= baseline_year:
        target_year = target_value = None  # a target due before the partner's first value cannot be measured
    return progress.assess(
        direction=indicator.direction,
        baseline_year=baseline_year,
        baseline_value=series[baseline_year],
        target_year=target_year,
        target_value=target_value,
        observations=series,
        as_of=as_of,
        decimals=indicator.decimals,
        year_in_progress=this_year or year_in_progress(),
        horizon_year=indicator.target_year,
        ceiling=100.0 if indicator.kind == Indicator.Kind.PERCENTAGE else None,
    )


def status_counts(overview: ProgressOverview) -> dict[str, int]:
    """How many indicators have each status, best first; every status is present."""
    return {status: overview.vision.counts.get(status, 0) for status in progress.STATUSES}


def year_in_progress() -> int:
    return timezone.localdate().year


def progress_years() -> list[int]:
    """The years worth asking the overview's progress as of, in one query: from the earliest baseline (no status
    rests on an earlier year) to the last whole year with data."""
    # The last year is a subquery on the headline series' index, not a filter on every observation joined to its
    # indicator: the partners' tens of thousands of values are never read.
    last = asem_headline(Observation.objects).filter(year__lt=year_in_progress()).order_by().values(
        latest=Func(F("year"), function="MAX"))
    years = Indicator.objects.aggregate(first=Min("baseline_year"), last=Max(Subquery(last)))
    return as_of_years(first=years["first"], with_data=[] if years["last"] is None else [years["last"]])


def as_of_years(*, first: int | None, with_data: Iterable[int]) -> list[int]:
    """The years from `first` to the last whole year with data: a status rests on none before its baseline,
    nor on a year that has not ended or that has no data yet."""
    last = max((year for year in with_data if year < year_in_progress()), default=None)
    if last is None:
        return []
    return list(range(last if first is None else min(first, last), last + 1))


def _assess(indicator: Indicator, series: dict[int, float], as_of: int | None, *,
            this_year: int | None = None) -> progress.IndicatorResult:
    return progress.assess(
        direction=indicator.direction,
        baseline_year=indicator.baseline_year,
        baseline_value=indicator.baseline_value,
        target_year=indicator.target_year,
        target_value=indicator.target_value,
        observations=series,
        as_of=as_of,
        status_override=indicator.status_override,
        override_reason=indicator.override_reason,
        weight=indicator.weight,
        decimals=indicator.decimals,
        year_in_progress=this_year or year_in_progress(),
        horizon_year=indicator.target_year,
        ceiling=100.0 if indicator.kind == Indicator.Kind.PERCENTAGE else None,
    )
