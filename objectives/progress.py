"""The progress engine: how far an indicator, a priority, an objective and the vision are toward 2030.

Pure Python: numbers in, a result out, no database. It follows DESIGN.md
section 3 (the method of Open SDG and the UN SDG Progress Chart):

- actual growth is the compound annual growth rate (CAGR) from the baseline
  to the latest observation, required growth the same from the baseline to
  the target, and ``ratio = direction * actual / abs(required)``;
- ``achieved`` when the latest value meets the target; else ``on_track`` at
  a ratio of 0.95 or more, ``moderate`` from 0.6, ``limited`` from 0 and
  ``deterioration`` below 0; ``insufficient_data`` without an observation
  after the baseline year;
- where compound growth is undefined (the baseline, the latest value or the
  target is zero or negative) both growths are linear change per year;
- without a target, the actual growth (times the direction) is compared with
  fixed thresholds of 1.5 %, 0.5 % and 0 a year. Linear change is then taken
  relative to the baseline so it reads as a rate; from a zero baseline only
  its sign counts (any gain from nothing is on track);
- a manual override replaces the status, keeps its reason and is flagged;
- every status has a score (``STATUS_SCORES``); priorities, objectives and
  the vision take the weighted mean of their children's scores and turn it
  back into a status (``roll_up``).

Only observations up to ``as_of`` count; without it, the latest year with
data. Values are compared at the indicator's precision (``decimals``): two
values equal once rounded to it are no change, not a tiny deterioration. A
year that has not ended (``year_in_progress``) is not compared with whole
years: its observations never make the latest value of a status.

``assess()`` returns an ``IndicatorResult`` carrying every figure that
went into the status (baseline, latest, target, both growths, the ratio, the
method), so pages and the API can show why a status is what it is;
``as_dict()`` gives the same as plain JSON-ready values.

``project()`` carries the current pace forward: from the latest value to the
target year (without a target, the indicator's target year all the same),
growing as the status measures growth, compound where the status is compound
and linear where it is linear. Every result carries it as ``projection``.

``aggregate()`` makes one year's ASEM value of an indicator partners report
from the partners' values that year, and says how many partners it rests on.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# The statuses, best first. Their values and labels are those of objectives.models.Status
# (a test keeps them equal); they are repeated here so the engine needs no Django models.
ACHIEVED = "achieved"
ON_TRACK = "on_track"
MODERATE = "moderate"
LIMITED = "limited"
DETERIORATION = "deterioration"
INSUFFICIENT_DATA = "insufficient_data"

STATUSES = (ACHIEVED, ON_TRACK, MODERATE, LIMITED, DETERIORATION, INSUFFICIENT_DATA)
STATUS_LABELS = {
    ACHIEVED: _("Achieved"),
    ON_TRACK: _("On track"),
    MODERATE: _("Moderate progress"),
    LIMITED: _("Limited progress"),
    DETERIORATION: _("Deterioration"),
    INSUFFICIENT_DATA: _("Insufficient data"),
}
# Insufficient data has no score: it is left out of roll-ups instead of counting as failure.
STATUS_SCORES: dict[str, float | None] = {
    ACHIEVED: 4.0,
    ON_TRACK: 3.0,
    MODERATE: 2.0,
    LIMITED: 1.0,
    DETERIORATION: 0.0,
    INSUFFICIENT_DATA: None,
}
MAX_SCORE = STATUS_SCORES[ACHIEVED]

ON_TRACK_RATIO = 0.95
MODERATE_RATIO = 0.6
LIMITED_RATIO = 0.0

# Without a target: growth a year (times the direction) at or above each threshold.
ON_TRACK_GROWTH = 0.015
MODERATE_GROWTH = 0.005
LIMITED_GROWTH = 0.0

# A ratio beyond this says nothing more than "far ahead" or "far behind"; capping keeps it finite.
MAX_RATIO = 1e9

# `method` says how the status was reached; `growth_method` how the growth rates were measured.
METHOD_CAGR = "cagr"
METHOD_LINEAR = "linear"
METHOD_FIXED_THRESHOLDS = "fixed_thresholds"
METHOD_OVERRIDE = "override"
METHOD_NONE = "none"
METHOD_WEIGHTED_MEAN = "weighted_mean"
GROWTH_CAGR = "cagr"
GROWTH_LINEAR = "linear"
GROWTH_LINEAR_RELATIVE = "linear_relative"

HIGHER_IS_BETTER = 1
LOWER_IS_BETTER = -1

# The strategy's horizon: the year a projection reaches when the caller names none and no target sets one.
HORIZON_YEAR = 2030


def status_label(status: str) -> str:
    return _status_label(status, get_language())


@functools.cache
def _status_label(status: str, language: str | None) -> str:
    # Translated once a language, not once for each of the hundreds of results a page or the API shows.
    return str(STATUS_LABELS[status])


def status_rank(status: str) -> int:
    """0 for achieved, growing as the status worsens; insufficient data ranks last."""
    return STATUSES.index(status)


@dataclass(frozen=True)
class Projection:
    """Where the current pace leads: the value in ``year`` if the growth from the baseline to the latest value goes
    on, compound (``cagr``) or linear (``linear``) as the status measures it."""

    year: int
    value: float
    method: str


@dataclass(frozen=True)
class IndicatorResult:
    """An indicator's status as of a year, with every figure behind it."""

    status: str
    computed_status: str
    is_override: bool
    override_reason: str
    method: str
    growth_method: str | None
    direction: int
    as_of: int | None
    baseline_year: int
    baseline_value: float
    latest_year: int | None
    latest_value: float | None
    target_year: int | None
    target_value: float | None
    actual_growth: float | None
    required_growth: float | None
    ratio: float | None
    observations_used: int
    weight: float = 1.0
    projection: Projection | None = None

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def score(self) -> float | None:
        return STATUS_SCORES[self.status]

    @property
    def explanation(self) -> str:
        return explain(self)

    def as_dict(self) -> dict:
        return {**asdict(self), "status_label": self.status_label, "score": self.score,
                "explanation": self.explanation}


