"""A visitor with only a keyboard: the skip link, the form, its errors tied to their fields."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from vigie.tests.browser.browser import check_accessibility, screenshot

pytestmark = pytest.mark.browser


def test_it_lets_a_keyboard_user_skip_to_the_form_and_hear_its_errors(page: Page) -> None:
    page.goto("/inscription/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next stop is the content, not the menu again.
    page.keyboard.press("Tab")
    expect(page.locator("main a").first).to_be_focused()

    submit = page.get_by_role("button", name="Créer mon compte")
    for _ in range(60):
        if submit.evaluate("button => button === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(submit).to_be_focused()
    page.keyboard.press("Enter")

    invalid = page.locator("[aria-invalid=true]")
    expect(invalid.first).to_be_visible()
    for field in invalid.all():
        # Each error is read with its field: the field names it in aria-describedby.
        described_by = str(field.get_attribute("aria-describedby")).split()
        errors = [name for name in described_by if name.endswith("_errors")]
        assert errors, f"{field.get_attribute('name')} has no error tied to it"
        expect(page.locator(f"#{errors[0]}")).not_to_be_empty()
    screenshot(page, "sign-up-errors")
    check_accessibility(page)
