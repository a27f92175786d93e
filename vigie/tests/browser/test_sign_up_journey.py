"""A newcomer signs up, confirms her e-mail, enters the code of her letter and posts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from vigie.accounts.tests.helpers import mailed_link
from vigie.test import run_tasks
from vigie.tests.browser.browser import check_accessibility, screenshot
from vigie.verification.tests.helpers import code_in, spooled_pdfs

PASSWORD = "Tournesol-jaune-42!"

pytestmark = pytest.mark.browser


@pytest.mark.usefixtures("address_reference", "personas")
def test_it_takes_a_newcomer_from_sign_up_to_her_first_post(page: Page) -> None:
    page.goto("/inscription/")
    check_accessibility(page)
    page.get_by_label("Prénom").fill("Jeanne")
    page.get_by_label("Nom", exact=True).fill("Dupont")
    page.get_by_label("Adresse e-mail").fill("jeanne@example.org")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    page.get_by_role("textbox", name="Votre adresse de domicile").press_sequentially(
        "40 rue des lil"
    )
    # The suggestions come as she types.
    page.get_by_label("40 Rue des Lilas", exact=False).check()
    page.get_by_label("accepte les conditions", exact=False).check()
    screenshot(page, "sign-up")
    check_accessibility(page)
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check_accessibility(page)

    run_tasks()
    page.goto(mailed_link(to="jeanne@example.org"))
    check_accessibility(page)
    page.get_by_role("button").filter(has_text="Confirmer").click()
    # Confirmed, she logs in for the first time.
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Adresse e-mail").fill("jeanne@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    run_tasks()
    [letter] = spooled_pdfs()

    page.goto("/activer/")
    check_accessibility(page)
    page.get_by_label("Code reçu par courrier").fill(code_in(letter))
    screenshot(page, "activation")
    page.get_by_role("button", name="Vérifier mon adresse").click()
    check_accessibility(page)

    # One neighbourhood: "My neighbourhood" opens it.
    page.get_by_role("link", name="Mon quartier").click()
    expect(page.get_by_role("heading", name="Quartier des Lilas", level=1)).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Écrire un message").click()
    check_accessibility(page)
    page.get_by_label("Titre").fill("Perceuse à prêter")
    page.get_by_label("Texte").fill("Je prête ma perceuse le week-end, passez au 40.")
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text("Perceuse à prêter").first).to_be_visible()
    page.get_by_role("link", name="Mon quartier").click()
    expect(page.get_by_role("heading", name="Perceuse à prêter")).to_be_visible()
    screenshot(page, "feed")
    check_accessibility(page)
