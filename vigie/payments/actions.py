"""Writers for payments: an order, the bank's notification about it, the invoice it earns.

Only the bank's server-to-server notification, with a valid seal, the right
amount and a known reference, marks an order paid; the buyer's return to the
site changes nothing. A notification received twice counts once. Invoice
numbers are taken in the payment's own transaction, so a failure leaves no gap.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import User
from vigie.audit import events as audit
from vigie.lib.errors import InvalidInput
from vigie.municipalities.models import Period, Subscription, TownHall
from vigie.municipalities.plans import VAT_RATE_PERCENT, plan, plans_for, vat_cents
from vigie.payments import monetico
from vigie.payments.models import Invoice, InvoiceCounter, Notification, Order, OrderState

_REFERENCE_ALPHABET = string.ascii_uppercase + string.digits


def _new_reference() -> str:
    # Alphanumeric only, as the bank advises; never a guessable sequence.
    return "VIG" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _position in range(14))


@transaction.atomic
def do_create_order(
    town_hall: TownHall, *, plan_code: str, period: str, acting_user: User
) -> Order:
    """An order for one period of a plan the commune's size allows, waiting for the bank."""
    allowed = {found.code: found for found in plans_for(town_hall.population)}
    chosen = allowed.get(plan_code)
    errors: dict[str, list[object]] = {}
    if chosen is None:
        errors["plan"] = [_("Choose one of the plans offered to your commune.")]
    if period not in Period.values:
        errors["period"] = [_("Choose a monthly or a yearly subscription.")]
    subscription = Subscription.objects.filter(town_hall=town_hall).first()
    waiting = subscription.waiting_change() if subscription else None
    if waiting is not None and chosen is not None and waiting[0] != chosen.code:
        # One change of plan at a time: the period already paid for keeps its plan.
        next_plan, changes_at = waiting
        when = formats.date_format(timezone.localtime(changes_at), "DATE_FORMAT")
        name = getattr(plan(next_plan), "name", next_plan)
        errors["plan"] = [
            _("The plan “%(plan)s” starts on %(date)s: until then, renew with it.")
            % {"plan": name, "date": when}
        ]
    if errors or chosen is None:
        raise InvalidInput(errors)  # type: ignore[arg-type]
    amount = chosen.price_cents(period)
    vat = vat_cents(amount)
    order = Order.objects.create(
        town_hall=town_hall,
        reference=_new_reference(),
        plan=chosen.code,
        period=period,
        amount_cents=amount,
        vat_cents=vat,
        total_cents=amount + vat,
        created_by=acting_user,
    )
    audit.order_created(order, actor_id=acting_user.pk)
    return order


@dataclass(frozen=True)
class Receipt:
    body: str  # what the endpoint answers the bank, exactly
    outcome: str


def _printable(value: str, length: int) -> str:
    """What is kept of a field: printable characters only (no NUL), and not too long."""
    return "".join(character for character in value[:length] if character.isprintable())


def _accepted_codes() -> frozenset[str]:
    return monetico.ACCEPTED_IN_PRODUCTION if settings.PRODUCTION else monetico.ACCEPTED_CODES


@transaction.atomic
def do_receive_notification(fields: Mapping[str, str]) -> Receipt:
    """The bank's confirmation: checked, recorded, and applied once.

    A notification whose seal is wrong changes nothing and writes nothing (the
    caller logs it): anyone may call this address.
    """
    if not monetico.seal_is_valid(fields, settings.MONETICO_KEY):
        return Receipt(body=monetico.RECEIPT_INVALID, outcome="bad_seal")
    reference = _printable(fields.get("reference", ""), 50)
    code = _printable(fields.get("code-retour", ""), 20)
    order = Order.objects.select_for_update().filter(reference=reference).first()
    if fields.get("TPE", "") != settings.MONETICO_TPE:
        outcome, order = "other_terminal", None
    elif order is None:
        outcome = "unknown_reference"
    elif fields.get("montant", "") != monetico.amount(order.total_cents):
        outcome = "wrong_amount"
    elif code in _accepted_codes():
        outcome = "repeat" if order.state == OrderState.PAID else "paid"
    elif code in monetico.REFUSED_CODES:
        outcome = "late" if order.state == OrderState.PAID else "refused"
    else:
        outcome = "unknown_code"  # "payetest" in production lands here
    Notification.objects.create(
        order=order,
        reference=reference,
        amount=_printable(fields.get("montant", ""), 20),
        bank_code=code,
        bank_date=_printable(fields.get("date", ""), 20),
        seal_valid=True,
        outcome=outcome,
    )
    if order is not None and outcome == "paid":
        _record_payment(order, code=code)
    elif order is not None and outcome == "refused":
        order.state = OrderState.REFUSED
        order.bank_code = code
        order.save(update_fields=["state", "bank_code"])
    audit.payment_notified(order, reference=reference, outcome=outcome)
    return Receipt(body=monetico.RECEIPT_VALID, outcome=outcome)


def _record_payment(order: Order, *, code: str) -> None:
    from vigie.municipalities.actions import do_extend_subscription

    now = timezone.now()
    order.state = OrderState.PAID
    order.paid_at = now
    order.bank_code = code
    order.save(update_fields=["state", "paid_at", "bank_code"])
    subscription, start = do_extend_subscription(
        order.town_hall, plan_code=order.plan, period=order.period, paid_at=now
    )
    # The period paid: from its start to the day before the next one begins.
    _issue_invoice(
        order, period_start=start, period_end=subscription.paid_until - timedelta(days=1)
    )


def _issue_invoice(order: Order, *, period_start: object, period_end: object) -> Invoice:
    """The next number of the year, taken under a lock in the payment's transaction."""
    from datetime import datetime

    from vigie.municipalities.plans import plan as find_plan

    assert isinstance(period_start, datetime)
    assert isinstance(period_end, datetime)
    issued_at = timezone.now()
    year = timezone.localtime(issued_at).year
    InvoiceCounter.objects.get_or_create(year=year)
    counter = InvoiceCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    town_hall = order.town_hall
    chosen = find_plan(order.plan)
    invoice = Invoice.objects.create(
        number=f"{year}-{counter.last:06d}",
        year=year,
        sequence=counter.last,
        order=order,
        issued_at=issued_at,
        buyer_name=town_hall.billing_name,
        buyer_address=(
            f"{town_hall.billing_address}\n{town_hall.billing_postcode} {town_hall.billing_city}"
        ),
        buyer_siret=town_hall.siret,
        # Invoices are in French, whoever reads them.
        description=_in_french(chosen.name) if chosen else order.plan,
        period_start=timezone.localtime(period_start).date(),
        period_end=timezone.localtime(period_end).date(),
        amount_cents=order.amount_cents,
        vat_rate_percent=VAT_RATE_PERCENT,
        vat_cents=order.vat_cents,
        total_cents=order.total_cents,
    )
    audit.invoice_issued(invoice)
    return invoice


def _in_french(text: object) -> str:
    from django.utils import translation

    with translation.override("fr"):
        return str(text)
