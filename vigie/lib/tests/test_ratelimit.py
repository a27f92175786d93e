"""Rate limits count every worker's attempts in one place: Redis, or the database cache."""

from __future__ import annotations

from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import caches

from vigie.lib import ratelimit
from vigie.lib.environment import Rate
from vigie.lib.errors import RateLimited

pytestmark = pytest.mark.django_db

TWO_AN_HOUR = Rate(count=2, seconds=3600)


def test_it_shares_the_counters_between_workers() -> None:
    # A connection of its own, as another web worker or server would open.
    other_worker = caches.create_connection("default")

    ratelimit.hit("test-shared", "someone", rate=TWO_AN_HOUR)
    with mock.patch.object(ratelimit, "cache", other_worker):
        ratelimit.hit("test-shared", "someone", rate=TWO_AN_HOUR)
        with pytest.raises(RateLimited) as refused:
            ratelimit.hit("test-shared", "someone", rate=TWO_AN_HOUR)

    assert 0 < refused.value.retry_after <= 3601
    ratelimit.hit("test-shared", "someone else", rate=TWO_AN_HOUR)


def test_it_keeps_the_counters_in_redis_when_redis_is_configured() -> None:
    backend = str(settings.CACHES["default"]["BACKEND"])
    if settings.REDIS_URL:
        assert backend.endswith("RedisCache")
    else:
        # Never local memory, which each worker would keep for itself.
        assert backend == "django.core.cache.backends.db.DatabaseCache"
