"""The reminder days come from the environment, and a malformed value stops start-up with a message naming it."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from asem_portal.settings import _days


def test_the_defaults_are_two_weeks_and_three_days_before_and_one_and_seven_days_after(settings):
    assert settings.REPORTING_REMINDER_DAYS_BEFORE == [14, 3]
    assert settings.REPORTING_REMINDER_DAYS_AFTER == [7, 1]


def test_days_are_read_as_a_list_largest_first(monkeypatch):
    monkeypatch.setenv("REPORTING_REMINDER_DAYS_BEFORE", " 3, 30,7,3 ")

    assert _days("REPORTING_REMINDER_DAYS_BEFORE", "14,3") == [30, 7, 3]


def test_an_empty_value_means_no_reminder_on_that_side(monkeypatch):
    monkeypatch.setenv("REPORTING_REMINDER_DAYS_AFTER", "")

    assert _days("REPORTING_REMINDER_DAYS_AFTER", "1,7") == []


@pytest.mark.parametrize(("value", "message"), [
    ("14;3", "REPORTING_REMINDER_DAYS_BEFORE must be whole numbers of days separated by commas, got '14;3'"),
    ("two", "must be whole numbers of days"),
    ("-1", "REPORTING_REMINDER_DAYS_BEFORE must be days between 0 and 365, got '-1'"),
    ("400", "must be days between 0 and 365"),
])
def test_a_malformed_value_stops_start_up_with_a_message(monkeypatch, value, message):
    monkeypatch.setenv("REPORTING_REMINDER_DAYS_BEFORE", value)

    with pytest.raises(ImproperlyConfigured, match=message):
        _days("REPORTING_REMINDER_DAYS_BEFORE", "14,3")
