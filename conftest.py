from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from vigie.test import Personas, forget_shared_cache, load_address_reference, make_personas


@pytest.fixture(autouse=True)
def _isolated_cache() -> None:
    forget_shared_cache()


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
    settings.MEDIA_ROOT = tmp_path / "media"
