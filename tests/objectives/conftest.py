import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Progress results and the refresh debounce live in the cache: each test starts without them."""
    cache.clear()
    yield
    cache.clear()
