"""manage.py progress: the vision's, each objective's and each indicator's status, as a table or JSON."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from objectives.models import Indicator, Objective, Observation
from objectives.progress import STATUS_LABELS


@pytest.fixture
def demo(demo_data):
    # In a test the load's transaction never commits, so the refresh it queued is run by hand.
    call_command("refresh_indicators", stdout=io.StringIO())


def progress(*args) -> str:
    out = io.StringIO()
    call_command("progress", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_vision_every_objective_and_every_indicator_with_a_status(demo):
    output = progress("--as-of", "2025")

    assert output.startswith("Progress toward 2030 as of 2025\nVision: ")
    for objective in Objective.objects.all():
        assert f"Objective {objective.number}. " in output
    lines = output.splitlines()
    labels = [str(label) for label in STATUS_LABELS.values()]
    for indicator in Indicator.objects.all():
        line = next(line for line in lines if line.strip().startswith(f"{indicator.code} "))
        assert any(label in line for label in labels), line
        assert "Insufficient data" not in line, line  # the demo has data up to 2025 for every indicator


def test_each_indicator_line_shows_its_ratio_and_latest_value(demo):
    lines = progress("--as-of", "2025").splitlines()

    header = next(line for line in lines if line.strip().startswith("code"))
    assert header.split()[:6] == ["code", "status", "ratio", "latest", "year", "method"]
    line = next(line for line in lines if line.strip().startswith("1.1.a "))
    assert " 2025 " in line
    assert "cagr" in line


def test_it_prints_the_same_as_json(demo):
    data = json.loads(progress("--as-of", "2025", "--format", "json"))

    assert data["as_of"] == 2025
    assert data["vision"]["status"] in STATUS_LABELS
    assert [o["number"] for o in data["objectives"]] == [1, 2, 3, 4]
    indicators = [i for o in data["objectives"] for p in o["priorities"] for i in p["indicators"]]
    assert len(indicators) == Indicator.objects.count()
    assert all(i["result"]["as_of"] == 2025 for i in indicators)
    assert sum(data["status_counts"].values()) == len(indicators)


def test_an_earlier_year_counts_only_earlier_observations(demo):
    data = json.loads(progress("--as-of", "2021", "--format", "json"))

    latest_years = {i["result"]["latest_year"] for o in data["objectives"] for p in o["priorities"]
                    for i in p["indicators"]}
    assert max(latest_years) <= 2021


def test_without_any_data_it_says_so(strategy):
    Observation.objects.all().delete()  # the strategy ships the OECD's students figures: without them, no data
    output = progress()

    assert output.startswith("Progress toward 2030 as of no data yet\nVision: Insufficient data")
    assert "No indicators yet." in output


def test_it_refuses_a_year_outside_the_range(db):
    with pytest.raises(CommandError, match="--as-of must be a year from 1990 to 2100"):
        progress("--as-of", "3025")
