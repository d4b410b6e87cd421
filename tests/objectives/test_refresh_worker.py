"""A real Celery worker, against Redis and PostgreSQL, refreshes computed indicators (required in CI)."""

import pytest

from objectives.models import Indicator
from objectives.selectors import indicator_progress, progress_overview
from objectives.tasks import refresh_computed_indicators
from tests import factories
from tests.services import wait_for

pytestmark = pytest.mark.service


@pytest.fixture
def computed(celery_worker):
    """Asia to Europe, 100 in 2020 aiming at 200 in 2030, computed from the flows."""
    indicator = factories.IndicatorFactory(code="1.1.a", source=Indicator.Source.COMPUTED,
                                           metric="mobility.asia_to_europe")
    # Creating it queued a refresh; one more behind it on the same queue returns once both are done.
    refresh_computed_indicators.delay().get(timeout=60)
    return indicator


def test_the_worker_runs_the_refresh_and_the_new_status_is_read_back(computed):
    factories.MobilityFlowFactory(year=2024, participants=80)

    report = refresh_computed_indicators.delay().get(timeout=60)

    assert report["indicators"] == 1
    result = progress_overview().indicators[0].result
    assert (result.latest_year, result.latest_value, result.status) == (2024, 80.0, "deterioration")
    assert indicator_progress(computed).status == "deterioration"


def test_a_committed_change_reaches_the_worker_and_the_next_read(computed):
    factories.MobilityFlowFactory(year=2023, participants=150)
    wait_for(lambda: computed.observations.filter(year=2023).exists(), what="the worker's refresh")
    assert progress_overview().indicators[0].result.status == "on_track"

    # One more change: committed, queued after the commit, run by the worker, and no stale status served.
    factories.MobilityFlowFactory(year=2024, participants=250)
    wait_for(lambda: computed.observations.filter(year=2024).exists(), what="the worker's refresh")

    assert progress_overview().indicators[0].result.status == "achieved"
    assert computed.observations.get(year=2024).is_computed
