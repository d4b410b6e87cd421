import copy
import uuid
from unittest import mock

import pytest
from django.core.cache import cache

from core import changes
from objectives import services


@pytest.fixture(autouse=True)
def own_cache_keys(settings, monkeypatch):
    """Progress results and the refresh debounce live in the cache: each test gets keys of its own.

    A key prefix, never cache.clear(): with Redis that would empty the Celery
    queues it shares, and other test runs' keys with them. The environment
    variable carries the prefix to a worker the test starts.
    """
    prefix = f"tests-{uuid.uuid4().hex[:12]}"
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = caches
    monkeypatch.setenv("CACHE_KEY_PREFIX", prefix)
    yield
    cache.delete_many([changes.GENERATION_KEY, services.REFRESH_QUEUED_KEY])


@pytest.fixture
def queued():
    """The refresh task's apply_async(), replaced by a mock that counts what would be queued."""
    with mock.patch("objectives.tasks.refresh_computed_indicators.apply_async") as delay:
        yield delay
