from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from vigie.test import Personas, make_personas


@pytest.fixture(autouse=True)
def _isolated_cache() -> None:
    # Redis outlives each test's transaction: counters (rate limits) would leak
    # from test to test. The database cache is rolled back with the test instead.
    if settings.REDIS_URL:
        # Not cache.clear(): that would empty the other test processes' keys too.
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture
def api(client: Client) -> Client:
    """A client for the API: JSON bodies, no cookies beyond its own."""
    return client
