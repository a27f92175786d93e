"""Proof of consent (GDPR art. 7(1)), written by the actions that turn an optional
processing on or off, inside their transaction: the proof commits with the change."""

from __future__ import annotations

from django.utils import timezone

from vigie.accounts.models import User
from vigie.audit import events as audit
from vigie.privacy.models import Consent, ConsentKind

# The privacy policy's version (vigie/privacy/policy.py): raise it when the policy changes
# in substance; each person's acknowledgement of a version is kept.
PRIVACY_POLICY_VERSION = 1


def record_consent(user: User, kind: ConsentKind, *, given: bool, version: int = 0) -> None:
    now = timezone.now()
    current = Consent.objects.filter(user=user, kind=kind, withdrawn_at__isnull=True)
    if given:
        if not current.filter(version=version).exists():
            current.update(withdrawn_at=now)  # an older version, replaced
            Consent.objects.create(user=user, kind=kind, version=version, given_at=now)
            audit.consent_changed(user, kind=kind.value, given=True, version=version)
    elif current.exists():
        current.update(withdrawn_at=now)
        audit.consent_changed(user, kind=kind.value, given=False, version=version)


def record_privacy_policy_read(user: User) -> None:
    record_consent(user, ConsentKind.PRIVACY_POLICY, given=True, version=PRIVACY_POLICY_VERSION)
