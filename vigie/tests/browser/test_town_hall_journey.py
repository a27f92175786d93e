"""Hélène orders a plan for her town hall, pays on the bank's page, gets the invoice, cancels."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from vigie.municipalities.models import Subscription
from vigie.payments.models import Invoice
from vigie.test import Personas, town_hall
from vigie.tests.browser.browser import DESKTOP, check_accessibility, log_in, screenshot
from vigie.tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser


def test_it_lets_a_town_hall_pay_its_plan_through_the_test_bank_then_cancel_it(
    open_page: OpenPage, personas: Personas
) -> None:
    page = open_page(viewport=DESKTOP)
    log_in(page, personas.townhall, second_factor=True)
    page.get_by_role("link", name="Mairie").click()
    check_accessibility(page)
    page.get_by_role("link", name="Abonnement et factures").first.click()
    check_accessibility(page)
    page.get_by_label("Bourg (jusqu’à 10 000 habitants)").check()
    page.get_by_label("annuelle").check()
    page.get_by_role("button", name="Commander et payer").click()
    check_accessibility(page)
    page.get_by_role("button", name="Aller sur la page de paiement de la banque").click()
    # The bank's page (here Vigie's local stand-in) asks for the money, not Vigie.
    expect(page).to_have_url("/banque-test/paiement.cgi")
    expect(page.get_by_text("948.00EUR")).to_be_visible()
    screenshot(page, "test-bank")
    check_accessibility(page)
    page.get_by_role("button", name="Payer (test)").click()
    expect(page.get_by_text("payée")).to_be_visible()
    check_accessibility(page)

    invoice = Invoice.objects.get(order__town_hall=town_hall())
    page.get_by_role("link", name="Retour à l’espace de la mairie").click()
    page.get_by_role("link", name="Abonnement et factures").first.click()
    expect(page.get_by_role("link", name=f"Facture {invoice.number}", exact=False)).to_be_visible()
    screenshot(page, "subscription-paid")
    link = page.get_by_role("link", name=f"Facture {invoice.number}", exact=False)
    # Fetched with her session rather than opened: Chromium would show it in its PDF viewer.
    pdf = page.request.get(str(link.get_attribute("href")))
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # Cancelling asks for a ticked box first; then it runs to the end of the period paid.
    cancel = page.get_by_role("button", name="Résilier (effet à la fin de la période payée)")
    cancel.click()
    expect(page.get_by_role("status")).to_contain_text("Cochez la case")
    assert Subscription.objects.get(town_hall=town_hall()).cancelled_at is None
    page.get_by_label("Je confirme").check()
    cancel.click()
    expect(page.get_by_role("status")).to_contain_text("Abonnement résilié")
    expect(page.get_by_text("plus rien ne vous sera demandé")).to_be_visible()
    check_accessibility(page)
    subscription = Subscription.objects.get(town_hall=town_hall())
    assert subscription.cancelled_at is not None
    assert subscription.paid_until > subscription.cancelled_at
