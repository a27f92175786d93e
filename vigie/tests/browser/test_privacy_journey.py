"""Alice takes a copy of her data, then deletes her account and cannot log in any more."""

from __future__ import annotations

import zipfile

import pytest
from playwright.sync_api import expect

from vigie.accounts.models import User
from vigie.test import PASSWORD, Personas, run_tasks
from vigie.tests.browser.browser import check_accessibility, log_in, screenshot
from vigie.tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser


def test_it_lets_a_resident_take_her_data_then_delete_her_account(
    open_page: OpenPage, personas: Personas
) -> None:
    page = open_page()
    log_in(page, personas.alice)
    page.goto("/compte/")
    page.get_by_role("link", name="Mes données").last.click()
    check_accessibility(page)
    # She proves it is her again before anything leaves.
    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Demander une copie").click()
    expect(page.get_by_role("status")).to_be_visible()
    check_accessibility(page)
    run_tasks()
    page.reload()
    screenshot(page, "my-data")
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger").click()
    copy = download.value.path()
    with zipfile.ZipFile(copy) as archive:
        assert any(
            "alice@example.org" in archive.read(name).decode(errors="ignore")
            for name in archive.namelist()
        )

    page.get_by_role("link", name="Supprimer mon compte").last.click()
    check_accessibility(page)
    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_label("Les conserver pour mes voisins", exact=False).check()
    page.get_by_label("Je comprends que mon compte", exact=False).check()
    screenshot(page, "delete-account")
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page).to_have_url("/compte/supprime/")
    check_accessibility(page)
    assert not User.objects.filter(email="alice@example.org").exists()

    page.goto("/connexion/")
    page.get_by_label("Adresse e-mail").fill("alice@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    check_accessibility(page)
