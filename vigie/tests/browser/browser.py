"""Helpers for the browser journeys: accessibility checks, screenshots, logging in.

The fixtures (the browser, a live server, a page that records its requests) are in
this folder's conftest.py; these are the steps the journeys share.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Locator, Page, ViewportSize, expect

from vigie import settings as configured
from vigie.accounts.models import User
from vigie.test import PASSWORD, totp_code

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(settings.BASE_DIR) / "vigie" / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
# WCAG 2.1 A and AA, which RGAA 4 follows; and axe's best practices, where it files some of
# what RGAA asks besides (one main landmark, content inside landmarks, heading order).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Enough stops to cross the menu and a form, few enough to fail fast on a focus trap.
MOST_TAB_STOPS = 60
PHONE: ViewportSize = {"width": 360, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


def check_accessibility(page: Page) -> None:
    """axe-core finds no WCAG 2.1 A or AA violation on the page as it is now."""
    violations = run_axe(page)
    assert not violations, f"axe found violations on {page.url}:\n" + describe(violations)


def run_axe(page: Page) -> list[dict[str, object]]:
    # Not page.add_script_tag: the CSP (nonces, no 'unsafe-inline') rightly refuses the inline
    # script it makes. Evaluated through the DevTools protocol, axe runs in the page as
    # served, under its real policy, with no need for bypass_csp.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source() + "\n;0")
    violations: list[dict[str, object]] = page.evaluate(
        """tags => axe.run(document, {runOnly: {type: "tag", values: tags},
                                      resultTypes: ["violations"]})
                  .then(results => results.violations)""",
        AXE_TAGS,
    )
    return violations


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def describe(violations: list[dict[str, object]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        nodes = violation["nodes"]
        assert isinstance(nodes, list)
        for node in nodes[:5]:
            lines.append(f"    {node['target']}: {str(node['failureSummary']).splitlines()[-1]}")
            lines.append(f"      {str(node['html'])[:160]}")
    return "\n".join(lines)


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG in VIGIE_DATA_DIR/screenshots/, for people to look at."""
    # The settings module's own value: each test points settings.DATA_DIR at its temporary
    # folder, which would bury the screenshots there.
    folder = configured.DATA_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page: Page, user: User, *, second_factor: bool = False) -> None:
    """Log in through the login page, as a person does (and the second factor if asked)."""
    page.goto("/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    if second_factor:
        expect(page.get_by_role("heading", name="Validation en deux étapes")).to_be_visible()
        page.get_by_label(re.compile("code", re.I)).first.fill(totp_code(user))
        page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    # Not the "Se connecter" link: the home page it lands on shows two (menu and content).
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until ``target`` has the focus, checking each stop is visibly marked."""
    for _ in range(MOST_TAB_STOPS):
        page.keyboard.press("Tab")
        outline = page.evaluate(
            """() => {
                const style = getComputedStyle(document.activeElement);
                return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
            }"""
        )
        focused = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
        assert outline, f"no visible focus on {focused}"
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} never got the focus in {MOST_TAB_STOPS} tab stops")
