"""The progress engine, checked against figures worked out by hand (DESIGN.md section 3)."""

import math

import pytest

from objectives import progress
from objectives.models import Status
from objectives.progress import assess, roll_up

TIGHT = {"rel": 1e-9}


def higher(observations, target=200.0, **kwargs):
    """Higher is better: 100 in 2020, aiming at `target` in 2030."""
    return assess(baseline_year=2020, baseline_value=100.0, target_year=2030, target_value=target,
                  observations=observations, **kwargs)


def test_it_measures_compound_growth_against_the_growth_the_target_needs():
    result = higher({2024: 130.0})

    # 1.3 ** (1/4) - 1 and 2 ** (1/10) - 1
    assert result.actual_growth == pytest.approx(0.06778997237244089, **TIGHT)
    assert result.required_growth == pytest.approx(0.07177346253629313, **TIGHT)
    assert result.ratio == pytest.approx(0.9444991223345545, **TIGHT)
    assert result.method == "cagr"
    assert result.growth_method == "cagr"
    assert result.status == "moderate"


def test_it_carries_every_figure_behind_the_status():
    result = higher({2022: 110.0, 2024: 130.0}, weight=2.0)

    assert (result.baseline_year, result.baseline_value) == (2020, 100.0)
    assert (result.latest_year, result.latest_value) == (2024, 130.0)
    assert (result.target_year, result.target_value) == (2030, 200.0)
    assert result.direction == 1
    assert result.as_of == 2024
    assert result.observations_used == 2
    assert result.weight == 2.0
    assert result.is_override is False
    assert result.status_label == "Moderate progress"
    assert result.score == 2.0
    figures = result.as_dict()
    assert figures["ratio"] == pytest.approx(0.9444991223345545, **TIGHT)
    assert figures["status_label"] == "Moderate progress"
    assert "ratio of 0.94" in figures["explanation"]


@pytest.mark.parametrize(
    ("latest", "ratio", "status"),
    [
        (135.0, 1.0855312414369767, "on_track"),
        (130.0, 0.9444991223345545, "moderate"),
        (110.0, 0.33596942703233423, "limited"),
        (100.0, 0.0, "limited"),
        (90.0, -0.36219868257795046, "deterioration"),
    ],
)
def test_each_ratio_band_gives_its_status(latest, ratio, status):
    result = higher({2024: latest})

    assert result.ratio == pytest.approx(ratio, rel=1e-9, abs=1e-12)
    assert result.status == status


def test_a_latest_value_that_meets_the_target_is_achieved_whatever_the_pace():
    result = higher({2032: 200.0})

    # Two years late: the pace alone would be "moderate"; meeting the target wins.
    assert result.status == "achieved"
    assert result.ratio == pytest.approx(0.8284830111021475, **TIGHT)
    assert "meets the target" in result.explanation


def test_a_decrease_toward_a_lower_target_is_progress_when_lower_is_better():
    result = assess(baseline_year=2020, baseline_value=120.0, target_year=2030, target_value=60.0,
                    direction=-1, observations={2022: 100.0})

    assert result.actual_growth == pytest.approx(-0.0871290708247231, **TIGHT)
    assert result.required_growth == pytest.approx(-0.06696700846319259, **TIGHT)
    assert result.ratio == pytest.approx(1.30107455632593, **TIGHT)
    assert result.status == "on_track"


def test_a_slow_decrease_is_limited_and_a_rise_is_deterioration_when_lower_is_better():
    slow = assess(baseline_year=2020, baseline_value=120.0, target_year=2030, target_value=60.0,
                  direction=-1, observations={2022: 115.0})
    rise = assess(baseline_year=2020, baseline_value=120.0, target_year=2030, target_value=60.0,
                  direction=-1, observations={2022: 130.0})
    met = assess(baseline_year=2020, baseline_value=120.0, target_year=2030, target_value=60.0,
                 direction=-1, observations={2022: 59.0})

    assert slow.ratio == pytest.approx(0.3144083946800712, **TIGHT)
    assert slow.status == "limited"
    assert rise.ratio < 0
    assert rise.status == "deterioration"
    assert met.status == "achieved"


def test_a_zero_baseline_uses_linear_change_per_year():
    result = assess(baseline_year=2020, baseline_value=0.0, target_year=2030, target_value=100.0,
                    observations={2023: 30.0})

    assert result.method == "linear"
    assert result.actual_growth == pytest.approx(10.0, **TIGHT)  # 30 in 3 years
    assert result.required_growth == pytest.approx(10.0, **TIGHT)  # 100 in 10 years
    assert result.ratio == pytest.approx(1.0, **TIGHT)
    assert result.status == "on_track"


def test_negative_values_use_linear_change_per_year():
    result = assess(baseline_year=2020, baseline_value=-20.0, target_year=2030, target_value=10.0,
                    observations={2025: -5.0})

    assert result.method == "linear"
    assert result.actual_growth == pytest.approx(3.0, **TIGHT)
    assert result.required_growth == pytest.approx(3.0, **TIGHT)
    assert result.status == "on_track"


