"""Nothing of a person is kept in the browser's storage by Vigie's own code."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from vigie.test import Personas, log_in_as

pytestmark = pytest.mark.django_db

OWN_SCRIPTS = Path(settings.BASE_DIR) / "vigie" / "static" / "vigie"
TEMPLATES = Path(settings.BASE_DIR) / "vigie"
STORAGE = re.compile(
    r"\b(localStorage|sessionStorage|indexedDB|openDatabase|document\.cookie|cookieStore)\b"
)


def test_it_writes_to_no_browser_storage_from_its_own_scripts_and_templates() -> None:
    scripts = sorted(OWN_SCRIPTS.glob("*.js"))
    templates = sorted(TEMPLATES.glob("**/templates/**/*.html"))
    assert len(scripts) >= 5  # the scan does see the files
    assert len(templates) >= 20

    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for path in scripts + templates
        for match in STORAGE.finditer(path.read_text())
    ]
    # The Cache API only in the service worker, which stores its precache list and nothing else.
    caching = [path.name for path in scripts if "caches." in path.read_text()]
    stored_later = [path.name for path in scripts if re.search(r"\.put\(", path.read_text())]

    assert found == []
    assert caching == ["sw.js"]
    assert stored_later == []


def test_it_precaches_only_the_anonymous_offline_page_and_static_files() -> None:
    source = Client().get("/sw.js").content.decode()
    match = re.search(r"const PRECACHE = (\[.*?\]);", source)
    assert match is not None
    precache = json.loads(match.group(1))

    assert precache[0] == "/hors-ligne/"
    assert all(url.startswith(settings.STATIC_URL) for url in precache[1:]), precache
    assert 'credentials: "omit"' in source  # fetched without the person's cookies
    assert "cache.addAll(PRECACHE" in source


def test_it_tells_htmx_to_keep_no_copy_of_pages_in_the_browser(personas: Personas) -> None:
    page = log_in_as(Client(), personas.alice).get("/compte/").content.decode()
    match = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert match is not None
    config = json.loads(html.unescape(match.group(1)))

    assert config["historyCacheSize"] == 0  # no snapshot of a page in sessionStorage
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert "hx-push-url" not in page
    assert "hx-boost" not in page
