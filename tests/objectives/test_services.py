"""The secretariat's writes of indicators and observations, as the API and any other caller make them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from objectives import services
from objectives.models import Indicator, Observation
from tests import factories


@pytest.fixture
def indicator(db):
    return factories.IndicatorFactory(code="9.9.a")


def test_the_secretariat_defines_an_indicator_and_the_history_names_them(secretariat, indicator):
    created = services.indicator_create(user=secretariat, data={
        "code": "9.9.b", "name": "Partners with a strategy", "priority": indicator.priority, "unit": "partners",
        "baseline_year": 2020, "baseline_value": 18, "target_year": 2030, "target_value": 35,
    })

    assert Indicator.objects.get(code="9.9.b") == created
    assert created.history.get().history_user == secretariat


def test_a_focal_point_may_not_write_indicators_or_observations(alice, indicator):
    observation = factories.ObservationFactory(indicator=indicator)

    with pytest.raises(PermissionDenied, match="Only the secretariat may change indicators and observations"):
        services.indicator_update(indicator=indicator, user=alice, data={"name": "Renamed"})
    with pytest.raises(PermissionDenied):
        services.observation_create(indicator=indicator, user=alice, data={"year": 2023, "value": 1})
    with pytest.raises(PermissionDenied):
        services.observation_delete(observation=observation, user=alice)

    indicator.refresh_from_db()
    assert indicator.name != "Renamed"
    assert list(indicator.observations.all()) == [observation]


def test_an_indicator_is_checked_whole_before_it_is_saved(secretariat, indicator):
    with pytest.raises(ValidationError) as refused:
        services.indicator_update(indicator=indicator, user=secretariat, data={"target_year": 2019})

    assert refused.value.messages == ["The target year must come after the baseline year."]
    indicator.refresh_from_db()
    assert indicator.target_year == 2030


def test_an_indicator_keeps_its_code_and_a_write_sets_only_what_it_may(secretariat, indicator):
    with pytest.raises(ValueError, match="cannot set code"):
        services.indicator_update(indicator=indicator, user=secretariat, data={"code": "9.9.z"})
    with pytest.raises(ValueError, match="cannot set is_demo"):
        services.indicator_create(user=secretariat, data={"code": "9.9.c", "is_demo": True})


def test_a_value_corrected_by_hand_is_no_longer_the_engines(secretariat, indicator):
    computed = factories.ObservationFactory(indicator=indicator, year=2023, value=10, is_computed=True)

    services.observation_update(observation=computed, user=secretariat, data={"value": 12})

    computed.refresh_from_db()
    assert (computed.value, computed.is_computed) == (12, False)
    assert computed.history.latest().history_user == secretariat


def test_a_recorded_observation_is_entered_by_hand_and_one_a_year_and_breakdown(secretariat, indicator):
    first = services.observation_create(indicator=indicator, user=secretariat, data={"year": 2023, "value": 5})

    assert first.is_computed is False
    with pytest.raises(ValidationError):
        services.observation_create(indicator=indicator, user=secretariat, data={"year": 2023, "value": 6})
    assert Observation.objects.filter(indicator=indicator).count() == 1


def test_deleting_an_indicator_takes_its_observations_and_names_who_did(secretariat, indicator):
    factories.ObservationFactory(indicator=indicator)

    services.indicator_delete(indicator=indicator, user=secretariat)

    assert not Indicator.objects.filter(code="9.9.a").exists()
    assert not Observation.objects.exists()
    assert Indicator.history.filter(code="9.9.a", history_type="-").get().history_user == secretariat
