"""Orders, the bank's notifications about them, and the invoices of what was paid.

No card field exists here, nor anywhere in Vigie: the buyer types their card
on the bank's hosted page; Vigie only learns, from the bank's signed
notification, whether the order was paid.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.municipalities.models import Period, TownHall


class OrderState(models.TextChoices):
    AWAITING_PAYMENT = "awaiting", _("waiting for the payment")
    PAID = "paid", _("paid")
    REFUSED = "refused", _("refused by the bank")


class Order(models.Model):
    town_hall = models.ForeignKey(TownHall, on_delete=models.PROTECT, related_name="orders")
    # Unique, alphanumeric, at most 50 characters: the bank's "reference".
    reference = models.CharField(max_length=50, unique=True)
    plan = models.CharField(_("plan"), max_length=20)
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    # Money in integer cents: before VAT, the VAT, and what is paid.
    amount_cents = models.PositiveIntegerField()
    vat_cents = models.PositiveIntegerField()
    total_cents = models.PositiveIntegerField()
    state = models.CharField(
        max_length=10, choices=OrderState.choices, default=OrderState.AWAITING_PAYMENT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    # The bank's last word ("payetest", "paiement", "Annulation"…).
    bank_code = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"order {self.reference} ({self.state})"


class Notification(models.Model):
    """Each call of the bank's confirmation, kept: what it said, and what Vigie made of it.

    Only fields that carry no card data are stored (never bincb, hpancb or the like).
    """

    order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    received_at = models.DateTimeField(default=timezone.now)
    reference = models.CharField(max_length=50, blank=True)
    amount = models.CharField(max_length=20, blank=True)
    bank_code = models.CharField(max_length=20, blank=True)
    bank_date = models.CharField(max_length=20, blank=True)
    seal_valid = models.BooleanField()
    # paid, refused, repeat, bad_seal, unknown_reference, wrong_amount, late, unknown_code
    outcome = models.CharField(max_length=20)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"bank notification #{self.pk} ({self.outcome})"


class InvoiceCounter(models.Model):
    """The last invoice number of a year: numbers follow without a gap."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"invoices of {self.year}: {self.last}"


class Invoice(models.Model):
    """Issued when the bank confirms a payment, with everything a French invoice states."""

    number = models.CharField(max_length=20, unique=True)  # e.g. 2026-000042
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="invoice")
    issued_at = models.DateTimeField(default=timezone.now)
    # As they were when issued: an invoice never changes afterwards.
    buyer_name = models.CharField(max_length=120)
    buyer_address = models.TextField(max_length=400)
    buyer_siret = models.CharField(max_length=14, blank=True)
    description = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    amount_cents = models.PositiveIntegerField()
    vat_rate_percent = models.PositiveSmallIntegerField()
    vat_cents = models.PositiveIntegerField()
    total_cents = models.PositiveIntegerField()

    class Meta:
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="one_invoice_per_number")
        ]

    def __str__(self) -> str:
        return f"invoice {self.number}"
