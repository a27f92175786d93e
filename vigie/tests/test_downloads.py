"""Every file Vigie serves for download is named by the server, from a strict pattern."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from vigie.municipalities.models import Subscription
from vigie.payments.models import Invoice
from vigie.payments.tests.test_notifications import an_order, bank_says
from vigie.privacy.models import DataExport
from vigie.test import PASSWORD, Personas, log_in_as, run_tasks, town_hall

pytestmark = pytest.mark.django_db

# The whole header: a disposition, then one quoted ASCII name built by Vigie; nothing else.
SAFE_DISPOSITION = re.compile(r'(attachment|inline); filename="[a-z0-9][a-z0-9-]*\.(pdf|csv|zip)"')


def disposition(answer: object) -> str:
    value = answer["Content-Disposition"]  # type: ignore[index]
    assert isinstance(value, str)
    value.encode("ascii")  # ASCII only: no header injection, no encoding surprises
    return value


def test_it_names_the_invoice_pdf_from_its_number_only(personas: Personas) -> None:
    order = an_order(personas)
    bank_says(order)
    invoice = Invoice.objects.get()
    helene = log_in_as(Client(), personas.townhall, second_factor=True)

    answer = helene.get(f"/mairie/{order.town_hall_id}/factures/{invoice.number}.pdf")
    forged = helene.get(f'/mairie/{order.town_hall_id}/factures/{invoice.number}";x=y.pdf')

    assert answer.status_code == 200
    assert SAFE_DISPOSITION.fullmatch(disposition(answer))
    assert disposition(answer) == f'inline; filename="facture-{invoice.number}.pdf"'
    assert forged.status_code == 404
    assert not forged.has_header("Content-Disposition")


def test_it_names_the_town_hall_export_from_its_insee_code_only(personas: Personas) -> None:
    commune = town_hall()
    Subscription.objects.create(
        town_hall=commune,
        plan="bourg",
        period="yearly",
        paid_until=timezone.now() + timedelta(days=9),
    )
    helene = log_in_as(Client(), personas.townhall, second_factor=True)

    answer = helene.get(f"/mairie/{commune.pk}/export.csv?filename=../../evil.html")

    assert answer.status_code == 200
    assert disposition(answer) == 'attachment; filename="vigie-99101.csv"'
    assert SAFE_DISPOSITION.fullmatch(disposition(answer))


def test_it_names_the_copy_of_personal_data_the_same_whatever_is_asked(
    personas: Personas,
) -> None:
    alice = log_in_as(Client(), personas.alice)
    asked = alice.post("/api/v1/me/export", {"password": PASSWORD}, content_type="application/json")
    run_tasks()
    from_api = alice.get(f"/api/v1/me/export/{asked.json()['id']}/download?filename=evil.html")
    alice.post("/compte/donnees/", {"password": PASSWORD})
    run_tasks()
    again = DataExport.objects.filter(user=personas.alice).latest("pk")
    from_page = alice.post(
        f"/compte/donnees/copies/{again.pk}/telecharger/", {"filename": "x.html"}
    )

    assert from_api.status_code == from_page.status_code == 200
    assert disposition(from_api) == 'attachment; filename="vigie-my-data.zip"'
    assert disposition(from_page) == 'attachment; filename="vigie-mes-donnees.zip"'
    for answer in (from_api, from_page):
        assert SAFE_DISPOSITION.fullmatch(disposition(answer))
        assert answer["Content-Type"] == "application/zip"
