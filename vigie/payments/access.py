"""Reads on a town hall agent's behalf: their commune's orders and invoices; and the
signed form that sends the buyer to the bank."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from vigie.accounts.models import User
from vigie.lib.errors import NotFound
from vigie.municipalities.models import TownHall
from vigie.payments import monetico
from vigie.payments.models import Invoice, Order


def orders_of(town_hall: TownHall) -> QuerySet[Order]:
    return Order.objects.filter(town_hall=town_hall).order_by("-created_at")


def invoices_of(town_hall: TownHall) -> QuerySet[Invoice]:
    return Invoice.objects.filter(order__town_hall=town_hall).select_related("order")


def access_order(town_hall: TownHall, order_id: int) -> Order:
    found = orders_of(town_hall).filter(pk=order_id).first()
    if found is None:
        raise NotFound()
    return found


def access_invoice(town_hall: TownHall, number: str) -> Invoice:
    found = invoices_of(town_hall).filter(number=number).first()
    if found is None:
        raise NotFound()
    return found


def order_by_reference(reference: str) -> Order | None:
    """For the buyer's return page: it shows, never changes, an order's state."""
    return Order.objects.select_related("town_hall").filter(reference=reference[:50]).first()


def terminal() -> monetico.Terminal:
    return monetico.Terminal(
        tpe=settings.MONETICO_TPE,
        key=settings.MONETICO_KEY,
        company=settings.MONETICO_COMPANY,
        payment_url=settings.MONETICO_PAYMENT_URL,
    )


def payment_form(order: Order, *, payer: User, language: str) -> monetico.PaymentForm:
    """What the agent's browser posts to the bank's hosted page (no card field, ever)."""
    town_hall = order.town_hall
    lines = [line for line in town_hall.billing_address.splitlines() if line.strip()]
    returned = f"{settings.BASE_URL}{reverse('payments:returned')}?reference={order.reference}"
    return monetico.payment_form(
        terminal(),
        reference=order.reference,
        total_cents=order.total_cents,
        created_at=order.created_at,
        language=language,
        email=payer.email,
        free_text=f"Vigie {town_hall.insee_code}",
        billing=monetico.Billing(
            first_name=payer.first_name,
            last_name=payer.last_name,
            address_line=(lines[0] if lines else town_hall.billing_name)[:50],
            city=town_hall.billing_city,
            postal_code=town_hall.billing_postcode,
            email=payer.email,
        ),
        return_ok=returned,
        return_error=returned + "&erreur=1",
    )
