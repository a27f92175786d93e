"""Alice sends an alert, Carol approves it from the moderation queue, Dave reads it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from vigie.alerts.actions import round_point
from vigie.alerts.models import Alert
from vigie.test import Personas, neighbourhood_a, run_tasks
from vigie.tests.browser.browser import DESKTOP, check_accessibility, log_in, screenshot
from vigie.tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser


def test_it_takes_an_alert_from_a_neighbour_through_the_team_to_the_others(
    open_page: OpenPage, personas: Personas
) -> None:
    alice = open_page()
    log_in(alice, personas.alice)
    alice.goto(f"/quartiers/{neighbourhood_a().pk}/")
    alice.get_by_role("link", name="Envoyer une alerte").click()
    # Emergency numbers come first.
    expect(alice.get_by_text("En cas d’urgence", exact=False).first).to_be_visible()
    screenshot(alice, "alert-emergency-numbers")
    check_accessibility(alice)
    alice.get_by_role("link", name="Rédiger mon alerte").click()
    check_accessibility(alice)
    alice.get_by_label("De quoi s’agit-il ?").select_option("suspicious_behaviour")
    alice.get_by_label("Rue ou lieu").fill("Rue des Lilas")
    alice.get_by_label("Ce qui s’est passé").fill("Quelqu’un essaie d’ouvrir les portails.")
    alice.get_by_label("Personne vue : ce qu’elle a fait").fill("Essaie chaque portail")
    alice.get_by_label("Personne vue : vêtements").fill("Veste rouge, casquette")
    alice.get_by_label("Personne vue : direction prise").fill("Vers la place")
    # A click on the map (drawn with no tiles at all) sets the point the server rounds.
    alice.locator("#map .leaflet-overlay-pane path").first.wait_for()
    alice.locator("#map").click()
    assert alice.locator("input[name=longitude]").input_value() != ""
    picked = (
        float(alice.locator("input[name=longitude]").input_value()),
        float(alice.locator("input[name=latitude]").input_value()),
    )
    screenshot(alice, "alert-form")
    alice.get_by_role("button", name="Envoyer l’alerte").click()
    expect(alice.get_by_role("status")).to_contain_text("Votre alerte a été transmise à l’équipe")
    check_accessibility(alice)

    carol = open_page(viewport=DESKTOP)
    log_in(carol, personas.carol, second_factor=True)
    carol.goto("/equipe/moderation/")
    check_accessibility(carol)
    carol.get_by_role("link", name="Ouvrir").first.click()
    check_accessibility(carol)
    screenshot(carol, "moderation-alert")
    carol.get_by_role("button", name="Accepter : prévenir tous les voisins").click()
    check_accessibility(carol)
    run_tasks()

    dave = open_page()
    log_in(dave, personas.dave)
    dave.get_by_role("link", name="Boîte de réception").click()
    notice = dave.locator("article.notice").filter(has_text="portails")
    expect(notice).to_be_visible()
    screenshot(dave, "inbox-alert")
    check_accessibility(dave)
    notice.get_by_role("link").click()
    expect(dave.get_by_text("Veste rouge, casquette")).to_be_visible()
    check_accessibility(dave)
    # Dave's map shows the neighbourhood's boundary and the alert's point, a 50 m circle.
    alert = Alert.objects.get()
    assert (alert.longitude, alert.latitude) == round_point(*picked)
    shapes = dave.locator("#map .leaflet-overlay-pane path")
    expect(shapes).to_have_count(2)
    expect(dave.locator('#map path[stroke="#b3261e"]')).to_have_count(1)
