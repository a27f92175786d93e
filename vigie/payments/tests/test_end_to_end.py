"""An order paid end to end: the console, the test bank's page, its notification, the invoice."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from vigie.municipalities.models import Subscription
from vigie.payments.models import Invoice, Order
from vigie.test import log_in_as, make_personas, town_hall


@pytest.mark.django_db(transaction=True)
def test_it_pays_an_order_through_the_test_bank_and_activates_the_subscription(
    live_server: LiveServer, settings: Settings
) -> None:
    # The test bank posts its notification server to server: to this live server.
    settings.MONETICO_NOTIFY_URL = f"{live_server.url}/payments/monetico/notify"
    personas = make_personas()
    commune = town_hall()
    helene = log_in_as(Client(), personas.townhall, second_factor=True)

    page = helene.post(
        f"/mairie/{commune.pk}/abonnement/", {"plan": "bourg", "period": "yearly"}
    ).content.decode()
    action = re.search(r'<form method="post" action="([^"]+paiement\.cgi)"', page)
    form = page[page.index("paiement.cgi") :]
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
        if name != "csrfmiddlewaretoken"
    }
    assert action is not None
    # No card field, ever: the bank's page asks for the card. (Names and autocomplete
    # hints, not a bare substring: a random CSRF token may well contain "cvv".)
    field_names = re.findall(r'<input[^>]*name="([^"]+)"', page)
    assert not [name for name in field_names if re.search(r"card|carte|cvv|cvc|cc-", name, re.I)]
    assert 'autocomplete="cc-' not in page
    assert "numero" not in page.lower()
    bank_page = Client().post(urlsplit(action.group(1)).path, fields)
    paid = Client().post("/banque-test/payer/", {**fields, "decision": "pay"})

    order = Order.objects.get()
    assert bank_page.status_code == 200
    assert "948.00EUR" in bank_page.content.decode()
    assert paid.status_code == 302
    assert paid["Location"].endswith(f"/paiement/retour/?reference={order.reference}")
    assert order.state == "paid"
    invoice = Invoice.objects.get(order=order)
    assert invoice.total_cents == 94_800
    assert Subscription.objects.get(town_hall=commune).is_active()
    console = helene.get(f"/mairie/{commune.pk}/abonnement/").content.decode()
    assert invoice.number in console
