"""Alice, with only a keyboard, writes a post: every stop shows where the focus is."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from vigie.posts.models import Post
from vigie.test import Personas, neighbourhood_a
from vigie.tests.browser.browser import check_accessibility, log_in, screenshot, tab_to
from vigie.tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser


def test_it_lets_a_keyboard_user_write_a_post_and_see_the_focus_at_each_stop(
    open_page: OpenPage, personas: Personas
) -> None:
    page = open_page()
    log_in(page, personas.alice)
    page.goto(f"/quartiers/{neighbourhood_a().pk}/publier/")

    tab_to(page, page.get_by_label("Titre"))
    page.keyboard.type("Perceuse à prêter")
    tab_to(page, page.get_by_label("Texte"))
    page.keyboard.type("Elle est au 12, passez quand vous voulez.")
    screenshot(page, "keyboard-post")
    check_accessibility(page)
    tab_to(page, page.get_by_role("button", name="Publier"))
    page.keyboard.press("Enter")

    expect(page.get_by_text("Perceuse à prêter").first).to_be_visible()
    post = Post.objects.get(title="Perceuse à prêter")
    assert (post.author_id, post.kind) == (personas.alice.pk, "information")
