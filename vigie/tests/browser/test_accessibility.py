"""axe-core finds no WCAG 2.1 A or AA violation on any page of Vigie, in French and in English.

The pages are the access matrix's: every GET route, asked by a persona who gets it, with the
matrix's world behind its ids. A route added to Vigie is audited here with no list to update.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, ViewportSize
from pytest_django.live_server_helper import LiveServer

from vigie.test import Personas, log_in_as
from vigie.tests.browser.browser import DESKTOP, PHONE, check_accessibility, describe, run_axe
from vigie.tests.browser.conftest import ColorScheme, OpenPage
from vigie.tests.test_access_matrix import PAGES, _fill, _query
from vigie.tests.world import World, build_world

pytestmark = pytest.mark.browser

# Whose eyes each page is seen through: the first of these the matrix lets in (a member
# sees the most of a resident's pages; the team and the town hall their own).
PREFERRED = ("alice", "dave", "carol", "townhall", "bob", "anonymous")
SECOND_FACTOR = {"carol", "townhall"}
AT_A_DESK = {"carol", "townhall"}
# The API's reference, the longest page, is audited apart: in both languages and palettes.
API_REFERENCE = "api/v1/docs"


@dataclass(frozen=True)
class Visit:
    persona: str
    route: str  # as in PAGES, parameters unfilled
    status: int = 200
    query: str = ""


def visits() -> list[Visit]:
    chosen = []
    for route, row in sorted(PAGES.items()):
        persona = next((name for name in PREFERRED if row.statuses.get(name) == 200), None)
        if persona is not None and route != API_REFERENCE:
            chosen.append(Visit(persona, route, query=_query(row.query)))
    return [
        *chosen,
        # The alert form's second step, past the emergency numbers.
        Visit("alice", "quartiers/<int:community_id>/alerte/", query="?ecrire=1"),
        # The error pages as a person meets them.
        Visit("anonymous", "page-qui-n-existe-pas/", status=404),
        Visit("alice", "quartiers/<int:community_id>/reglages/", status=403),
    ]


# English in the dark scheme: each language and each palette once, for the time of two runs.
@pytest.mark.parametrize(("language", "scheme"), [("fr", "light"), ("en", "dark")])
def test_it_finds_no_accessibility_violation_on_any_page(
    open_page: OpenPage,
    personas: Personas,
    live_server: LiveServer,
    language: str,
    scheme: ColorScheme,
) -> None:
    world = build_world(personas)
    pages: dict[str, Page] = {}
    found: list[str] = []
    audited = 0
    for visit in visits():
        if visit.persona not in pages:
            pages[visit.persona] = opened_as(
                open_page, world, visit.persona, live_server, language, scheme
            )
        page = pages[visit.persona]
        address = "/" + _fill(visit.route, world.values, PAGES.get(visit.route)) + visit.query
        # Asked first without navigating: a download (PDF, CSV, an image) is no page to audit,
        # and Chromium would only start saving it.
        probe = page.context.request.get(address, max_redirects=0, timeout=30_000)
        assert probe.status == visit.status, f"{visit.persona} {address}: {probe.status}"
        if not is_html_page(probe.headers.get("content-type", ""), probe.text()):
            continue
        response = page.goto(address)
        assert response is not None
        assert response.status == visit.status, f"{visit.persona} {address}: {response.status}"
        audited += 1
        if (lang := page.locator("html").get_attribute("lang")) != language:
            found.append(f"{visit.persona} {address}: in {lang!r}, not {language!r}")
        if violations := run_axe(page):
            found.append(f"{visit.persona} {address}:\n{describe(violations)}")

    assert not found, f"{len(found)} of {audited} pages:\n" + "\n".join(found)


def opened_as(
    open_page: OpenPage,
    world: World,
    persona: str,
    live_server: LiveServer,
    language: str,
    scheme: ColorScheme,
    viewport: ViewportSize | None = None,
) -> Page:
    """A context of the persona's own, logged in and in the language, for all its pages."""
    if viewport is None:
        viewport = DESKTOP if persona in AT_A_DESK else PHONE
    page = open_page(viewport=viewport, color_scheme=scheme)
    # The log-in form has journeys of its own; here the session is made as the tests make it.
    cookies = {settings.LANGUAGE_COOKIE_NAME: language}
    if persona != "anonymous":
        client = log_in_as(
            Client(),
            getattr(world.personas, persona),
            second_factor=persona in SECOND_FACTOR,
        )
        cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": name, "value": value, "url": live_server.url} for name, value in cookies.items()]
    )
    return page


def is_html_page(content_type: str, body: str) -> bool:
    """A whole document: not a file, and not a fragment that htmx sets into a page."""
    return content_type.startswith("text/html") and "<html" in body[:2000].lower()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_finds_no_accessibility_violation_on_the_api_reference(
    open_page: OpenPage, live_server: LiveServer, language: str, scheme: ColorScheme
) -> None:
    page = open_page(viewport=DESKTOP, color_scheme=scheme)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    response = page.goto("/" + API_REFERENCE)
    assert response is not None
    assert response.status == 200
    # Drawn by the server, schemas last: the page is whole once its last section is there.
    page.locator("#api-schemas").wait_for()
    # The page's own words are in the visitor's language; the schema's are marked English.
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator(".api-summary:not([lang='en'])").count() == 0

    check_accessibility(page)
