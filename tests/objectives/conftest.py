from unittest import mock

import pytest


@pytest.fixture
def queued():
    """The refresh task's apply_async(), replaced by a mock that counts what would be queued."""
    with mock.patch("objectives.tasks.refresh_computed_indicators.apply_async") as delay:
        yield delay
