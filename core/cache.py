"""A Redis cache that degrades to no cache while Redis is unreachable.

The cache only ever holds what the portal can compute again, so losing Redis
must cost speed, never a page. While Redis does not answer, every call
behaves as Django's dummy cache does (a get misses, a set keeps nothing, an
add succeeds) and logs a warning; after a failure the cache stops trying for
``RETRY_AFTER`` seconds, so requests do not each wait for a dead server.

A write the cache could not pass on (a set, add, delete or incr) leaves the
old value in Redis, and that value may be stale by the time Redis is back:
the data's generation (core/changes.py) is one such key. The keys of those writes
are remembered (up to ``MAX_DROPPED``) and deleted as soon as Redis answers
again, so the next read computes afresh instead of serving the old value.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class DegradingRedisCache(RedisCache):
    RETRY_AFTER = 2.0
    MAX_DROPPED = 10_000

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER", self.RETRY_AFTER))
        super().__init__(server, {**params, "OPTIONS": options})
        self._down_until = 0.0
        self._dropped: set[str] = set()
        self._lock = threading.Lock()

    @property
    def is_degraded(self) -> bool:
        return time.monotonic() < self._down_until

    def ping(self) -> None:
        """Ask Redis directly, past the degradation: /readyz wants the real error."""
        self._cache.get_client(write=True).ping()

    def _call(self, fallback, operation, *args, dropped_key: str | None = None):
        if self.is_degraded:
            self._remember(dropped_key)
            return fallback
        try:
            result = operation(*args)
        except UNREACHABLE as exc:
            self._down_until = time.monotonic() + self.retry_after
            self._remember(dropped_key)
            logger.warning("Redis cache unreachable, serving without a cache for %.0fs: %s", self.retry_after, exc)
            return fallback
        if self._dropped:
            self._forget_dropped()
        return result

    def _remember(self, key: str | None) -> None:
        if key is not None:
            with self._lock:
                if len(self._dropped) < self.MAX_DROPPED:
                    self._dropped.add(key)

    def _forget_dropped(self) -> None:
        with self._lock:
            keys, self._dropped = list(self._dropped), set()
        try:
            self._cache.delete_many(keys)
        except UNREACHABLE:
            with self._lock:
                self._dropped.update(keys)
            return
        logger.warning("Redis cache is back: deleted %d keys whose writes it missed", len(keys))

    # The dummy cache's answers while Redis is away.

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        k = self.make_and_validate_key(key, version=version)
        return self._call(True, self._cache.add, k, value, self.get_backend_timeout(timeout), dropped_key=k)

    def get(self, key, default=None, version=None):
        k = self.make_and_validate_key(key, version=version)
        return self._call(default, self._cache.get, k, default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        k = self.make_and_validate_key(key, version=version)
        self._call(None, self._cache.set, k, value, self.get_backend_timeout(timeout), dropped_key=k)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        k = self.make_and_validate_key(key, version=version)
        return self._call(False, self._cache.touch, k, self.get_backend_timeout(timeout))

    def delete(self, key, version=None):
        k = self.make_and_validate_key(key, version=version)
        return self._call(False, self._cache.delete, k, dropped_key=k)

    def get_many(self, keys, version=None):
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        found = self._call({}, self._cache.get_many, key_map.keys())
        return {key_map[k]: v for k, v in found.items()}

    def has_key(self, key, version=None):
        k = self.make_and_validate_key(key, version=version)
        return self._call(False, self._cache.has_key, k)

    def incr(self, key, delta=1, version=None):
        k = self.make_and_validate_key(key, version=version)
        missing = object()
        result = self._call(missing, self._cache.incr, k, delta, dropped_key=k)
        if result is missing:
            raise ValueError(f"Key '{key}' not found: the cache is unreachable")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        if not data:
            return []
        safe = {self.make_and_validate_key(key, version=version): value for key, value in data.items()}
        failed = list(data)
        if self._call(failed, self._cache.set_many, safe, self.get_backend_timeout(timeout)) is failed:
            for k in safe:
                self._remember(k)
            return failed
        return []

    def delete_many(self, keys, version=None):
        if not keys:
            return
        safe = [self.make_and_validate_key(key, version=version) for key in keys]
        failed = object()
        if self._call(failed, self._cache.delete_many, safe) is failed:
            for k in safe:
                self._remember(k)

    def clear(self):
        return self._call(False, self._cache.clear)
