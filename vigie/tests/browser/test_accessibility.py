"""axe-core finds no WCAG 2.1 A or AA violation on the main pages, in French and in English."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from vigie.communities.models import Membership
from vigie.posts.actions import PostInput, do_create_post
from vigie.test import Personas, neighbourhood_a
from vigie.tests.browser.browser import DESKTOP, describe, log_in, run_axe
from vigie.tests.browser.conftest import ColorScheme, OpenPage

pytestmark = pytest.mark.browser

ANONYMOUS = [
    "/",
    "/inscription/",
    "/connexion/",
    "/mot-de-passe-oublie/",
    "/conditions/",
    "/confidentialite/",
    "/mentions-legales/",
]
RESIDENT = [
    "/quartiers/{a}/",
    "/publications/{post}/",
    "/quartiers/{a}/publier/",
    "/quartiers/{a}/alerte/",
    "/quartiers/{a}/alerte/?ecrire=1",
    "/quartiers/{a}/alertes/",
    "/quartiers/{a}/voisins/",
    "/quartiers/{a}/moderation/",
    "/boite/",
    "/activer/",
    "/compte/",
    "/compte/adresse/",
    "/compte/mot-de-passe/",
    "/compte/email/",
    "/compte/notifications/",
    "/compte/sessions/",
    "/compte/jetons/",
    "/compte/double-authentification/",
    "/compte/decisions/",
    "/compte/signalements/",
    "/compte/donnees/",
    "/compte/supprimer/",
]
TEAM = [
    "/equipe/",
    "/equipe/moderation/",
    "/equipe/moderation/tableau/",
    "/equipe/quartiers/",
    "/equipe/quartiers/nouveau/",
    "/equipe/adresses/",
    "/equipe/violations/",
    "/equipe/mairies/",
]


# English in the dark scheme: each language and each palette once, for the time of two runs.
@pytest.mark.parametrize(("language", "scheme"), [("fr", "light"), ("en", "dark")])
def test_it_finds_no_accessibility_violation_on_the_main_pages(
    open_page: OpenPage, personas: Personas, language: str, scheme: ColorScheme
) -> None:
    a = neighbourhood_a()
    post = do_create_post(
        Membership.objects.get(user=personas.alice, community=a),
        data=PostInput(kind="information", title="Fête des voisins", body="Samedi, au square."),
    )
    values = {"a": a.pk, "post": post.pk}
    found: list[str] = []

    anonymous = open_page(color_scheme=scheme)
    choose_language(anonymous, language)
    found += audit(anonymous, ANONYMOUS, values)

    alice = open_page(color_scheme=scheme)
    log_in(alice, personas.alice)
    choose_language(alice, language)
    found += audit(alice, RESIDENT, values)

    carol = open_page(viewport=DESKTOP, color_scheme=scheme)
    log_in(carol, personas.carol, second_factor=True)
    choose_language(carol, language)
    found += audit(carol, TEAM, values)

    assert not found, "\n".join(found)


def choose_language(page: Page, language: str) -> None:
    """With the footer's language menu, as a visitor does."""
    page.goto("/")
    page.locator("#language-select").select_option(language)
    page.locator(".language-form button").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def audit(page: Page, paths: list[str], values: dict[str, int]) -> list[str]:
    found = []
    for path in paths:
        address = path.format(**values)
        response = page.goto(address)
        assert response is not None
        assert response.ok, f"{address}: {response.status}"
        if violations := run_axe(page):
            found.append(f"{address}:\n{describe(violations)}")
    return found