@dataclass(frozen=True)
class RollupResult:
    """A priority's, an objective's or the vision's status: the weighted mean of its children's scores."""

    status: str
    score: float | None
    as_of: int | None
    weight: float = 1.0
    counts: Mapping[str, int] = field(default_factory=dict)
    method: str = METHOD_WEIGHTED_MEAN
    is_override: bool = False
    override_reason: str = ""

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def indicator_count(self) -> int:
        return sum(self.counts.values())

    @property
    def scored_count(self) -> int:
        return self.indicator_count - self.counts.get(INSUFFICIENT_DATA, 0)

    def as_dict(self) -> dict:
        return {
            "status": self.status, "status_label": self.status_label, "score": self.score, "as_of": self.as_of,
            "weight": self.weight, "counts": dict(self.counts), "method": self.method,
            "is_override": self.is_override, "override_reason": self.override_reason,
            "indicator_count": self.indicator_count, "scored_count": self.scored_count,
        }


def assess(
    *,
    baseline_year: int,
    baseline_value: float,
    observations: Iterable[tuple[int, float]] | Mapping[int, float],
    direction: int = HIGHER_IS_BETTER,
    target_year: int | None = None,
    target_value: float | None = None,
    as_of: int | None = None,
    status_override: str = "",
    override_reason: str = "",
    weight: float = 1.0,
    decimals: int | None = None,
    year_in_progress: int | None = None,
    horizon_year: int = HORIZON_YEAR,
    ceiling: float | None = None,
) -> IndicatorResult:
    """The status of one indicator from its baseline, target and (year, value) observations.

    Pass the headline series only. Observations after ``as_of``, and from
    ``year_in_progress`` on, are ignored; the baseline is the indicator's own
    (year, value), whatever an observation in the baseline year says. With
    ``decimals``, the baseline, the latest value and the target are taken at
    that precision. The projection reaches the target year, or without a target
    ``horizon_year``, and never passes ``ceiling`` (100 for a percentage).
    """
    if direction not in (HIGHER_IS_BETTER, LOWER_IS_BETTER):
        raise ValueError(f"direction must be 1 (higher is better) or -1 (lower is better), not {direction!r}")
    if status_override and status_override not in STATUSES:
        raise ValueError(f"unknown status override {status_override!r}")
    if target_value is not None and (target_year is None or target_year <= baseline_year):
        raise ValueError("the target year must come after the baseline year")
    if target_value is None:
        target_year = None

    series = dict(observations.items() if isinstance(observations, Mapping) else observations)
    if decimals is not None:
        series = {year: round(value, decimals) for year, value in series.items()}
        baseline_value = round(baseline_value, decimals)
        target_value = None if target_value is None else round(target_value, decimals)
    years = sorted(
        year for year in series
        if (as_of is None or year <= as_of) and (year_in_progress is None or year < year_in_progress)
    )
    if as_of is None and years:
        as_of = years[-1]
    latest_year = years[-1] if years else None
    latest_value = series[latest_year] if years else None

    figures = {
        "direction": direction, "as_of": as_of, "baseline_year": baseline_year, "baseline_value": baseline_value,
        "latest_year": latest_year, "latest_value": latest_value, "target_year": target_year,
        "target_value": target_value, "observations_used": len(years), "weight": weight,
    }
    if latest_year is None or latest_year <= baseline_year:
        computed = {"status": INSUFFICIENT_DATA, "method": METHOD_NONE, "growth_method": None,
                    "actual_growth": None, "required_growth": None, "ratio": None}
    elif target_value is None:
        computed = _against_fixed_thresholds(direction, baseline_year, baseline_value, latest_year, latest_value)
    else:
        computed = _against_target(
            direction, baseline_year, baseline_value, latest_year, latest_value, target_year, target_value
        )
    computed_status = computed.pop("status")
    figures["projection"] = project(
        baseline_year=baseline_year, baseline_value=baseline_value, latest_year=latest_year,
        latest_value=latest_value, growth_method=computed["growth_method"], year=target_year or horizon_year,
        floor=0.0 if min([baseline_value, *(series[y] for y in years)]) >= 0 else None, ceiling=ceiling,
        decimals=decimals,
    )
    if status_override:
        return IndicatorResult(
            status=status_override, computed_status=computed_status, is_override=True,
            override_reason=override_reason, **{**computed, "method": METHOD_OVERRIDE}, **figures,
        )
    return IndicatorResult(
        status=computed_status, computed_status=computed_status, is_override=False, override_reason="",
        **computed, **figures,
    )


