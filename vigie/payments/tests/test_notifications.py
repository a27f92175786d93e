"""The bank's notifications: paid, refused, repeated, forged, wrong; invoices without gaps."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader
from pytest_django.fixtures import Settings

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


def test_it_refuses_a_forged_seal_and_changes_nothing(
    personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    order = an_order(personas)

    with caplog.at_level("INFO", logger="vigie.security"):
        answer = bank_says(order, MAC="0" * 40)

    order.refresh_from_db()
    assert answer == (200, "version=2\ncdr=1\n")
    assert order.state == "awaiting"
    # Anyone can post to the notification address: an unsealed body is not
    # ours to keep, only the fact that it came, in the security log.
    assert not Notification.objects.exists()
    outcomes = [record.__dict__["security"]["outcome"] for record in caplog.records]
    assert outcomes == ["bad_seal"]


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
        "majoré de huit points",
        "Quantité : 1 — Prix unitaire HT : 790,00 €",
        settings.SELLER_LEGAL_FORM,
        settings.SELLER_RCS,
        "1 place de la Mairie",
        "99100 Bourg-lès-Vigies",
    ):
        assert mention in text, mention


def test_it_writes_nothing_for_a_forged_call_even_with_a_nul_byte(personas: Personas) -> None:
    answer = Client().post(
        "/payments/monetico/notify", {"reference": "VIG\x00X", "MAC": "0" * 40, "TPE": "x"}
    )

    assert answer.content.decode() == "version=2\ncdr=1\n"
    assert not Notification.objects.exists()


def test_it_refuses_a_notification_from_another_terminal(personas: Personas) -> None:
    order = an_order(personas)

    answer = bank_says(order, TPE="9999999")

    order.refresh_from_db()
    assert answer == (200, "version=2\ncdr=0\n")
    assert order.state == "awaiting"
    assert Notification.objects.get().outcome == "other_terminal"


def test_it_takes_no_test_card_for_real_money_in_production(
    personas: Personas, settings: Settings
) -> None:
    order = an_order(personas)
    settings.PRODUCTION = True

    answer = bank_says(order)  # code-retour "payetest"

    order.refresh_from_db()
    assert answer == (200, "version=2\ncdr=0\n")
    assert order.state == "awaiting"
    assert Notification.objects.get().outcome == "unknown_code"


def test_it_answers_the_bank_exactly_even_when_something_fails(personas: Personas) -> None:
    from unittest import mock

    order = an_order(personas)
    with mock.patch(
        "vigie.payments.actions._record_payment", side_effect=RuntimeError("disk full")
    ):
        answer = bank_says(order)

    order.refresh_from_db()
    assert answer == (200, "version=2\ncdr=1\n")  # the bank calls again
    assert order.state == "awaiting"
    assert not Invoice.objects.exists()


def test_it_dates_the_period_paid_to_the_day_before_the_next_one(personas: Personas) -> None:
    from datetime import timedelta

    order = an_order(personas, period="monthly")
    bank_says(order)

    invoice = Invoice.objects.get()
    subscription = Subscription.objects.get()
    # The invoice's dates are French dates: at 23:30 UTC it is already tomorrow in Paris.
    last_day = timezone.localtime(subscription.paid_until - timedelta(days=1)).date()
    assert invoice.period_end == last_day
