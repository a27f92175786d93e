"""The installable web app: the manifest, the offline page, the service worker."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from vigie.lib import webapp
from vigie.test import Personas, log_in_as, neighbourhood_a

pytestmark = pytest.mark.django_db

MANIFEST_LINK = '<link rel="manifest" href="/manifest.webmanifest">'


def static_file(url: str) -> Path | None:
    assert url.startswith(settings.STATIC_URL), url
    found = finders.find(url.removeprefix(settings.STATIC_URL))
    return Path(str(found)) if found else None


def test_it_serves_the_manifest_with_its_fields_and_icons() -> None:
    response = Client().get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["short_name"] == "Vigie"
    assert manifest["name"]
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#1f4e8c"
    assert manifest["background_color"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512", "any"} <= sizes
    for icon in manifest["icons"]:
        assert static_file(icon["src"]) is not None, icon["src"]


def test_it_gives_the_manifest_in_the_visitors_language() -> None:
    french = json.loads(Client().get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="fr").content)
    english = json.loads(Client().get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en").content)

    assert french["lang"] == "fr"
    assert english["lang"] == "en"
    assert english["name"] == "Vigie, neighbours who look out for each other"


@pytest.mark.parametrize(
    ("language", "emergency"),
    [
        ("fr", "En cas d\u2019urgence, appelez le 17 (police), le 18 (pompiers) ou le 112."),
        ("en", "In an emergency call 17 (police), 18 (fire brigade) or 112."),
    ],
)
def test_it_shows_the_offline_page_in_both_languages_without_login(
    language: str, emergency: str
) -> None:
    response = Client().get("/hors-ligne/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert emergency in page
    for number in ("17", "18", "112"):
        assert f'href="tel:{number}"' in page
    assert MANIFEST_LINK in page


def test_it_names_the_offline_page_and_existing_files_in_the_service_worker() -> None:
    response = Client().get("/sw.js")

    assert response["Service-Worker-Allowed"] == "/"
    source = response.content.decode()
    assert "__VIGIE_" not in source  # both placeholders are filled in
    assert f'const CACHE_VERSION = "{webapp.cache_version()}";' in source
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", source).group(1))  # type: ignore[union-attr]
    assert precache[0] == "/hors-ligne/"
    for url in precache[1:]:
        assert static_file(url) is not None, url
    assert {"/static/vigie/vigie.css", "/static/vigie/icon-192.png"} <= set(precache)
    # The push handling stays.
    assert 'addEventListener("push"' in source
    assert 'addEventListener("notificationclick"' in source


def test_it_links_the_manifest_and_registers_the_worker_on_every_page(
    personas: Personas,
) -> None:
    alice = log_in_as(Client(), personas.alice)
    pages = [
        Client().get("/"),
        Client().get("/connexion/"),
        Client().get("/page-qui-n-existe-pas/"),
        alice.get("/"),
        alice.get(f"/quartiers/{neighbourhood_a().pk}/"),
        alice.get("/compte/notifications/"),
    ]

    for response in pages:
        page = response.content.decode()
        assert MANIFEST_LINK in page, response
        assert '<meta name="theme-color" content="#1f4e8c">' in page
        assert re.search(r'<script src="/static/vigie/sw-register.js" nonce="[^"]+" defer>', page)


def test_it_draws_every_page_from_the_base_template() -> None:
    """Only base.html opens an <html> element, so every page has the manifest's link."""
    opening = []
    for folder in [Path(settings.BASE_DIR) / "vigie"]:
        for template in folder.rglob("templates/**/*.html"):
            if "<html" in template.read_text(encoding="utf-8"):
                opening.append(template.name)
    # The export's summary is a file inside the ZIP, not a page of the site.
    assert sorted(opening) == ["base.html", "export_summary.html"]