def _against_target(direction, baseline_year, baseline_value, latest_year, latest_value, target_year, target_value):
    if all(value > 0 for value in (baseline_value, latest_value, target_value)):
        growth_method = GROWTH_CAGR
        actual = _cagr(baseline_value, latest_value, latest_year - baseline_year)
        required = _cagr(baseline_value, target_value, target_year - baseline_year)
    else:
        growth_method = GROWTH_LINEAR
        actual = _linear(baseline_value, latest_value, latest_year - baseline_year)
        required = _linear(baseline_value, target_value, target_year - baseline_year)
    # The target equals the baseline: any move the right way keeps it, any other fails it.
    ratio = None if required == 0 else _capped(direction * actual / abs(required))
    if direction * (latest_value - target_value) >= 0:
        status = ACHIEVED
    elif ratio is None:
        status = DETERIORATION
    elif ratio >= ON_TRACK_RATIO:
        status = ON_TRACK
    elif ratio >= MODERATE_RATIO:
        status = MODERATE
    elif ratio >= LIMITED_RATIO:
        status = LIMITED
    else:
        status = DETERIORATION
    return {"status": status, "method": growth_method, "growth_method": growth_method,
            "actual_growth": actual, "required_growth": required, "ratio": ratio}


def _against_fixed_thresholds(direction, baseline_year, baseline_value, latest_year, latest_value):
    years = latest_year - baseline_year
    if baseline_value > 0 and latest_value > 0:
        growth_method = GROWTH_CAGR
        actual = _cagr(baseline_value, latest_value, years)
    elif baseline_value != 0:
        growth_method = GROWTH_LINEAR_RELATIVE
        actual = _capped(_linear(baseline_value, latest_value, years) / abs(baseline_value))
    else:
        growth_method = GROWTH_LINEAR
        actual = _linear(baseline_value, latest_value, years)
    progress = direction * actual
    if growth_method == GROWTH_LINEAR:
        # Growth from nothing has no rate: only which way it went counts.
        progress = math.copysign(math.inf, progress) if progress else 0.0
    if progress >= ON_TRACK_GROWTH:
        status = ON_TRACK
    elif progress >= MODERATE_GROWTH:
        status = MODERATE
    elif progress >= LIMITED_GROWTH:
        status = LIMITED
    else:
        status = DETERIORATION
    return {"status": status, "method": METHOD_FIXED_THRESHOLDS, "growth_method": growth_method,
            "actual_growth": actual, "required_growth": None, "ratio": None}


