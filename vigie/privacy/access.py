"""Reads on a person's behalf: their own exports and consents, nothing of anyone else's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from vigie.accounts.models import User
from vigie.lib.errors import NotFound
from vigie.privacy.models import Consent, ConsentKind, DataExport, ExportState

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
