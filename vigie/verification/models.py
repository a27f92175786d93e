"""Letters carrying activation codes, and the codes themselves (kept only as hashes)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.addresses.models import Address


class LetterReason(models.TextChoices):
    SIGN_UP = "sign_up", _("sign-up")
    NEW_LETTER = "new_letter", _("new letter asked for")
    MOVE = "move", _("new home address")


class LetterStatus(models.TextChoices):
    # Waits until the account's e-mail address is confirmed: no letter for a bot.
    AWAITING_EMAIL = "awaiting_email", _("waiting for the e-mail confirmation")
    # A typed address not found in the reference waits for a person's check.
    AWAITING_REVIEW = "awaiting_review", _("waiting for the address check")
    QUEUED = "queued", _("being prepared")
    # Claimed by the sending task: its code is being made and its PDF drawn.
    PREPARING = "preparing", _("being prepared")
    HANDED_OVER = "handed_over", _("handed to the printer")
    POSTED = "posted", _("posted")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class Letter(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="letters"
    )
    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="letters")
    # Copied from the address: limits per address count letters to former addresses too.
    address_fingerprint = models.CharField(max_length=64, db_index=True)
    building_fingerprint = models.CharField(max_length=64, db_index=True)
    reason = models.CharField(max_length=12, choices=LetterReason.choices)
    status = models.CharField(max_length=16, choices=LetterStatus.choices)
    sender = models.CharField(max_length=16, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")

    def __str__(self) -> str:
        return f"letter #{self.pk} ({self.status})"


class CodeState(models.TextChoices):
    LIVE = "live", _("live")
    USED = "used", _("used")
    LOCKED = "locked", _("locked after too many wrong entries")
    REPLACED = "replaced", _("replaced by a newer letter")


class ActivationCode(models.Model):
    """One code, bound to one account, one address and the letter that carried it.

    Only an Argon2 hash is stored: the clear code exists in the letter alone.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activation_codes"
    )
    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="activation_codes")
    letter = models.OneToOneField(Letter, on_delete=models.CASCADE, related_name="code")
    code_hash = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=CodeState.choices, default=CodeState.LIVE)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    wrong_entries = models.PositiveSmallIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(state="live"),
                name="one_live_code_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"activation code #{self.pk} ({self.state})"
