"""Town halls: their agents, the residence checks at their counter, their subscription.

Official messages are alerts of a neighbourhood marked with the town hall that
published them (vigie.alerts.models.Alert.town_hall): they travel by the
same fan-out. Orders, invoices and the bank's notifications are vigie.payments'.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TownHall(models.Model):
    insee_code = models.CharField(_("INSEE code"), max_length=5, unique=True)
    commune_name = models.CharField(_("commune"), max_length=100)
    # The plan follows the commune's size.
    population = models.PositiveIntegerField(_("population"))
    # Who receives the invoices: the town hall's postal address and identifiers.
    billing_name = models.CharField(_("name on invoices"), max_length=120)
    billing_address = models.TextField(_("billing address"), max_length=400)
    billing_postcode = models.CharField(_("postcode"), max_length=5)
    billing_city = models.CharField(_("city"), max_length=100)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), max_length=254)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["commune_name"]
        verbose_name = _("town hall")
        verbose_name_plural = _("town halls")

    def __str__(self) -> str:
        return f"town hall of {self.insee_code}"


class Agent(models.Model):
    """A person working for a town hall in Vigie; one town hall at a time."""

    town_hall = models.ForeignKey(TownHall, on_delete=models.CASCADE, related_name="agents")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_roles"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(removed_at__isnull=True),
                name="one_town_hall_per_agent",
            )
        ]

    def __str__(self) -> str:
        return f"agent #{self.pk} of {self.town_hall_id}"


class ResidenceCheck(models.Model):
    """An agent saw a proof of residence at the counter: only the fact, who and when."""

    town_hall = models.ForeignKey(TownHall, on_delete=models.CASCADE, related_name="checks")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    address = models.ForeignKey(
        "addresses.Address", on_delete=models.CASCADE, related_name="residence_checks"
    )
    checked_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"residence check #{self.pk}"


class Period(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    YEARLY = "yearly", _("yearly")


# Before the end of a year, a month's notice; of a month, a week's.
REMINDER_DAYS = {Period.YEARLY: 30, Period.MONTHLY: 7}


class Subscription(models.Model):
    """What a town hall paid for, until when; nothing renews without an order paid again."""

    town_hall = models.OneToOneField(
        TownHall, on_delete=models.CASCADE, related_name="subscription"
    )
    plan = models.CharField(_("plan"), max_length=20)
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    started_at = models.DateTimeField(default=timezone.now)
    paid_until = models.DateTimeField(_("paid until"))
    # A plan paid for a period that starts later (paid early): it takes over then.
    next_plan = models.CharField(max_length=20, blank=True)
    plan_changes_at = models.DateTimeField(null=True, blank=True)
    # Cancelled: it ends at paid_until, and no reminder to renew is sent.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_for = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"subscription of {self.town_hall_id} until {self.paid_until:%Y-%m-%d}"

    def is_active(self, now: datetime | None = None) -> bool:
        return self.paid_until > (now or timezone.now())

    def plan_at(self, now: datetime | None = None) -> str:
        """The plan in force: a plan paid early takes over when its period starts."""
        moment = now or timezone.now()
        if self.next_plan and self.plan_changes_at and moment >= self.plan_changes_at:
            return self.next_plan
        return self.plan

    def waiting_change(self, now: datetime | None = None) -> tuple[str, datetime] | None:
        """The plan paid early and when it takes over, while it has not yet."""
        moment = now or timezone.now()
        if self.next_plan and self.plan_changes_at and moment < self.plan_changes_at:
            return self.next_plan, self.plan_changes_at
        return None
