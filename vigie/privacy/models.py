"""Records the GDPR asks of us beyond the data itself."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportState(models.TextChoices):
    QUEUED = "queued", _("being prepared")
    READY = "ready", _("ready to download")
    DOWNLOADED = "downloaded", _("downloaded")
    EXPIRED = "expired", _("expired")
    FAILED = "failed", _("failed")


class DataExport(models.Model):
    """A person's copy of their data (art. 15 and 20): built by a task, downloadable
    once, by them only, for a day; then the file goes."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    state = models.CharField(max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    # A random name under VIGIE_DATA_DIR/exports/: never derived from the person.
    file_name = models.CharField(max_length=80, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")

    def __str__(self) -> str:
        return f"export #{self.pk} of user #{self.user_id} ({self.state})"


class ConsentKind(models.TextChoices):
    PRIVACY_POLICY = "privacy_policy", _("privacy policy read")
    SMS = "sms", _("alerts by SMS")
    PUSH = "push", _("browser notifications")
    DIRECTORY = "directory", _("listed in the neighbourhood's directory")


class Consent(models.Model):
    """One consent given, and when it was withdrawn: the proof art. 7(1) asks for."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    kind = models.CharField(max_length=16, choices=ConsentKind.choices)
    # The privacy policy's version; 0 for a channel.
    version = models.PositiveSmallIntegerField(default=0)
    given_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["user", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} of user #{self.user_id}"


# --- The breach register (GDPR art. 33(5)) ----------------------------------------------------

# Art. 33(1): the supervisory authority is told within 72 hours of becoming aware of a breach.
CNIL_NOTIFICATION_DELAY = timedelta(hours=72)
BREACH_DESCRIPTION_MAX_LENGTH = 5000
BREACH_TEXT_MAX_LENGTH = 2000
# PositiveIntegerField's ceiling on every database Vigie runs on.
BREACH_COUNT_MAX = 2_000_000_000


class BreachNature(models.TextChoices):
    """What the breach did to the data (the CNIL's and the EDPB's three kinds)."""

    CONFIDENTIALITY = "confidentiality", _("confidentiality (data disclosed or accessed)")
    INTEGRITY = "integrity", _("integrity (data altered)")
    AVAILABILITY = "availability", _("availability (data lost or out of reach)")


class Breach(models.Model):
    """One personal data breach, as the register the CNIL may ask to see records it.

    Every breach is recorded, whether or not it was notified: the register is the
    proof of what happened, of what was done, and of why the CNIL or the people
    were not told when they were not.
    """

    discovered_at = models.DateTimeField()
    occurred_at = models.DateTimeField(null=True, blank=True)
    # Several at once, often: a stolen laptop is both a disclosure and a loss.
    affects_confidentiality = models.BooleanField(default=False)
    affects_integrity = models.BooleanField(default=False)
    affects_availability = models.BooleanField(default=False)
    description = models.TextField(max_length=BREACH_DESCRIPTION_MAX_LENGTH)
    people_categories = models.TextField(max_length=BREACH_TEXT_MAX_LENGTH)
    # Approximate figures; empty while they are not known yet.
    people_count = models.PositiveIntegerField(null=True, blank=True)
    data_categories = models.TextField(max_length=BREACH_TEXT_MAX_LENGTH)
    records_count = models.PositiveIntegerField(null=True, blank=True)
    likely_consequences = models.TextField(max_length=BREACH_TEXT_MAX_LENGTH, blank=True)
    # Taken or proposed.
    measures = models.TextField(max_length=BREACH_TEXT_MAX_LENGTH, blank=True)
    # Art. 34: told when, or why not; neither while the team has not decided yet.
    people_informed_at = models.DateTimeField(null=True, blank=True)
    people_not_informed_reason = models.TextField(max_length=BREACH_TEXT_MAX_LENGTH, blank=True)
    # Art. 33: notified when (with the reasons for a delay past the 72 hours), or why not.
    cnil_notified_at = models.DateTimeField(null=True, blank=True)
    cnil_late_reason = models.TextField(max_length=BREACH_TEXT_MAX_LENGTH, blank=True)
    cnil_not_notified_reason = models.TextField(max_length=BREACH_TEXT_MAX_LENGTH, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="breaches_recorded"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-discovered_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(affects_confidentiality=True)
                | models.Q(affects_integrity=True)
                | models.Q(affects_availability=True),
                name="breach_has_a_nature",
            ),
            models.CheckConstraint(
                condition=models.Q(cnil_notified_at__isnull=True)
                | models.Q(cnil_notified_at__gte=models.F("discovered_at")),
                name="breach_notified_after_discovery",
            ),
            models.CheckConstraint(
                condition=models.Q(cnil_notified_at__isnull=True)
                | models.Q(cnil_not_notified_reason=""),
                name="breach_notified_or_why_not",
            ),
            models.CheckConstraint(
                condition=models.Q(people_informed_at__isnull=True)
                | models.Q(people_not_informed_reason=""),
                name="breach_people_told_or_why_not",
            ),
        ]

    def __str__(self) -> str:
        return f"breach #{self.pk} discovered {self.discovered_at:%Y-%m-%d %H:%M}"

    @property
    def natures(self) -> list[str]:
        flags = {
            BreachNature.CONFIDENTIALITY: self.affects_confidentiality,
            BreachNature.INTEGRITY: self.affects_integrity,
            BreachNature.AVAILABILITY: self.affects_availability,
        }
        return [str(nature) for nature, affected in flags.items() if affected]

    @property
    def nature_labels(self) -> list[str]:
        return [str(BreachNature(nature).label) for nature in self.natures]

    @property
    def notification_deadline(self) -> datetime:
        return self.discovered_at + CNIL_NOTIFICATION_DELAY
