"""Properties the progress engine keeps for any indicator, checked with generated data."""

import math

from hypothesis import assume, given
from hypothesis import strategies as st

from objectives.progress import STATUSES, assess, roll_up, status_rank

# Values with two decimals, as indicators are reported, up to a million either way.
values = st.integers(-10**8, 10**8).map(lambda n: n / 100)
positive_values = st.integers(1, 10**6).map(float)
directions = st.sampled_from([1, -1])
# Spans stay within a strategy's horizon (at most 40 years from baseline to latest value). Over
# much longer spans a lower-is-better series without a target that falls to zero reads as slower
# than one that almost does, because linear change then stands in for compound growth.
baseline_years = st.integers(2000, 2030)


@st.composite
def indicators(draw, value=values, with_target=None):
    baseline_year = draw(baseline_years)
    has_target = draw(st.booleans()) if with_target is None else with_target
    return {
        "direction": draw(directions),
        "baseline_year": baseline_year,
        "baseline_value": draw(value),
        "target_year": baseline_year + draw(st.integers(1, 10)),
        "target_value": draw(value) if has_target else None,
    }


def observation_years(indicator):
    return st.integers(indicator["baseline_year"] - 2, indicator["baseline_year"] + 40)


def mirrored(indicator, transform):
    return {
        **indicator,
        "direction": -indicator["direction"],
        "baseline_value": transform(indicator["baseline_value"]),
        "target_value": None if indicator["target_value"] is None else transform(indicator["target_value"]),
    }


def verdict(result):
    return {"on_track": "progress", "moderate": "progress", "limited": "progress"}.get(result.status, result.status)


@given(data=st.data(), indicator=indicators())
def test_a_better_latest_value_never_gives_a_worse_status(data, indicator):
    year = data.draw(observation_years(indicator))
    first, second = data.draw(values), data.draw(values)
    worse, better = sorted([first, second], key=lambda v: indicator["direction"] * v)

    worse_result = assess(**indicator, observations={year: worse})
    better_result = assess(**indicator, observations={year: better})

    assert status_rank(better_result.status) <= status_rank(worse_result.status)


@given(data=st.data(), indicator=indicators())
def test_flipping_the_direction_and_the_order_of_the_values_mirrors_linear_change(data, indicator):
    year = data.draw(observation_years(indicator))
    latest = data.draw(values)
    figures = [indicator["baseline_value"], latest] + (
        [indicator["target_value"]] if indicator["target_value"] is not None else []
    )
    if indicator["target_value"] is None:
        # Compound growth is used when the baseline and latest values are both positive (or, mirrored, negative).
        assume(not all(v > 0 for v in figures) and not all(v < 0 for v in figures))
    else:
        assume(min(figures) <= 0 <= max(figures))

    result = assess(**indicator, observations={year: latest})
    mirror = assess(**mirrored(indicator, lambda v: -v), observations={year: -latest})

    assert mirror.status == result.status
    assert mirror.ratio == result.ratio
    assert mirror.method == result.method
    assert mirror.actual_growth == (None if result.actual_growth is None else -result.actual_growth)


@given(data=st.data(), indicator=indicators(value=positive_values))
def test_flipping_the_direction_and_the_order_of_the_values_mirrors_compound_growth(data, indicator):
    year = data.draw(observation_years(indicator))
    latest = data.draw(positive_values)

    result = assess(**indicator, observations={year: latest})
    # 1/x reverses the order of positive values and keeps compound growth defined.
    mirror = assess(**mirrored(indicator, lambda v: 1 / v), observations={year: 1 / latest})

    assert verdict(mirror) == verdict(result)
    assert mirror.method == result.method


@given(data=st.data(), indicator=indicators())
def test_later_observations_never_change_a_status_as_of_an_earlier_year(data, indicator):
    years = observation_years(indicator)
    observations = data.draw(st.dictionaries(years, values, max_size=6))
    as_of = data.draw(years)
    later = data.draw(st.dictionaries(st.integers(as_of + 1, as_of + 30), values, min_size=1, max_size=6))

    before = assess(**indicator, observations=observations, as_of=as_of)
    after = assess(**indicator, observations={**observations, **later}, as_of=as_of)

    assert after == before


@given(
    data=st.data(),
    indicator=indicators(value=st.floats(allow_nan=False, allow_infinity=False)),
    status_override=st.sampled_from(["", *STATUSES]),
)
def test_the_ratio_and_growth_rates_are_always_finite(data, indicator, status_override):
    observations = data.draw(st.dictionaries(
        observation_years(indicator), st.floats(allow_nan=False, allow_infinity=False), max_size=4
    ))

    result = assess(**indicator, observations=observations, status_override=status_override,
                    override_reason="A reason." if status_override else "")

    for figure in (result.ratio, result.actual_growth, result.required_growth):
        assert figure is None or math.isfinite(figure)
    assert result.status in STATUSES


@given(data=st.data(), indicator=indicators(), weights=st.lists(st.floats(0, 10), min_size=1, max_size=8))
def test_a_roll_up_score_lies_between_its_childrens_scores(data, indicator, weights):
    children = [
        assess(**indicator, weight=weight, observations={data.draw(observation_years(indicator)): data.draw(values)})
        for weight in weights
    ]
    scores = [c.score for c in children if c.score is not None and c.weight > 0]

    result = roll_up(children)

    if scores:
        assert min(scores) - 1e-9 <= result.score <= max(scores) + 1e-9
    else:
        assert result.status == "insufficient_data"


@given(indicators(), st.integers(1, 40), st.integers(0, 3), st.floats(-0.49, 0.49))
def test_a_value_equal_to_the_baseline_at_its_precision_is_never_a_deterioration(indicator, years, decimals, nudge):
    baseline = round(indicator["baseline_value"], decimals)
    latest = baseline + nudge / 10**decimals  # the same value once rounded to the precision
    assume(indicator["target_value"] is None or round(indicator["target_value"], decimals) != baseline)

    result = assess(**indicator, observations={indicator["baseline_year"] + years: latest}, decimals=decimals)

    assert result.status != "deterioration"
    assert result.ratio is None or math.copysign(1, result.ratio) == 1


@given(indicators(), st.integers(1, 10), values)
def test_a_year_in_progress_never_changes_the_status(indicator, years, partial):
    last_whole = indicator["baseline_year"] + years
    observations = {last_whole: indicator["baseline_value"] * 1.1}

    whole = assess(**indicator, observations=observations)
    with_partial = assess(**indicator, observations={**observations, last_whole + 1: partial},
                          year_in_progress=last_whole + 1)

    assert (with_partial.status, with_partial.latest_year) == (whole.status, whole.latest_year)
