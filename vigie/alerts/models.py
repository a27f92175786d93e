"""Alerts: what a neighbour saw, checked by the team before (or right after) everyone is told."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.communities.models import Community
from vigie.lib.visibility import Visibility

DESCRIPTION_MAX_LENGTH = 2000
PLACE_MAX_LENGTH = 120
REASON_MAX_LENGTH = 500


class Category(models.TextChoices):
    BURGLARY = "burglary", _("burglary or attempt")
    SUSPICIOUS_BEHAVIOUR = "suspicious_behaviour", _("suspicious behaviour")
    SUSPICIOUS_VEHICLE = "suspicious_vehicle", _("suspicious vehicle")
    DOOR_TO_DOOR = "door_to_door", _("abusive door-to-door selling")
    SCAM = "scam", _("scam attempt")
    VANDALISM = "vandalism", _("incivility or vandalism")
    FIRE = "fire", _("fire or environment")
    WEATHER = "weather", _("weather")
    ROADS = "roads", _("roads and utilities")
    MISSING = "missing", _("missing person or animal")
    OTHER = "other", _("other")


# Categories whose alerts describe people or vehicles: the structured form applies.
DESCRIBES_SOMEONE = {
    Category.BURGLARY,
    Category.SUSPICIOUS_BEHAVIOUR,
    Category.SUSPICIOUS_VEHICLE,
    Category.DOOR_TO_DOOR,
    Category.SCAM,
    Category.VANDALISM,
}


class Urgency(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")


class State(models.TextChoices):
    DRAFT = "draft", _("draft")
    PENDING = "pending", _("waiting for the team")
    APPROVED = "approved", _("sent to the neighbours")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")
    RESOLVED = "resolved", _("closed")


class Resolution(models.TextChoices):
    RESOLVED = "resolved", _("resolved")
    FALSE_ALARM = "false_alarm", _("false alarm")


class Source(models.TextChoices):
    WEB = "web", _("web")
    API = "api", _("app")
    SMS = "sms", _("SMS")
    OFFICIAL = "official", _("the town hall")


class Alert(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="alerts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts"
    )
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    happened_at = models.DateTimeField(_("when it happened"))
    place = models.CharField(_("street or place"), max_length=PLACE_MAX_LENGTH)
    # A point on the map, rounded to about 50 m: never a house.
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    description = models.TextField(_("what happened"), max_length=DESCRIPTION_MAX_LENGTH)
    # The structured description of people and vehicles (see alerts.actions.Description).
    people = models.JSONField(default=dict, blank=True)
    vehicle = models.JSONField(default=dict, blank=True)
    # Terms of origin, colour or religion found: the team sees them, no fast path.
    profiling_terms = models.JSONField(default=list, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # Reported enough to be hidden until the team decides (see vigie.moderation).
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.SHOWN
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.WEB)
    # An official message: the town hall that published it (vigie.municipalities).
    town_hall = models.ForeignKey(
        "municipalities.TownHall",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="official_messages",
    )
    fast_path = models.BooleanField(_("sent before review"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A fast-path alert is still reviewed, after it left.
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)
    resolution = models.CharField(max_length=12, choices=Resolution.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The fan-out is done when every recipient has their deliveries.
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [
            models.Index(fields=["community", "state", "-created_at"]),
            models.Index(fields=["author", "submitted_at"]),
            models.Index(fields=["state", "fast_path", "reviewed_at"]),
        ]

    def __str__(self) -> str:
        return f"alert #{self.pk} ({self.state})"


class AlertSupport(models.Model):
    """A neighbour joins an alert ("me too") instead of sending the same again."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "user"], name="one_support_per_person")
        ]

    def __str__(self) -> str:
        return f"support of alert #{self.alert_id}"
