"""Every page fits a 360 px phone screen: nothing wider than the screen, no sideways scrolling.

The pages are the accessibility audit's (every page route of the access matrix), each seen
on a phone by its persona, the team's and the town hall's pages included: a moderator or an
agent away from a desk uses a phone too.
"""

from __future__ import annotations

import pytest
from pytest_django.live_server_helper import LiveServer

from vigie.test import Personas
from vigie.tests.browser.browser import PHONE
from vigie.tests.browser.conftest import OpenPage
from vigie.tests.browser.test_accessibility import is_html_page, opened_as, visits
from vigie.tests.test_access_matrix import PAGES, _fill
from vigie.tests.world import build_world

pytestmark = pytest.mark.browser

# What sticks out past the right edge, named so that a failure says where to look.
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) {
        return [];
    }
    return [...document.querySelectorAll("body *")]
        .filter(element => element.getBoundingClientRect().right > width + 1)
        .slice(0, 5)
        .map(element => element.tagName.toLowerCase()
             + (element.className && typeof element.className === "string"
                ? "." + element.className.trim().split(/\\s+/).join(".") : "")
             + " (" + Math.round(element.getBoundingClientRect().right) + " px)");
}"""


def test_it_fits_every_page_on_a_phone_screen(
    open_page: OpenPage, personas: Personas, live_server: LiveServer
) -> None:
    world = build_world(personas)
    pages = {}
    too_wide: list[str] = []
    seen = 0
    for visit in visits():
        if visit.persona not in pages:
            pages[visit.persona] = opened_as(
                open_page, world, visit.persona, live_server, "fr", "light", viewport=PHONE
            )
        page = pages[visit.persona]
        address = "/" + _fill(visit.route, world.values, PAGES.get(visit.route)) + visit.query
        probe = page.context.request.get(address, max_redirects=0, timeout=30_000)
        if not is_html_page(probe.headers.get("content-type", ""), probe.text()):
            continue
        page.goto(address)
        seen += 1
        if sticking_out := page.evaluate(OVERFLOW):
            too_wide.append(f"{visit.persona} {address}: {', '.join(sticking_out)}")

    assert seen > 50
    assert not too_wide, f"{len(too_wide)} of {seen} pages scroll sideways:\n" + "\n".join(too_wide)