def test_a_latest_value_of_zero_switches_to_linear_change():
    result = higher({2024: 0.0})

    assert result.method == "linear"
    assert result.actual_growth == pytest.approx(-25.0, **TIGHT)
    assert result.required_growth == pytest.approx(10.0, **TIGHT)
    assert result.ratio == pytest.approx(-2.5, **TIGHT)
    assert result.status == "deterioration"


@pytest.mark.parametrize(
    ("latest", "growth", "status"),
    [
        (104.0, 0.01980390271855703, "on_track"),
        (102.0, 0.009950493836207741, "moderate"),
        (101.0, 0.00498756211208895, "limited"),  # just under 0.5 % a year
        (100.0, 0.0, "limited"),
        (99.0, -0.005012562893380035, "deterioration"),
    ],
)
def test_without_a_target_growth_is_compared_with_fixed_thresholds(latest, growth, status):
    result = assess(baseline_year=2020, baseline_value=100.0, target_year=2030, target_value=None,
                    observations={2022: latest})

    assert result.method == "fixed_thresholds"
    assert result.growth_method == "cagr"
    assert result.actual_growth == pytest.approx(growth, rel=1e-9, abs=1e-12)
    assert result.required_growth is None
    assert result.target_year is None
    assert result.ratio is None
    assert result.status == status


def test_without_a_target_a_fall_is_progress_when_lower_is_better():
    result = assess(baseline_year=2020, baseline_value=50.0, target_value=None, direction=-1,
                    observations={2022: 48.0})

    assert result.actual_growth == pytest.approx(-0.020204102886728803, **TIGHT)
    assert result.status == "on_track"


def test_without_a_target_linear_change_is_taken_relative_to_the_baseline():
    result = assess(baseline_year=2020, baseline_value=20.0, target_value=None, observations={2023: -10.0})

    assert result.growth_method == "linear_relative"
    assert result.actual_growth == pytest.approx(-0.5, **TIGHT)  # -30 in 3 years, of 20
    assert result.status == "deterioration"


def test_without_a_target_any_gain_from_a_zero_baseline_is_on_track():
    gain = assess(baseline_year=2020, baseline_value=0.0, target_value=None, observations={2023: 3.0})
    none = assess(baseline_year=2020, baseline_value=0.0, target_value=None, observations={2023: 0.0})

    assert gain.growth_method == "linear"
    assert gain.actual_growth == pytest.approx(1.0, **TIGHT)
    assert gain.status == "on_track"
    assert none.status == "limited"


def test_a_single_observation_in_the_baseline_year_is_insufficient_data():
    result = higher({2020: 150.0})

    assert result.status == "insufficient_data"
    assert result.method == "none"
    assert result.latest_year == 2020
    assert result.actual_growth is None
    assert result.ratio is None
    assert result.score is None


def test_no_observation_at_all_is_insufficient_data():
    result = higher({})

    assert result.status == "insufficient_data"
    assert result.as_of is None
    assert result.latest_value is None


def test_a_single_observation_after_the_baseline_is_enough():
    result = higher({2021: 107.0})

    assert result.actual_growth == pytest.approx(0.07, **TIGHT)
    assert result.ratio == pytest.approx(0.07 / 0.07177346253629313, **TIGHT)
    assert result.status == "on_track"


def test_only_observations_up_to_the_year_asked_for_count():
    observations = {2022: 90.0, 2024: 130.0, 2026: 200.0}

    assert higher(observations, as_of=2023).latest_year == 2022
    assert higher(observations, as_of=2023).status == "deterioration"
    assert higher(observations, as_of=2025).status == "moderate"
    assert higher(observations).status == "achieved"
    assert higher(observations).as_of == 2026
    assert higher(observations, as_of=2021).status == "insufficient_data"


def test_values_equal_at_the_indicator_precision_are_no_change_not_deterioration():
    # The balance of mobility: 0.7047 at the baseline, 0.7045 four years on; a ratio to two decimals.
    result = assess(baseline_year=2019, baseline_value=0.7047, target_year=2030, target_value=0.9,
                    observations={2023: 0.7045}, decimals=2)

    assert (result.baseline_value, result.latest_value) == (0.7, 0.7)
    assert result.actual_growth == 0
    assert result.ratio == 0
    assert result.status == "limited"
    assert "ratio of 0.00" in result.explanation


def test_no_change_never_reads_as_a_negative_ratio_when_lower_is_better():
    result = assess(baseline_year=2019, baseline_value=120.0, target_year=2030, target_value=60.0,
                    observations={2023: 120.004}, direction=-1, decimals=0)

    assert result.status == "limited"
    assert math.copysign(1, result.ratio) == 1
    assert "-0.00" not in result.explanation


def test_a_change_beyond_the_precision_still_counts():
    result = assess(baseline_year=2019, baseline_value=0.7047, target_year=2030, target_value=0.9,
                    observations={2025: 0.6685}, decimals=2)

    assert result.latest_value == 0.67
    assert result.status == "deterioration"


