"""The bank's notifications: paid, refused, repeated, forged, wrong; invoices without gaps."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.test import Client
from pypdf import PdfReader

from vigie.municipalities.models import Subscription
from vigie.payments import monetico
from vigie.payments.actions import do_create_order
from vigie.payments.models import Invoice, Notification, Order
from vigie.payments.testbank import notification_fields
from vigie.test import Personas, log_in_as, town_hall

pytestmark = pytest.mark.django_db


def an_order(personas: Personas, plan: str = "bourg", period: str = "yearly") -> Order:
    return do_create_order(
        town_hall(),
        plan_code=plan,
        period=period,
        acting_user=personas.townhall,
    )


def bank_says(order: Order, *, accepted: bool = True, **changes: str) -> tuple[int, str]:
    fields = notification_fields(
        {
            "TPE": settings.MONETICO_TPE,
            "montant": monetico.amount(order.total_cents),
            "reference": order.reference,
            "texte-libre": "Vigie 99101",
        },
        accepted=accepted,
    )
    fields.update(changes)
    if changes and "MAC" not in changes:
        fields["MAC"] = monetico.seal(fields, settings.MONETICO_KEY)
    answer = Client().post("/payments/monetico/notify", fields)
    return answer.status_code, answer.content.decode()


def test_it_marks_an_order_paid_once_and_answers_the_bank_exactly(personas: Personas) -> None:
    order = an_order(personas)

    first = bank_says(order)
    again = bank_says(order)

    order.refresh_from_db()
    assert first == again == (200, "version=2\ncdr=0\n")
    assert order.state == "paid"
    assert order.bank_code == "payetest"
    assert Invoice.objects.count() == 1
    assert list(Notification.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "paid",
        "repeat",
    ]
    subscription = Subscription.objects.get(town_hall=order.town_hall)
    assert subscription.plan == "bourg"
    assert subscription.is_active()


def test_it_records_a_refusal_and_issues_no_invoice(personas: Personas) -> None:
    order = an_order(personas)

    answer = bank_says(order, accepted=False)

    order.refresh_from_db()
    assert answer == (200, "version=2\ncdr=0\n")
    assert order.state == "refused"
    assert not Invoice.objects.exists()
    assert not Subscription.objects.exists()


def test_it_refuses_a_forged_seal_and_changes_nothing(personas: Personas) -> None:
    order = an_order(personas)

    answer = bank_says(order, MAC="0" * 40)

    order.refresh_from_db()
    assert answer == (200, "version=2\ncdr=1\n")
    assert order.state == "awaiting"
    assert Notification.objects.get().outcome == "bad_seal"


def test_it_keeps_an_order_unchanged_for_a_wrong_amount_or_an_unknown_reference(
    personas: Personas,
) -> None:
    order = an_order(personas)

    wrong_amount = bank_says(order, montant="1.00EUR")
    unknown = bank_says(order, reference="VIGUNKNOWN")

    order.refresh_from_db()
    assert wrong_amount == unknown == (200, "version=2\ncdr=0\n")  # the seal was right
    assert order.state == "awaiting"
    assert sorted(Notification.objects.values_list("outcome", flat=True)) == [
        "unknown_reference",
        "wrong_amount",
    ]


def test_it_ignores_an_old_refusal_replayed_after_the_payment(personas: Personas) -> None:
    order = an_order(personas)
    bank_says(order)

    replayed = bank_says(order, accepted=False)

    order.refresh_from_db()
    assert replayed == (200, "version=2\ncdr=0\n")
    assert order.state == "paid"
    assert Notification.objects.order_by("-pk").first().outcome == "late"  # type: ignore[union-attr]


def test_it_never_marks_an_order_paid_from_the_buyers_return(personas: Personas) -> None:
    order = an_order(personas)

    page = Client().get(f"/paiement/retour/?reference={order.reference}")

    order.refresh_from_db()
    assert page.status_code == 200
    assert order.state == "awaiting"
    assert not Invoice.objects.exists()


def test_it_numbers_invoices_without_a_gap_even_when_a_payment_fails(personas: Personas) -> None:
    first, failing, second = an_order(personas), an_order(personas), an_order(personas)

    bank_says(first)
    bank_says(failing, accepted=False)
    bank_says(failing, MAC="bad")
    bank_says(second)

    numbers = list(Invoice.objects.order_by("sequence").values_list("sequence", "order"))
    assert numbers == [(1, first.pk), (2, second.pk)]


def test_it_prints_the_mentions_a_french_invoice_requires(personas: Personas) -> None:
    order = an_order(personas)
    bank_says(order)
    invoice = Invoice.objects.get()
    helene = log_in_as(Client(), personas.townhall, second_factor=True)

    answer = helene.get(f"/mairie/{order.town_hall_id}/factures/{invoice.number}.pdf")

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert answer["Content-Type"] == "application/pdf"
    for mention in (
        f"FACTURE N° {invoice.number}",
        "Date d'émission",
        settings.SELLER_NAME,
        f"SIRET : {settings.SELLER_SIRET}",
        f"N° de TVA intracommunautaire : {settings.SELLER_VAT_NUMBER}",
        "Mairie de Bourg-lès-Vigies",
        "SIRET : 21990101000011",
        "Période : du",
        "Total HT : 790,00 €",
        "TVA 20 % : 158,00 €",
        "Total TTC : 948,00 €",
        "Facture acquittée le",
        "indemnité forfaitaire de 40 €",
    ):
        assert mention in text, mention
