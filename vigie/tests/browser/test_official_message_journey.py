"""Hélène publishes an official message of her town hall; Alice reads it, marked as official."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from vigie.alerts.models import Alert
from vigie.municipalities.models import Subscription
from vigie.test import Personas, run_tasks, town_hall
from vigie.tests.browser.browser import DESKTOP, check_accessibility, log_in, screenshot
from vigie.tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser


def test_it_brings_an_official_message_from_the_town_hall_to_a_neighbour(
    open_page: OpenPage, personas: Personas
) -> None:
    # Official messages come with a plan; paying for one is the town hall journey's story.
    Subscription.objects.create(
        town_hall=town_hall(),
        plan="bourg",
        period="yearly",
        paid_until=timezone.now() + timedelta(days=100),
    )

    helene = open_page(viewport=DESKTOP)
    log_in(helene, personas.townhall, second_factor=True)
    helene.get_by_role("link", name="Mairie").click()
    expect(helene).to_have_url(f"/mairie/{town_hall().pk}/")
    check_accessibility(helene)
    helene.get_by_role("navigation", name="Mairie").get_by_role(
        "link", name="Messages officiels"
    ).click()
    check_accessibility(helene)
    helene.get_by_label("Objet").select_option("roads")
    helene.get_by_label("Rue ou lieu").fill("Rue des Lilas")
    helene.get_by_label("Message", exact=True).fill(
        "Coupure d’eau jeudi de 8 h à 12 h pour des travaux sur la conduite."
    )
    helene.get_by_label("Quartier des Lilas").check()
    screenshot(helene, "official-message-form")
    helene.get_by_role("button", name="Publier le message").click()
    expect(helene.get_by_role("status")).to_contain_text("en cours d’envoi aux voisins")
    expect(helene.get_by_role("listitem").filter(has_text="Coupure d’eau jeudi")).to_be_visible()
    check_accessibility(helene)
    run_tasks()

    alice = open_page()
    log_in(alice, personas.alice)
    alice.get_by_role("link", name="Boîte de réception").click()
    notice = alice.locator("article.notice").filter(has_text="Mairie de Bourg-lès-Vigies")
    expect(notice).to_contain_text("Coupure d’eau jeudi")
    check_accessibility(alice)
    notice.get_by_role("link").click()
    expect(alice.get_by_text("message officiel de la mairie")).to_be_visible()
    expect(alice.get_by_text("Coupure d’eau jeudi", exact=False)).to_be_visible()
    screenshot(alice, "official-message")
    check_accessibility(alice)

    assert Alert.objects.get().town_hall == town_hall()