def project(*, baseline_year: int, baseline_value: float, latest_year: int | None, latest_value: float | None,
            growth_method: str | None, year: int, floor: float | None = None, ceiling: float | None = None,
            decimals: int | None = None) -> Projection | None:
    """The value in ``year`` if the pace from the baseline to the latest value goes on; None without a value after
    the baseline year, when the latest value already reaches ``year``, or when the pace leads beyond any number.

    Compound growth goes on where the status measured it (``cagr``), a linear change a year otherwise: the same
    growth the status rests on. A series that has never gone below ``floor`` (zero, for a count or any quantity that
    never was negative) is not projected below it: a falling count stops at nothing; nor is any series projected
    past ``ceiling``: a rising share stops at 100 %.
    """
    if latest_year is None or latest_value is None or latest_year <= baseline_year or year <= latest_year:
        return None
    ahead, behind = year - latest_year, latest_year - baseline_year
    try:
        if growth_method == GROWTH_CAGR:
            method, value = METHOD_CAGR, latest_value * (latest_value / baseline_value) ** (ahead / behind)
        else:
            method, value = METHOD_LINEAR, latest_value + (latest_value - baseline_value) / behind * ahead
    except (OverflowError, ZeroDivisionError):
        return None
    if not math.isfinite(value):
        return None
    if floor is not None:
        value = max(value, floor)
    if ceiling is not None:
        value = min(value, ceiling)
    if decimals is not None:
        value = round(value, decimals)
    return Projection(year=year, value=value + 0.0, method=method)


def _cagr(start: float, end: float, years: int) -> float:
    try:
        growth = (end / start) ** (1 / years) - 1
    except OverflowError:
        growth = math.inf
    return _capped(growth)


def _linear(start: float, end: float, years: int) -> float:
    return _capped((end - start) / years)


def _capped(value: float) -> float:
    """Keep a figure finite: values far beyond any real indicator's all mean the same thing."""
    if math.isnan(value):
        return 0.0
    # Adding 0.0 turns -0.0 into 0.0: no change must not read as a fall.
    return max(-MAX_RATIO, min(MAX_RATIO, value)) + 0.0


# How partners' values make the ASEM value (the values of objectives.models.Indicator.Aggregation).
AGGREGATE_ASEM = "asem"
AGGREGATE_SUM = "sum"
AGGREGATE_MEAN = "mean"
AGGREGATE_COUNT = "count"
AGGREGATIONS = (AGGREGATE_ASEM, AGGREGATE_SUM, AGGREGATE_MEAN, AGGREGATE_COUNT)


