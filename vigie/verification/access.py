"""Reads on a person's behalf: where their address verification stands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from vigie.accounts.models import User
from vigie.addresses.models import Address
from vigie.lib.errors import RateLimited
from vigie.verification.models import ActivationCode, CodeState, Letter, LetterStatus


@dataclass(frozen=True)
class VerificationState:
    address: Address | None
    letter: Letter | None
    code: ActivationCode | None
    can_ask_letter: bool
    next_letter_at: datetime | None

    @property
    def verified(self) -> bool:
        return self.address is not None and self.address.is_verified

    @property
    def tries_left(self) -> int | None:
        if self.code is None or self.code.state != CodeState.LIVE:
            return None
        return settings.ACTIVATION_CODE_MAX_WRONG_ENTRIES - self.code.wrong_entries


def current_address_for(user: User) -> Address | None:
    return Address.objects.filter(user=user, moved_out_at__isnull=True).first()


def is_verified_resident(user: object) -> bool:
    """True when the account's current home address is verified (by letter or otherwise)."""
    if not isinstance(user, User) or not user.is_active:
        return False
    return Address.objects.filter(
        user=user, moved_out_at__isnull=True, verified_at__isnull=False
    ).exists()


def verification_state_for(user: User) -> VerificationState:
    from vigie.verification.actions import check_letter_limits

    address = current_address_for(user)
    letter = (
        Letter.objects.filter(user=user, address=address).order_by("-created_at").first()
        if address
        else None
    )
    code = ActivationCode.objects.filter(user=user, letter=letter).first() if letter else None
    can_ask, next_at = False, None
    if address is not None and not address.is_verified:
        try:
            check_letter_limits(
                user,
                fingerprint=address.fingerprint,
                building_fingerprint=address.building_fingerprint,
            )
            can_ask = True
        except RateLimited as limited:
            next_at = timezone.now() + timedelta(seconds=limited.retry_after)
    return VerificationState(
        address=address, letter=letter, code=code, can_ask_letter=can_ask, next_letter_at=next_at
    )


def expected_delivery(letter: Letter) -> tuple[datetime, datetime] | None:
    """When a posted letter should arrive: 2 to 4 working days after posting."""
    if letter.status != LetterStatus.POSTED or letter.posted_at is None:
        return None
    return _add_working_days(letter.posted_at, 2), _add_working_days(letter.posted_at, 4)


def _add_working_days(start: datetime, days: int) -> datetime:
    current = timezone.localtime(start)
    added = 0
    while added < days:
        current += timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


def addresses_to_check() -> list[Address]:
    """For the team (the caller checked): homes typed by hand, whose letter waits for a check."""
    return list(
        Address.objects.filter(needs_review=True, moved_out_at__isnull=True)
        .select_related("user")
        .order_by("created_at")[:200]
    )


def address_to_check(address_id: int) -> Address:
    from vigie.lib.errors import NotFound

    found = Address.objects.filter(
        pk=address_id, needs_review=True, moved_out_at__isnull=True
    ).first()
    if found is None:
        raise NotFound()
    return found
