"""The tests' cache keys: each test's under a prefix of its own, and clear() that empties only those.

A key function rather than a KEY_PREFIX setting per test: it holds for every
thread of the process (the live server's too) without rebuilding the cache
objects, which a test may have patched. With Redis the cache shares its
database with the Celery broker and with the test processes running beside
this one, so clear() must not empty it all (Django's FLUSHDB).
"""

from core.cache import DegradingRedisCache

GLOB_SPECIAL = "\\*?[]^"

# The running test's prefix (tests/conftest.py); None between tests, and in a Celery worker a test starts, which has
# the test's prefix as its KEY_PREFIX setting instead.
test_prefix: str | None = None


def make_key(key: str, key_prefix: str, version: int) -> str:
    return f"{test_prefix or key_prefix}:{version}:{key}"


def glob_escape(text: str) -> str:
    return "".join(f"\\{char}" if char in GLOB_SPECIAL else char for char in text)


class OwnKeysRedisCache(DegradingRedisCache):
    def clear(self) -> bool:
        # Every key starts with "prefix:" (make_key above), so the queues' and results' keys never match.
        return self._call(False, self._delete_matching, f"{glob_escape(test_prefix or self.key_prefix)}:*")

    def _delete_matching(self, pattern: str) -> bool:
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=pattern, count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start:start + 1000])
        return bool(keys)
