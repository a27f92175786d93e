"""With only a keyboard, Alice sends an alert and Carol approves it: a visible focus all along."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from vigie.alerts.models import Alert, State
from vigie.test import Personas, neighbourhood_a
from vigie.tests.browser.browser import (
    DESKTOP,
    check_accessibility,
    log_in,
    screenshot,
    tab_to,
)
from vigie.tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser


def test_it_lets_keyboard_users_send_and_approve_an_alert(
    open_page: OpenPage, personas: Personas
) -> None:
    alice = open_page()
    log_in(alice, personas.alice)
    alice.goto(f"/quartiers/{neighbourhood_a().pk}/")

    tab_to(alice, alice.get_by_role("link", name="Envoyer une alerte"))
    with alice.expect_navigation():
        alice.keyboard.press("Enter")
    tab_to(alice, alice.get_by_role("link", name="Rédiger mon alerte"))
    with alice.expect_navigation():
        alice.keyboard.press("Enter")
    category = alice.get_by_label("De quoi s’agit-il ?")
    tab_to(alice, category)
    # A closed list moves to its next choice with the arrow key, as screen readers expect.
    alice.keyboard.press("ArrowDown")
    chosen = category.input_value()
    assert chosen != ""
    tab_to(alice, alice.get_by_label("Rue ou lieu"))
    alice.keyboard.type("Place de l’Église")
    tab_to(alice, alice.get_by_label("Ce qui s’est passé"))
    alice.keyboard.type("Un camion sans plaque charge des vélos devant l’église.")
    send = alice.get_by_role("button", name="Envoyer l’alerte")
    tab_to(alice, send)
    screenshot(alice, "keyboard-alert")
    alice.keyboard.press("Enter")
    expect(alice.get_by_role("status")).to_contain_text("Votre alerte a été transmise à l’équipe")
    alert = Alert.objects.get()
    assert (alert.author_id, alert.place, alert.category) == (
        personas.alice.pk,
        "Place de l’Église",
        chosen,
    )

    carol = open_page(viewport=DESKTOP)
    log_in(carol, personas.carol, second_factor=True)
    carol.goto("/equipe/moderation/")
    tab_to(carol, carol.get_by_role("link", name="Ouvrir").first)
    with carol.expect_navigation():
        carol.keyboard.press("Enter")
    approve = carol.get_by_role("button", name="Accepter : prévenir tous les voisins")
    tab_to(carol, approve)
    carol.keyboard.press("Enter")
    expect(carol.get_by_role("status")).to_be_visible()
    check_accessibility(carol)
    alert.refresh_from_db()
    assert alert.state == State.APPROVED
