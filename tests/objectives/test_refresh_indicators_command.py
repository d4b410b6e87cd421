"""manage.py refresh_indicators: computed indicators written now, by hand."""

import io

import pytest
from django.core.management import call_command

from objectives.models import Indicator
from tests import factories


def test_it_writes_computed_indicators_and_says_how_many(db):
    factories.MobilityFlowFactory(year=2023, participants=70)
    factories.MobilityFlowFactory(year=2024, participants=90)
    indicator = factories.IndicatorFactory(source=Indicator.Source.COMPUTED, metric="mobility.asia_to_europe")
    out = io.StringIO()

    call_command("refresh_indicators", stdout=out)

    assert sorted(indicator.observations.values_list("year", "value", "is_computed")) == [
        (2023, 70.0, True), (2024, 90.0, True),
    ]
    assert out.getvalue().startswith("1 computed indicators: 2 observations created, 0 updated, 0 deleted")


def test_it_names_metrics_no_app_registers(db):
    factories.IndicatorFactory(source=Indicator.Source.COMPUTED, metric="mobility.nothing_like_this")
    err = io.StringIO()

    call_command("refresh_indicators", stdout=io.StringIO(), stderr=err)

    assert "The metric mobility.nothing_like_this could not be computed" in err.getvalue()


@pytest.mark.django_db
def test_a_second_run_changes_nothing():
    factories.MobilityFlowFactory(year=2024)
    factories.IndicatorFactory(source=Indicator.Source.COMPUTED, metric="mobility.asia_to_europe")
    call_command("refresh_indicators", stdout=io.StringIO())
    out = io.StringIO()

    call_command("refresh_indicators", stdout=out)

    assert "0 observations created, 0 updated, 0 deleted, 1 unchanged" in out.getvalue()
