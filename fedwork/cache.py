"""Redis as a cache that may be away: Django's RedisCache, where a Redis that does not answer is a miss.

With Redis stopped, Django's own backend raises on every get and set; every request (each reads its
session through the cache: ``cached_db``) would be a 500. Here a read that fails is a miss and a
write that fails is skipped, so sessions are read from and written to the database alone until
Redis is back, and the cache's other users compute what they would have read. Logged once per
``WARN_EVERY`` seconds per process, not per request.

A Redis brought back must come back empty (deploy/redis.conf: no snapshot, no append-only file):
while it was away, a logout deleted the session from the database only, and an old copy in a
restored Redis would sign the session in again.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY = 10.0
_warned_at = float("-inf")


def _unavailable(error: Exception) -> None:
    global _warned_at
    now = time.monotonic()
    if now - _warned_at >= WARN_EVERY:
        _warned_at = now
        logger.warning("Redis does not answer (%s): cache reads are misses, sessions use the database", error)


class ForgivingRedisCache(RedisCache):
    """CACHES backend: RedisCache whose calls answer as an empty cache while Redis is away."""

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE as error:
            _unavailable(error)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE as error:
            _unavailable(error)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNAVAILABLE as error:
            _unavailable(error)
            return False

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE as error:
            _unavailable(error)
            return False

    def set(self, key, value, timeout=None, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNAVAILABLE as error:
            _unavailable(error)

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE as error:
            _unavailable(error)
            return list(data)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNAVAILABLE as error:
            _unavailable(error)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE as error:
            _unavailable(error)
            return False

    def delete_many(self, keys, version=None):
        try:
            super().delete_many(keys, version)
        except UNAVAILABLE as error:
            _unavailable(error)
