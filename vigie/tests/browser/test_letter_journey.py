"""Bob, whose letter is in the post, sees when to expect it and where to type its code."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from vigie.test import Personas, run_tasks
from vigie.tests.browser.browser import check_accessibility, log_in, screenshot
from vigie.tests.browser.conftest import OpenPage
from vigie.verification.actions import do_mark_letters_posted, do_request_letter
from vigie.verification.models import LetterReason

pytestmark = pytest.mark.browser


def test_it_tells_a_newcomer_when_his_letter_should_arrive(
    open_page: OpenPage, personas: Personas
) -> None:
    letter = do_request_letter(personas.bob, reason=LetterReason.SIGN_UP, acting_user=personas.bob)
    run_tasks()
    letter.refresh_from_db()
    do_mark_letters_posted([letter], acting_user=None)

    page = open_page()
    log_in(page, personas.bob)
    page.goto("/activer/")
    expect(page.get_by_role("heading", name="Vérifier mon adresse", level=1)).to_be_visible()
    expect(page.get_by_text("Votre courrier a été posté le", exact=False)).to_be_visible()
    expect(page.get_by_label("Code reçu par courrier")).to_be_visible()
    screenshot(page, "letter-on-its-way")
    check_accessibility(page)
