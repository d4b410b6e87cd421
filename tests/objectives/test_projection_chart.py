"""The indicator's chart goes on dashed where the current pace leads; other charts look as they did."""

import re

import pytest

from core import charts
from core.charts import Series
from objectives.charts import indicator_chart, projection_path
from objectives.models import Indicator
from objectives.progress import LOWER_IS_BETTER, assess

BLUE = charts.PALETTE[0][0]


def students(**kwargs):
    return Indicator(code="1.1.1", name="Students abroad", unit="students", baseline_year=2015, baseline_value=100,
                     **kwargs)


def polylines(svg):
    return re.findall(r'<polyline points="([^"]+)" fill="none" stroke="([^"]+)" stroke-width="2.5"'
                      r'(?: stroke-dasharray="([^"]+)")?/>', svg)


def test_a_compound_pace_curves_from_the_latest_value_to_the_projection():
    result = assess(baseline_year=2015, baseline_value=100.0, target_year=2030, target_value=1000.0,
                    observations={2020: 200.0})

    path = projection_path(result)

    # 200 doubling every five years: 400 in 2025, 800 in 2030.
    assert path[0] == (2020, 200.0)
    assert path[5] == (2025, pytest.approx(400.0))
    assert path[-1] == (2030, 800.0)
    assert len(path) == 11


def test_a_linear_pace_goes_straight_and_stays_at_zero_once_it_reaches_it():
    # 10 in 2015 to 6 in 2020, aiming at none: 0.8 fewer a year reaches 0.4 in 2027 and then nothing.
    result = assess(baseline_year=2015, baseline_value=10.0, target_year=2030, target_value=0.0,
                    observations={2020: 6.0}, direction=LOWER_IS_BETTER)

    path = dict(projection_path(result))

    assert path[2021] == pytest.approx(5.2)
    assert path[2027] == pytest.approx(0.4)
    assert (path[2028], path[2029], path[2030]) == (0.0, 0.0, 0.0)


def test_no_projection_draws_no_continuation():
    result = assess(baseline_year=2015, baseline_value=100.0, target_year=2030, target_value=1000.0,
                    observations={})

    assert projection_path(result) == []
    assert "At this pace" not in indicator_chart(students(), result, [])


def test_the_indicators_chart_goes_on_dashed_in_the_observed_colour_and_says_where_it_leads():
    result = assess(baseline_year=2015, baseline_value=100.0, target_year=2030, target_value=1000.0,
                    observations={2018: 150.0, 2020: 200.0})

    svg = indicator_chart(students(target_value=1000), result, [(2018, 150.0), (2020, 200.0)])

    observed, _path, pace = polylines(svg)
    assert observed[1:] == (BLUE, "")
    assert pace[1:] == (BLUE, charts.CONTINUATION_DASH)
    assert pace[0].split()[0] == observed[0].split()[-1]  # it starts where the observed line ends
    assert ">At this pace</text>" in svg
    assert "At this pace, 800 in 2030." in re.search(r"<desc[^>]*>([^<]*)</desc>", svg).group(1)


def test_without_a_target_the_chart_still_shows_the_pace_to_the_horizon():
    result = assess(baseline_year=2015, baseline_value=100.0, observations={2020: 200.0}, horizon_year=2030)

    svg = indicator_chart(students(), result, [(2020, 200.0)])

    assert [dash for *_rest, dash in polylines(svg)] == ["", charts.CONTINUATION_DASH]
    assert ">2030</text>" in svg


def test_other_charts_keep_their_own_dashes():
    svg = charts.line_chart(chart_id="c", title="T", description="D", series=[
        Series("Solid", [(2020, 1), (2021, 2)], style=0),
        Series("Own dash", [(2020, 2), (2021, 3)], style=1),
        Series("Forced solid", [(2020, 3), (2021, 4)], style=1, dashed=False),
    ])

    assert [dash for *_rest, dash in polylines(svg)] == ["", "8 4", ""]
