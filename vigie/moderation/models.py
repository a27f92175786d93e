"""Reports, the team's decisions under the terms of use, appeals, and what they leave behind.

A decision always names the person it concerns (``subject``), the clause of the
terms it applies and the moderator who took it; the person concerned reads it,
with the clause and how to appeal. Reporters are never named to anyone but the
team.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.communities.models import Community

DETAILS_MAX_LENGTH = 1000
EXPLANATION_MAX_LENGTH = 1000
APPEAL_MAX_LENGTH = 2000


class TermsAcceptance(models.Model):
    """One person accepting one version of the terms of use (the consent record)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="terms_acceptances"
    )
    version = models.PositiveSmallIntegerField()
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="one_acceptance_per_version")
        ]

    def __str__(self) -> str:
        return f"terms v{self.version} accepted by user #{self.user_id}"


class TargetType(models.TextChoices):
    POST = "post", _("post")
    COMMENT = "comment", _("comment")
    ALERT = "alert", _("alert")
    MEMBER = "member", _("member")


CONTENT_TYPES = (TargetType.POST, TargetType.COMMENT, TargetType.ALERT)


class Reason(models.TextChoices):
    SPAM = "spam", _("spam or advertising")
    HARASSMENT = "harassment", _("harassment or insult")
    DISCRIMINATION = "discrimination", _("discrimination or hate")
    FALSE_ALERT = "false_alert", _("false or alarmist alert")
    PERSONAL_DATA = "personal_data", _("someone's personal data exposed (address, plate, photo)")
    ILLEGAL = "illegal", _("illegal content")
    OTHER = "other", _("other")


# The clause of the terms a reason points to: what the team looks at first.
REASON_CLAUSES: dict[str, str] = {
    Reason.SPAM: "9",
    Reason.HARASSMENT: "4",
    Reason.DISCRIMINATION: "5",
    Reason.FALSE_ALERT: "7",
    Reason.PERSONAL_DATA: "6",
    Reason.ILLEGAL: "8",
    Reason.OTHER: "10",
}


class ReportState(models.TextChoices):
    OPEN = "open", _("waiting for the team")
    NO_BREACH = "no_breach", _("no breach found")
    ACTION_TAKEN = "action_taken", _("action taken")


class Report(models.Model):
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    target_type = models.CharField(max_length=8, choices=TargetType.choices)
    # The post, comment or alert; for a member, their user id (never shown to members).
    target_id = models.BigIntegerField()
    # Whom the report is about: the author of the content, or the member.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_received"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    details = models.TextField(_("details"), max_length=DETAILS_MAX_LENGTH, blank=True)
    # What was reported, as it read then: the team's evidence if it is edited or deleted.
    excerpt = models.TextField(max_length=2000, blank=True)
    state = models.CharField(max_length=12, choices=ReportState.choices, default=ReportState.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decision = models.ForeignKey(
        "Decision", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id"],
                condition=models.Q(state="open"),
                name="one_open_report_per_reporter_and_target",
            )
        ]
        indexes = [
            models.Index(fields=["target_type", "target_id", "state"]),
            models.Index(fields=["state", "created_at"]),
            models.Index(fields=["subject", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"report #{self.pk} ({self.target_type} #{self.target_id}, {self.state})"


class DecisionKind(models.TextChoices):
    ALERT_APPROVED = "alert_approved", _("alert approved")
    ALERT_REDACTED = "alert_redacted", _("alert approved with personal data removed")
    ALERT_REJECTED = "alert_rejected", _("alert rejected")
    DISMISSED = "dismissed", _("report dismissed: no breach found")
    REMOVED = "removed", _("content removed")
    REMOVED_AND_WARNED = "removed_warned", _("content removed and warning")
    WARNED = "warned", _("warning")
    SUSPENDED = "suspended", _("suspension")
    BANNED = "banned", _("ban")


# Decisions that find a breach (the reporters hear "action taken").
BREACHES = (
    DecisionKind.ALERT_REJECTED,
    DecisionKind.REMOVED,
    DecisionKind.REMOVED_AND_WARNED,
    DecisionKind.WARNED,
    DecisionKind.SUSPENDED,
    DecisionKind.BANNED,
)


class DecisionState(models.TextChoices):
    IN_FORCE = "in_force", _("in force")
    # A ban waits for a second moderator; until then nothing is applied.
    AWAITING_CONFIRMATION = "awaiting", _("waiting for a second moderator")
    CANCELLED = "cancelled", _("not confirmed")
    OVERTURNED = "overturned", _("overturned on appeal")


class Decision(models.Model):
    kind = models.CharField(_("decision"), max_length=16, choices=DecisionKind.choices)
    terms_version = models.PositiveSmallIntegerField()
    clause = models.CharField(_("clause"), max_length=8)
    target_type = models.CharField(max_length=8, choices=TargetType.choices)
    target_id = models.BigIntegerField()
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="decisions_about"
    )
    community = models.ForeignKey(
        Community, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions_taken"
    )
    # Told to the person concerned, with the clause.
    explanation = models.TextField(_("explanation"), max_length=EXPLANATION_MAX_LENGTH)
    suspension_days = models.PositiveSmallIntegerField(null=True, blank=True)
    state = models.CharField(
        max_length=10, choices=DecisionState.choices, default=DecisionState.IN_FORCE
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decisions_confirmed",
    )
    # When the first report or the alert reached the team: for the time to a decision.
    waiting_since = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    # When it took effect (a ban: once confirmed); appeals count from here.
    in_force_at = models.DateTimeField(null=True, blank=True)
    # The report reason or the alert category: the dashboard's "by category".
    category = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["subject", "-created_at"]),
            models.Index(fields=["community", "created_at"]),
            models.Index(fields=["state", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"decision #{self.pk} ({self.kind}, {self.state})"


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("decision upheld")
    OVERTURNED = "overturned", _("decision overturned")


class Appeal(models.Model):
    """One per decision, by the person concerned, decided by another moderator: final."""

    decision = models.OneToOneField(Decision, on_delete=models.CASCADE, related_name="appeal")
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="appeals"
    )
    text = models.TextField(_("why the decision is wrong"), max_length=APPEAL_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=10, choices=AppealOutcome.choices, blank=True)
    answer = models.TextField(_("answer"), max_length=EXPLANATION_MAX_LENGTH, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals_decided",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"appeal of decision #{self.decision_id}"


class BannedAddress(models.Model):
    """A banned member's home: it cannot register again until ``until``."""

    fingerprint = models.CharField(max_length=64, db_index=True)
    decision = models.ForeignKey(
        Decision, on_delete=models.CASCADE, related_name="banned_addresses"
    )
    until = models.DateTimeField()

    def __str__(self) -> str:
        return f"banned address until {self.until:%Y-%m-%d}"
