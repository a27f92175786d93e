"""Messages Vigie sends, each with its recorded outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.lib.crypto import EncryptedTextField


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class OutgoingEmail(models.Model):
    """One e-mail to one address: queued in the action's transaction, sent by a task.

    Only the kind and ids are stored; the text, and any one-time link in it,
    is rendered at sending time so no secret rests in the database.
    """

    kind = models.CharField(_("kind"), max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outgoing_emails",
    )
    to_address = models.EmailField(_("to"), max_length=254)
    context = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=2, default="fr")
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class Channel(models.TextChoices):
    IN_APP = "in_app", _("in the app")
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    PUSH = "push", _("push notification")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    HELD = "held", _("held for quiet hours or the digest")
    CANCELLED = "cancelled", _("cancelled")


class Delivery(models.Model):
    """One message about one subject (an alert…) to one person by one channel.

    Created in bulk by a fan-out; the unique key makes running a fan-out again
    harmless. Sent by per-channel tasks that claim their rows first, so that a
    message leaves once even when tasks overlap.
    """

    subject_type = models.CharField(max_length=30)
    subject_id = models.BigIntegerField()
    # No foreign key in the database: PostgreSQL checks one row by row at commit, a
    # lookup and a row lock on each recipient, 0.3 s of a 30,000-row fan-out's 1.4 s
    # (bench/fanout.py, 2026-12-04). Accounts are never deleted (erasure empties them:
    # privacy/erasure.py); one deleted through Django takes its deliveries along
    # (on_delete), and a delivery whose recipient is gone is cancelled when sent.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_constraint=False,
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    # Held deliveries leave then (end of quiet hours, the digest's hour); retries too.
    send_after = models.DateTimeField(null=True, blank=True)
    digest = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    segments = models.PositiveSmallIntegerField(null=True, blank=True)  # SMS, for the cost
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id", "recipient", "channel"],
                name="one_delivery_per_subject_recipient_channel",
            )
        ]
        # A subject's rows are found by the unique key, which leads with the subject: an
        # index of subject and state too cost a fan-out a third of its insert time
        # (30,000 rows: 0.39 s against 0.54-0.59 s) for the few reads that narrow a
        # subject by state (cancelling, resuming, withdrawing), each one subject's rows.
        indexes = [models.Index(fields=["state", "send_after"])]

    def __str__(self) -> str:
        return f"delivery #{self.pk} ({self.channel}, {self.state})"


class InboxItem(models.Model):
    """A notice in a person's inbox in the app: the in-app channel, and closing notices."""

    # No index of its own: the unique key and the inbox's index both lead with it.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox", db_index=False
    )
    subject_type = models.CharField(max_length=30)
    subject_id = models.BigIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    urgent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inbox notice")
        verbose_name_plural = _("inbox notices")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "subject_type", "subject_id"], name="one_notice_per_subject"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"notice #{self.pk}"


class When(models.TextChoices):
    ALWAYS = "always", _("always")
    URGENT = "urgent", _("urgent alerts only")
    NORMAL = "normal", _("non-urgent alerts only")
    NEVER = "never", _("never")


class ChannelPreference(models.Model):
    """A person's choice for one category of alert and one channel (defaults otherwise)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preferences"
    )
    category = models.CharField(max_length=30)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    when = models.CharField(max_length=10, choices=When.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category", "channel"], name="one_choice_per_category_channel"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}/{self.channel}: {self.when}"


class NotificationSettings(models.Model):
    """Quiet hours (urgent alerts pass through) and the daily digest."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    quiet_from = models.TimeField(_("quiet from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet until"), null=True, blank=True)
    digest = models.BooleanField(_("daily digest of non-urgent alerts"), default=False)

    def __str__(self) -> str:
        return f"notification settings of user #{self.user_id}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription (its endpoint and keys)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=50)
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self) -> str:
        return f"push subscription #{self.pk}"


class PhoneNumber(models.Model):
    """A member's mobile number, encrypted; proven by a code sent to it by SMS."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone"
    )
    number = EncryptedTextField(_("mobile number"))
    # Texts received are matched to their sender by this keyed hash. Several
    # accounts may claim a number; only the one who enters its code holds it.
    fingerprint = models.CharField(max_length=64, db_index=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    code_hash = models.CharField(max_length=200, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("mobile number")
        verbose_name_plural = _("mobile numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=models.Q(verified_at__isnull=False),
                name="one_account_per_verified_number",
            )
        ]

    def __str__(self) -> str:
        return f"phone of user #{self.user_id}"


class SmsUsage(models.Model):
    """SMS segments sent per commune and day: what each commune's alerts cost."""

    insee_code = models.CharField(max_length=5)
    day = models.DateField()
    messages = models.PositiveIntegerField(default=0)
    segments = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["insee_code", "day"], name="one_usage_row_per_day")
        ]

    def __str__(self) -> str:
        return f"SMS {self.insee_code} {self.day}: {self.segments}"


class InboundText(models.Model):
    """A text message the provider passed on: kept by its id so that a replay does nothing.

    Its words live only in the alert it became; a text that became nothing
    (an unknown number) leaves only this row and a security event.
    """

    provider_id = models.CharField(max_length=100, unique=True)
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=20)
    alert_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"inbound text #{self.pk} ({self.outcome})"
