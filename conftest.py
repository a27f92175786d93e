from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from pytest_django.fixtures import Settings

from vigie.test import Personas, load_address_reference, make_personas


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


@pytest.fixture
def address_reference(db: None) -> None:
    """The fictional commune of the demo, loaded into the BAN reference."""
    load_address_reference()


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder(settings: Settings, tmp_path: Path) -> None:
    """Letters (and anything else written to disk) stay inside the test's own folder."""
    settings.DATA_DIR = tmp_path
    settings.LETTERS_DIR = tmp_path / "letters"
    settings.LETTERS_OUTBOX = tmp_path / "letters" / "outbox"
