import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from objectives.models import Indicator, Observation
from tests import factories


def errors_of(instance) -> dict:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


@pytest.fixture
def indicator(db):
    return factories.IndicatorFactory(code="1.1.a")


def test_an_indicator_code_must_follow_the_priority(indicator):
    indicator.code = "one"
    assert "objective.priority.letter" in errors_of(indicator)["code"][0]


def test_an_indicator_code_is_unique(indicator):
    twin = factories.IndicatorFactory.build(priority=indicator.priority, code="1.1.a")
    assert "already exists" in errors_of(twin)["code"][0]


def test_the_target_year_must_come_after_the_baseline(indicator):
    indicator.target_year = 2019
    assert errors_of(indicator)["target_year"] == ["The target year must come after the baseline year."]


def test_a_year_outside_the_sane_range_is_refused(indicator):
    indicator.baseline_year = 1850
    assert "1990" in errors_of(indicator)["baseline_year"][0]


def test_an_override_needs_a_reason(indicator):
    indicator.status_override = "on_track"
    assert errors_of(indicator)["override_reason"] == ["A manual status override needs a reason."]


def test_a_computed_indicator_needs_a_metric(indicator):
    indicator.source = Indicator.Source.COMPUTED
    assert errors_of(indicator)["metric"] == ["A computed indicator needs a metric."]


def test_a_negative_weight_is_refused(indicator):
    indicator.weight = -1
    assert "weight" in errors_of(indicator)


def test_one_observation_per_indicator_year_and_breakdown(indicator):
    factories.ObservationFactory(indicator=indicator, year=2022, value=1)
    twin = Observation(indicator=indicator, year=2022, value=2)
    assert "already has a value for that year and breakdown" in str(errors_of(twin))
    factories.ObservationFactory(indicator=indicator, year=2022, value=3, breakdown="region=asia").full_clean()


def test_the_database_refuses_a_duplicate_observation_too(indicator):
    factories.ObservationFactory(indicator=indicator, year=2022)
    with pytest.raises(IntegrityError), transaction.atomic():
        Observation.objects.create(indicator=indicator, year=2022, value=5)


def test_the_database_refuses_an_override_without_reason(indicator):
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.filter(pk=indicator.pk).update(status_override="on_track")


def test_a_malformed_breakdown_is_refused(indicator):
    observation = Observation(indicator=indicator, year=2022, value=1, breakdown="Asia!")
    assert "key=value" in errors_of(observation)["breakdown"][0]
