"""Alice turns on two-step verification from her account, then logs in again with her app."""

from __future__ import annotations

import base64
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from vigie.test import PASSWORD, Personas
from vigie.tests.browser.browser import check_accessibility, log_in, screenshot
from vigie.tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser


def code_for(secret: str) -> str:
    """What her authenticator app shows for the key the page gave her."""
    return f"{TOTP(base64.b32decode(secret.replace(' ', ''))).token():06d}"


def test_it_lets_a_resident_enrol_a_second_factor_and_log_in_with_it(
    open_page: OpenPage, personas: Personas
) -> None:
    page = open_page()
    log_in(page, personas.alice)
    page.goto("/compte/double-authentification/")
    check_accessibility(page)
    page.get_by_role("link", name="Activer la validation en deux étapes").click()
    check_accessibility(page)
    page.get_by_role("button", name="Commencer").click()
    expect(
        page.get_by_role("heading", name="Configurez votre application", level=1)
    ).to_be_visible()
    check_accessibility(page)
    screenshot(page, "two-factor-enrol")
    secret = page.locator("code.secret").inner_text()
    page.get_by_label("Code", exact=True).fill(code_for(secret))
    page.get_by_role("button", name="Activer").click()
    check_accessibility(page)

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()
    # The code she just used is spent: the next one comes with the next 30-second step.
    time.sleep(30 - time.time() % 30 + 1)
    page.goto("/connexion/")
    page.get_by_label("Adresse e-mail").fill(personas.alice.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Validation en deux étapes")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Code", exact=False).first.fill(code_for(secret))
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