def test_a_year_that_has_not_ended_is_not_compared_with_whole_years():
    # Five activities a year, and one so far in the year in progress.
    observations = {2020: 5.0, 2021: 6.0, 2022: 6.0, 2023: 1.0}

    result = assess(baseline_year=2020, baseline_value=5.0, target_year=2030, target_value=6.0,
                    observations=observations, year_in_progress=2023)

    assert (result.latest_year, result.latest_value) == (2022, 6.0)
    assert result.as_of == 2022
    assert result.status == "achieved"


def test_a_year_in_progress_alone_is_insufficient_data():
    result = assess(baseline_year=2022, baseline_value=5.0, target_year=2030, target_value=6.0,
                    observations={2023: 1.0}, year_in_progress=2023)

    assert result.status == "insufficient_data"


def test_a_target_equal_to_the_baseline_has_no_ratio_and_is_kept_or_lost():
    kept = higher({2024: 101.0}, target=100.0)
    lost = higher({2024: 99.0}, target=100.0)

    assert kept.status == "achieved"
    assert lost.status == "deterioration"
    assert lost.required_growth == 0.0
    assert lost.ratio is None


def test_a_manual_override_replaces_the_status_and_keeps_the_computed_one():
    result = higher({2024: 90.0}, status_override="on_track", override_reason="The 2024 survey changed method.")

    assert result.status == "on_track"
    assert result.computed_status == "deterioration"
    assert result.is_override is True
    assert result.override_reason == "The 2024 survey changed method."
    assert result.method == "override"
    assert result.ratio == pytest.approx(-0.36219868257795046, **TIGHT)
    assert result.score == 3.0
    assert "Set by hand" in result.explanation


def test_it_refuses_a_target_year_before_the_baseline():
    with pytest.raises(ValueError, match="target year"):
        assess(baseline_year=2020, baseline_value=1.0, target_year=2019, target_value=2.0, observations={})


def test_the_statuses_are_those_of_the_model():
    assert list(progress.STATUSES) == list(Status.values)
    assert [str(progress.STATUS_LABELS[s]) for s in progress.STATUSES] == [str(label) for label in Status.labels]


def test_achieved_and_on_track_score_highest_and_deterioration_lowest():
    scores = progress.STATUS_SCORES
    assert scores["achieved"] > scores["on_track"] > scores["moderate"] > scores["limited"] > scores["deterioration"]
    assert scores["insufficient_data"] is None


def test_a_roll_up_is_the_weighted_mean_of_the_scores():
    on_track = higher({2024: 135.0}, weight=3.0)  # score 3
    limited = higher({2024: 110.0}, weight=1.0)  # score 1

    result = roll_up([on_track, limited], as_of=2024)

    assert result.score == pytest.approx((3 * 3 + 1 * 1) / 4, **TIGHT)  # 2.5
    assert result.status == "on_track"
    assert result.counts["on_track"] == 1
    assert result.counts["limited"] == 1
    assert result.indicator_count == 2
    assert result.as_of == 2024


def test_a_roll_up_leaves_out_insufficient_data_and_weightless_indicators():
    moderate = higher({2024: 130.0})
    no_data = higher({})
    ignored = higher({2024: 90.0}, weight=0.0)

    result = roll_up([moderate, no_data, ignored])

    assert result.score == pytest.approx(2.0, **TIGHT)
    assert result.status == "moderate"
    assert result.scored_count == 2  # the weightless one has data, it just does not count
    assert result.counts["insufficient_data"] == 1


def test_a_roll_up_is_achieved_only_when_every_child_is():
    achieved = higher({2024: 250.0})
    on_track = higher({2024: 135.0})

    assert roll_up([achieved, achieved]).status == "achieved"
    assert roll_up([achieved, on_track]).status == "on_track"  # score 3.5


def test_a_roll_up_without_data_is_insufficient_data():
    result = roll_up([higher({})])

    assert result.status == "insufficient_data"
    assert result.score is None


def test_roll_ups_of_roll_ups_count_the_indicators_beneath():
    priority_a = roll_up([higher({2024: 135.0}), higher({2024: 90.0})])  # scores 3 and 0: 1.5
    priority_b = roll_up([higher({2024: 130.0})])  # 2

    objective = roll_up([priority_a, priority_b])

    assert objective.score == pytest.approx(1.75, **TIGHT)
    assert objective.status == "moderate"
    assert objective.indicator_count == 3
    assert objective.as_dict()["counts"] == {
        "achieved": 0, "on_track": 1, "moderate": 1, "limited": 0, "deterioration": 1, "insufficient_data": 0,
    }


@pytest.mark.parametrize(
    ("score", "status"),
    [(4.0, "achieved"), (3.99, "on_track"), (2.5, "on_track"), (2.49, "moderate"), (1.5, "moderate"),
     (1.49, "limited"), (0.5, "limited"), (0.49, "deterioration"), (0.0, "deterioration")],
)
def test_a_score_turns_back_into_the_nearest_status(score, status):
    assert progress.status_for_score(score) == status
