"""Records the GDPR asks of us beyond the data itself."""

from __future__ import annotations

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
