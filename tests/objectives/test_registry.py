"""The registry of computed indicators' metrics."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError

from objectives.registry import MetricRegistry, UnknownMetric, metrics, validate_metric


def yearly():
    return {2024: 1.0}


def other():
    return {2024: 2.0}


def test_a_registered_metric_can_be_found_and_listed():
    registry = MetricRegistry()

    registry.register("tests.b", yearly, label="B", unit="%")
    registry.register("tests.a", other, label="A")

    assert registry.get("tests.b").compute() == {2024: 1.0}
    assert registry.get("tests.b").unit == "%"
    assert registry.keys() == ["tests.a", "tests.b"]
    assert registry.choices() == [("tests.a", "tests.a: A"), ("tests.b", "tests.b: B")]
    assert "tests.a" in registry


def test_an_unknown_metric_is_a_clear_error():
    with pytest.raises(UnknownMetric):
        MetricRegistry().get("tests.nobody")


def test_registering_the_same_function_again_is_harmless():
    registry = MetricRegistry()
    registry.register("tests.a", yearly, label="A")

    registry.register("tests.a", yearly, label="A, renamed")

    assert registry.get("tests.a").label == "A, renamed"


def test_two_apps_cannot_claim_the_same_key():
    registry = MetricRegistry()
    registry.register("tests.a", yearly, label="A")

    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        registry.register("tests.a", other, label="A")


def test_an_indicators_metric_must_be_registered():
    validate_metric("mobility.female_share")
    validate_metric("")  # a hand-entered indicator has none

    with pytest.raises(ValidationError, match=r"No app registers the metric mobility\.typo"):
        validate_metric("mobility.typo")


def test_the_apps_register_their_metrics_when_django_starts():
    assert "mobility.asia_to_europe" in metrics
    assert "activities.objective.1" in metrics
