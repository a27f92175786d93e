"""Reads for privacy: the team's breach register and where each breach stands
against the 72 hours of GDPR art. 33(1).

The team's readers take no user: their callers (staff_required, team_caller)
already let only the team in, and everyone else gets NotFound before them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import User
from vigie.lib.errors import NotFound
from vigie.privacy.models import Breach, Consent, ConsentKind, DataExport, ExportState

# Under this much time left, an unnotified breach is flagged on the team's pages.
DEADLINE_NEAR = timedelta(hours=24)


class DeadlineState(models.TextChoices):
    """Where a breach stands against the CNIL's 72 hours."""

    NOTIFIED = "notified", _("CNIL told in time")
    NOTIFIED_LATE = "notified_late", _("CNIL told after the 72 hours")
    # Not notified, with the reason it is unlikely to result in a risk (art. 33(1)).
    NOT_NOTIFIED = "not_notified", _("not notified: unlikely to result in a risk")
    RUNNING = "running", _("CNIL not told yet")
    NEAR = "near", _("CNIL not told: the 72 hours end soon")
    PAST = "past", _("CNIL not told: the 72 hours are past")


@dataclass(frozen=True)
class Deadline:
    at: datetime
    state: DeadlineState
    # Until the deadline (negative once past); None once the question is settled.
    time_left: timedelta | None

    @property
    def label(self) -> str:
        return str(self.state.label)

    @property
    def needs_warning(self) -> bool:
        return self.state in (DeadlineState.NEAR, DeadlineState.PAST)

    @property
    def overdue(self) -> timedelta | None:
        if self.time_left is None or self.time_left > timedelta():
            return None
        return -self.time_left


def deadline_of(breach: Breach, *, now: datetime | None = None) -> Deadline:
    deadline = breach.notification_deadline
    if breach.cnil_notified_at is not None:
        state = (
            DeadlineState.NOTIFIED
            if breach.cnil_notified_at <= deadline
            else DeadlineState.NOTIFIED_LATE
        )
        return Deadline(at=deadline, state=state, time_left=None)
    if breach.cnil_not_notified_reason:
        return Deadline(at=deadline, state=DeadlineState.NOT_NOTIFIED, time_left=None)
    left = deadline - (now or timezone.now())
    if left <= timedelta():
        state = DeadlineState.PAST
    elif left <= DEADLINE_NEAR:
        state = DeadlineState.NEAR
    else:
        state = DeadlineState.RUNNING
    return Deadline(at=deadline, state=state, time_left=left)


def breach_register() -> QuerySet[Breach]:
    """Every breach, the most recently discovered first."""
    return Breach.objects.select_related("recorded_by").order_by("-discovered_at", "-id")


def any_breach(breach_id: int) -> Breach:
    found = breach_register().filter(pk=breach_id).first()
    if found is None:
        raise NotFound()
    return found


# What a person may turn off again as easily as they turned it on.
OPTIONAL = (ConsentKind.SMS, ConsentKind.PUSH, ConsentKind.DIRECTORY)


def exports_of(user: User) -> QuerySet[DataExport]:
    return DataExport.objects.filter(user=user).order_by("-requested_at")


def access_data_export(user: object, export_id: int) -> DataExport:
    """Their own export, ready and not expired; anyone else's answers NotFound, like none."""
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotFound()
    found = (
        DataExport.objects.filter(
            pk=export_id, user=user, state=ExportState.READY, expires_at__gt=timezone.now()
        )
        .select_related("user")
        .first()
    )
    if found is None:
        raise NotFound()
    return found


@dataclass(frozen=True)
class ConsentState:
    kind: ConsentKind
    given: bool
    since: datetime | None  # when given, or when last withdrawn
    version: int
    optional: bool


def consents_of(user: User) -> list[ConsentState]:
    """Each kind, with its latest record: given (and since when) or not."""
    latest: dict[str, Consent] = {}
    for consent in Consent.objects.filter(user=user).order_by("given_at", "pk"):
        latest[consent.kind] = consent
    states = []
    for kind in ConsentKind:
        record = latest.get(kind.value)
        given = record is not None and record.withdrawn_at is None
        states.append(
            ConsentState(
                kind=kind,
                given=given,
                since=(record.given_at if given else record.withdrawn_at) if record else None,
                version=record.version if record else 0,
                optional=kind in OPTIONAL,
            )
        )
    return states


def consent_history(user: User) -> QuerySet[Consent]:
    return Consent.objects.filter(user=user).order_by("-given_at", "-pk")


def account_for_team(user_id: int) -> User:
    """For the team (the caller checked it is the team): an account not erased."""
    found = User.objects.filter(pk=user_id, erased_at__isnull=True).first()
    if found is None:
        raise NotFound()
    return found