def aggregate(values: Mapping[str, float], *, rule: str, count_at_least: float = 1.0) -> tuple[float | None, int]:
    """One year's ASEM value from the partners' values that year ({partner: value}), and its coverage.

    The coverage is how many partners reported that year: a partner missing the year is left out of a sum, a mean
    and a count alike, never taken as zero. ``sum`` adds the values; ``mean`` is their simple mean, so a large
    partner weighs no more than a small one (as ESCAP averages countries); ``count`` is how many partners have a
    value of at least ``count_at_least`` (1 for a yes, when yes is 1 and no is 0). Nobody reporting gives no
    value, and an ASEM-level indicator has none to make from partners at all.
    """
    if rule not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {rule!r}")
    if rule == AGGREGATE_ASEM or not values:
        return None, 0
    reported = list(values.values())
    if rule == AGGREGATE_SUM:
        return math.fsum(reported), len(reported)
    if rule == AGGREGATE_MEAN:
        return math.fsum(reported) / len(reported), len(reported)
    return float(sum(1 for value in reported if value >= count_at_least)), len(reported)


def roll_up(children: Iterable[IndicatorResult | RollupResult], *, as_of: int | None = None,
            weight: float = 1.0) -> RollupResult:
    """The weighted mean of the children's scores, as a status.

    Children without a score (insufficient data) or with no weight are left
    out; with none left the result is insufficient data. The mean is
    achieved only when every scored child is; otherwise the nearest status,
    at most on track.
    """
    counts = dict.fromkeys(STATUSES, 0)
    total = weighted = 0.0
    for child in children:
        if isinstance(child, RollupResult):
            for status, count in child.counts.items():
                counts[status] += count
        else:
            counts[child.status] += 1
        score = STATUS_SCORES[child.status] if isinstance(child, IndicatorResult) else child.score
        if score is None or child.weight <= 0:
            continue
        total += child.weight
        weighted += child.weight * score
    if total == 0:
        return RollupResult(status=INSUFFICIENT_DATA, score=None, as_of=as_of, weight=weight, counts=counts)
    score = weighted / total
    return RollupResult(status=status_for_score(score), score=score, as_of=as_of, weight=weight, counts=counts)


def status_for_score(score: float) -> str:
    if score >= MAX_SCORE - 1e-9:
        return ACHIEVED
    nearest = min(int(score + 0.5), int(STATUS_SCORES[ON_TRACK]))
    return next(status for status, value in STATUS_SCORES.items() if value == nearest)


def explain(result: IndicatorResult) -> str:
    """One or two sentences saying why the status is what it is."""
    if result.is_override:
        computed = status_label(result.computed_status).lower()
        return f"Set by hand: {result.override_reason} (the method alone gives: {computed})."
    if result.method == METHOD_NONE:
        return f"No observation after the baseline year {result.baseline_year} up to {result.as_of or 'now'}."
    actual = _describe_growth(result.actual_growth, result.growth_method)
    if result.method == METHOD_FIXED_THRESHOLDS:
        if result.growth_method == GROWTH_LINEAR:
            return f"No target, and a zero baseline: only the direction of the change ({actual}) counts."
        return f"No target: {actual} compared with fixed thresholds of 1.5 %, 0.5 % and 0 a year."
    required = _describe_growth(result.required_growth, result.growth_method)
    if result.status == ACHIEVED:
        return f"The latest value ({result.latest_value:g}) meets the target ({result.target_value:g})."
    if result.ratio is None:
        return f"The target equals the baseline and the latest value has moved away from it ({actual})."
    return f"Actual growth {actual} against {required} required: a ratio of {rounded(result.ratio, 2):.2f}."


def _describe_growth(growth: float | None, growth_method: str | None) -> str:
    if growth is None:
        return "no growth"
    if growth_method == GROWTH_LINEAR:
        return f"{rounded(growth, 4):+.4g} a year"
    return f"{rounded(growth * 100, 2):+.2f} % a year"


def rounded(value: float, digits: int) -> float:
    """The value as it will be printed, so a tiny negative never shows as "-0.00": the explanations, the pages'
    filters and the admin print growths and ratios through it."""
    return round(value, digits) + 0.0
