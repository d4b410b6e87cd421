"""A status written directly for the tables of hundreds of statuses reads exactly as the status include draws it."""

import pytest
from django.template.loader import render_to_string
from django.utils.html import escape

from objectives import progress
from objectives.status_html import explained_status_html, status_html

GROWING = {2020: 100.0, 2022: 104.0, 2024: 120.0}


def drawn_by_the_include(result) -> str:
    return render_to_string("includes/status.html", {"result": result})


@pytest.mark.parametrize("target", [None, 110.0, 500.0])
def test_a_measured_status_reads_as_the_include_draws_it(target):
    result = progress.assess(baseline_year=2020, baseline_value=100.0, observations=GROWING, target_year=2030,
                             target_value=target, year_in_progress=2026)

    assert status_html(result) == drawn_by_the_include(result)


def test_a_status_without_data_reads_as_the_include_draws_it():
    result = progress.assess(baseline_year=2020, baseline_value=100.0, observations={2020: 100.0},
                             year_in_progress=2026)

    assert status_html(result) == drawn_by_the_include(result)


def test_a_status_set_by_hand_says_why_as_the_include_does():
    result = progress.assess(baseline_year=2020, baseline_value=100.0, observations=GROWING, year_in_progress=2026,
                             status_override=progress.LIMITED, override_reason="The survey <changed> its method")

    assert "The survey &lt;changed&gt; its method" in status_html(result)
    assert status_html(result) == drawn_by_the_include(result)


def test_a_roll_up_of_nothing_reads_not_assessed_yet_as_the_include_says():
    assert status_html(progress.roll_up([])) == drawn_by_the_include(progress.roll_up([]))
    assert "Not assessed yet" in status_html(progress.roll_up([]))


def test_a_cell_carries_its_explanation_as_its_title():
    result = progress.assess(baseline_year=2020, baseline_value=100.0, observations=GROWING, year_in_progress=2026)

    drawn = render_to_string("includes/status.html", {"result": result})

    assert explained_status_html(result) == f'<span title="{escape(result.explanation)}">{drawn}</span>'
