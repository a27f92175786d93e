"""Fixed-window rate limits kept in the cache.

With ``REDIS_URL`` the counters live in Redis and are shared by every worker
and server; otherwise they live in the database cache, shared by the workers
of one installation.
"""

from __future__ import annotations

import time

from django.core.cache import cache

from vigie.lib.environment import Rate
from vigie.lib.errors import RateLimited
from vigie.lib.tokens import digest


def hit(scope: str, key: str, *, rate: Rate) -> None:
    """Count one action by ``key`` in ``scope``; raise RateLimited past the rate."""
    now = time.time()
    window = int(now // rate.seconds)
    cache_key = f"ratelimit:{scope}:{digest(key)[:32]}:{window}"
    if cache.add(cache_key, 1, timeout=rate.seconds + 1):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr: a new window starts
            cache.set(cache_key, 1, timeout=rate.seconds + 1)
            count = 1
    if count > rate.count:
        raise RateLimited(retry_after=int((window + 1) * rate.seconds - now) + 1)
