"""Where the current pace leads by the target year, checked against figures worked out by hand."""

import pytest

from objectives.progress import LOWER_IS_BETTER, Projection, assess

TIGHT = {"rel": 1e-9}


def test_compound_growth_goes_on_from_the_latest_value_to_the_target_year():
    # 100 in 2015 doubled to 200 by 2020: doubling every five years more, 800 by 2030.
    result = assess(baseline_year=2015, baseline_value=100.0, target_year=2030, target_value=1000.0,
                    observations={2018: 150.0, 2020: 200.0})

    assert result.projection.year == 2030
    assert result.projection.value == pytest.approx(800.0, **TIGHT)
    assert result.projection.method == "cagr"


def test_a_linear_change_goes_on_where_compound_growth_is_undefined():
    # From nothing in 2015 to 50 in 2020: 10 a year, so 150 by 2030.
    result = assess(baseline_year=2015, baseline_value=0.0, target_year=2030, target_value=300.0,
                    observations={2020: 50.0})

    assert result.growth_method == "linear"
    assert result.projection == Projection(year=2030, value=pytest.approx(150.0, **TIGHT), method="linear")


def test_a_falling_value_where_lower_is_better_is_projected_falling():
    # 64 in 2010 halved to 32 by 2020: halving again by 2030 gives 16, below the target of 20.
    result = assess(baseline_year=2010, baseline_value=64.0, target_year=2030, target_value=20.0,
                    observations={2020: 32.0}, direction=LOWER_IS_BETTER)

    assert result.status == "on_track"
    assert result.projection.value == pytest.approx(16.0, **TIGHT)
    assert result.projection.method == "cagr"


def test_a_count_projected_below_zero_stops_at_zero():
    # 5 partners in 2015, none in 2020: one fewer a year would be -10 by 2030, but a count stops at nothing.
    result = assess(baseline_year=2015, baseline_value=5.0, target_year=2030, target_value=20.0,
                    observations={2020: 0.0})

    assert result.projection == Projection(year=2030, value=0.0, method="linear")


def test_a_series_that_was_below_zero_may_be_projected_further_below():
    # A balance of -2 in 2015 and -4 in 2020 (linear: the values are negative) falls 0.4 a year: -8 by 2030.
    result = assess(baseline_year=2015, baseline_value=-2.0, target_year=2030, target_value=5.0,
                    observations={2020: -4.0})

    assert result.projection.value == pytest.approx(-8.0, **TIGHT)


def test_without_a_target_the_pace_is_projected_to_the_horizon_year():
    # 100 in 2020 to 121 in 2022: 10 % a year, 121 * 1.1 ** 6 by 2028.
    result = assess(baseline_year=2020, baseline_value=100.0, observations={2022: 121.0}, horizon_year=2028)
    default = assess(baseline_year=2020, baseline_value=100.0, observations={2022: 121.0})

    assert result.target_year is None
    assert result.projection.year == 2028
    assert result.projection.value == pytest.approx(121.0 * 1.1 ** 6, **TIGHT)
    assert default.projection.year == 2030


def test_a_negative_baseline_without_a_target_is_projected_linearly():
    # The status reads the change relative to the baseline; the projection goes on by the same 3 a year.
    result = assess(baseline_year=2020, baseline_value=-6.0, observations={2022: 0.0}, horizon_year=2030)

    assert result.growth_method == "linear_relative"
    assert result.projection == Projection(year=2030, value=pytest.approx(24.0, **TIGHT), method="linear")


def test_the_projection_is_taken_at_the_indicators_precision():
    result = assess(baseline_year=2020, baseline_value=3.0, target_year=2030, target_value=9.0,
                    observations={2023: 4.0}, decimals=1)

    # 4 * (4/3) ** (7/3) = 7.84...
    assert result.projection.value == 7.8


def test_it_projects_nothing_without_a_value_after_the_baseline_year():
    result = assess(baseline_year=2020, baseline_value=100.0, target_year=2030, target_value=200.0,
                    observations={2019: 90.0, 2020: 100.0})

    assert result.status == "insufficient_data"
    assert result.projection is None
    assert result.as_dict()["projection"] is None


def test_it_projects_nothing_once_the_latest_value_reaches_the_target_year():
    result = assess(baseline_year=2015, baseline_value=100.0, target_year=2020, target_value=200.0,
                    observations={2020: 150.0, 2021: 160.0})

    assert result.projection is None


def test_it_projects_only_from_the_values_up_to_as_of():
    # As of 2020: 100 to 200 in five years, not the later 2022 value.
    result = assess(baseline_year=2015, baseline_value=100.0, target_year=2030, target_value=1000.0,
                    observations={2020: 200.0, 2022: 210.0}, as_of=2020)

    assert result.projection.value == pytest.approx(800.0, **TIGHT)


def test_a_pace_beyond_any_number_projects_nothing():
    result = assess(baseline_year=2020, baseline_value=1e-300, target_year=2090, target_value=1.0,
                    observations={2021: 1e300})

    assert result.projection is None


def test_a_status_set_by_hand_keeps_the_projection_of_the_figures():
    result = assess(baseline_year=2015, baseline_value=100.0, target_year=2030, target_value=1000.0,
                    observations={2020: 200.0}, status_override="achieved", override_reason="Agreed at the summit")

    assert result.projection.value == pytest.approx(800.0, **TIGHT)


def test_the_projection_reads_as_plain_values():
    result = assess(baseline_year=2015, baseline_value=100.0, target_year=2030, target_value=1000.0,
                    observations={2020: 200.0})

    assert result.as_dict()["projection"] == {"year": 2030, "value": pytest.approx(800.0), "method": "cagr"}


def test_a_share_stops_at_its_ceiling():
    # 50 % in 2020 to 72 % in 2022 (20 % a year) would pass 100 % by 2025; a share stops at all.
    result = assess(baseline_year=2020, baseline_value=50.0, target_year=2030, target_value=90.0,
                    observations={2022: 72.0}, ceiling=100.0)

    assert result.projection == Projection(year=2030, value=100.0, method="cagr")
