"""Writers for verification: letters, activation codes, moving home."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import User
from vigie.addresses import actions as address_actions
from vigie.addresses.actions import AddressInput
from vigie.addresses.models import Address, VerificationMethod
from vigie.audit import events as audit
from vigie.lib.errors import Conflict, InvalidInput, RateLimited
from vigie.lib.tasks import attempts_left, next_attempt_at
from vigie.verification.codes import is_well_formed, normalize_code
from vigie.verification.models import (
    ActivationCode,
    CodeState,
    Letter,
    LetterReason,
    LetterStatus,
)

# Every letter asked for counts, even one a newer request cancelled before it
# was printed; one that failed on our side does not.
_COUNTED = [
    LetterStatus.AWAITING_EMAIL,
    LetterStatus.AWAITING_REVIEW,
    LetterStatus.QUEUED,
    LetterStatus.HANDED_OVER,
    LetterStatus.POSTED,
    LetterStatus.CANCELLED,
]
_NOT_YET_PRINTED = [LetterStatus.AWAITING_EMAIL, LetterStatus.AWAITING_REVIEW, LetterStatus.QUEUED]


class LetterLimitReached(RateLimited):
    code = "letter_limit"
    default_message = _("Too many letters were sent recently for this account or this address.")


def _limit_window_start(now: datetime) -> datetime:
    return now - timedelta(days=settings.LETTER_LIMIT_WINDOW_DAYS)


def check_letter_limits(user: User, *, fingerprint: str) -> None:
    """Raise LetterLimitReached when the account or the address had its letters."""
    now = timezone.now()
    recent = Letter.objects.filter(created_at__gte=_limit_window_start(now), status__in=_COUNTED)
    for letters, limit in (
        (recent.filter(user=user), settings.LETTERS_PER_ACCOUNT),
        (recent.filter(address_fingerprint=fingerprint), settings.LETTERS_PER_ADDRESS),
    ):
        if letters.count() >= limit:
            oldest = letters.aggregate(oldest=Min("created_at"))["oldest"]
            free_at = oldest + timedelta(days=settings.LETTER_LIMIT_WINDOW_DAYS)
            raise LetterLimitReached(
                retry_after=int((free_at - now).total_seconds()),
                message=_(
                    "Too many letters were sent recently for this account or this address. "
                    "You can ask for a new one from %(date)s."
                )
                % {"date": timezone.localtime(free_at).strftime("%d/%m/%Y")},
            )


def _enqueue_send(letter: Letter) -> None:
    from vigie.verification.tasks import send_letter

    send_letter.enqueue(letter.pk)


@transaction.atomic
def do_request_letter(user: User, *, reason: LetterReason, acting_user: User) -> Letter:
    """Queue a letter with a new code to the account's current, unverified address.

    It waits for the e-mail confirmation when the address is not confirmed
    yet, so nobody can make Vigie post letters from a throw-away account, and
    for a person's check when the home address was typed by hand.
    """
    address = Address.objects.filter(user=user, moved_out_at__isnull=True).first()
    if address is None:
        raise Conflict(_("Give your home address first."), code="no_address")
    if address.is_verified:
        raise Conflict(_("Your address is already verified."), code="already_verified")
    check_letter_limits(user, fingerprint=address.fingerprint)
    # A newer letter makes older ones that were not printed yet pointless.
    Letter.objects.filter(user=user, status__in=_NOT_YET_PRINTED).update(
        status=LetterStatus.CANCELLED
    )
    letter = Letter.objects.create(
        user=user,
        address=address,
        address_fingerprint=address.fingerprint,
        reason=reason,
        status=_waiting_status(user, address),
    )
    audit.letter_requested(letter, actor_id=acting_user.pk)
    if letter.status == LetterStatus.QUEUED:
        _enqueue_send(letter)
    return letter


def _waiting_status(user: User, address: Address) -> LetterStatus:
    if user.email_confirmed_at is None:
        return LetterStatus.AWAITING_EMAIL
    if address.needs_review:
        return LetterStatus.AWAITING_REVIEW
    return LetterStatus.QUEUED


@transaction.atomic
def do_release_waiting_letters(user: User) -> int:
    """Send the letters that were waiting, now that nothing holds them; returns how many."""
    waiting = Letter.objects.select_related("address").filter(
        user=user, status__in=[LetterStatus.AWAITING_EMAIL, LetterStatus.AWAITING_REVIEW]
    )
    released = 0
    for letter in waiting:
        status = _waiting_status(user, letter.address)
        if status != letter.status:
            letter.status = status
            letter.save(update_fields=["status"])
        if status == LetterStatus.QUEUED:
            _enqueue_send(letter)
            released += 1
    return released


@transaction.atomic
def do_approve_typed_address(address: Address, *, acting_user: User) -> Address:
    """The team checked an address typed by hand: its letter may leave."""
    address = address_actions.do_mark_address_reviewed(address, acting_user=acting_user)
    do_release_waiting_letters(address.user)
    return address


@transaction.atomic
def do_issue_activation_code(letter: Letter, *, code: str) -> ActivationCode:
    """Store the hash of the code printed in ``letter``; it replaces any live code."""
    now = timezone.now()
    ActivationCode.objects.filter(user_id=letter.user_id, state=CodeState.LIVE).update(
        state=CodeState.REPLACED, closed_at=now
    )
    ActivationCode.objects.filter(letter=letter).delete()  # an earlier attempt's code never left
    activation = ActivationCode.objects.create(
        user_id=letter.user_id,
        address_id=letter.address_id,
        letter=letter,
        code_hash=make_password(normalize_code(code)),
        created_at=now,
        expires_at=now
        + timedelta(
            days=settings.ACTIVATION_CODE_VALIDITY_DAYS + settings.LETTER_POSTING_MARGIN_DAYS
        ),
    )
    audit.activation_code_issued(activation)
    return activation


@transaction.atomic
def do_record_letter_handed_over(letter: Letter, *, sender: str, external_id: str) -> None:
    letter.status = LetterStatus.HANDED_OVER
    letter.sender = sender
    letter.external_id = external_id[:100]
    letter.handed_over_at = timezone.now()
    letter.attempts += 1
    letter.last_error = ""
    letter.save(
        update_fields=[
            "status",
            "sender",
            "external_id",
            "handed_over_at",
            "attempts",
            "last_error",
        ]
    )
    audit.letter_handed_over(letter)


@transaction.atomic
def do_record_letter_failure(letter: Letter, *, error: str, retryable: bool) -> bool:
    """Record a failed attempt; schedule another if any is left. True if retrying."""
    from vigie.verification.tasks import send_letter

    letter.attempts += 1
    letter.last_error = error[:300]
    retry = retryable and attempts_left(letter.attempts)
    if retry:
        send_letter.using(run_after=next_attempt_at(letter.attempts)).enqueue(letter.pk)
    else:
        letter.status = LetterStatus.FAILED
        ActivationCode.objects.filter(letter=letter, state=CodeState.LIVE).update(
            state=CodeState.REPLACED, closed_at=timezone.now()
        )
        audit.letter_failed(letter)
    letter.save(update_fields=["attempts", "last_error", "status"])
    return retry


@transaction.atomic
def do_mark_letters_posted(letters: list[Letter], *, acting_user: User | None) -> int:
    """Letters left for the post: the codes now run for their full validity from today."""
    now = timezone.now()
    validity = timedelta(days=settings.ACTIVATION_CODE_VALIDITY_DAYS)
    count = 0
    for letter in letters:
        if letter.status != LetterStatus.HANDED_OVER:
            continue
        letter.status = LetterStatus.POSTED
        letter.posted_at = now
        letter.save(update_fields=["status", "posted_at"])
        code = ActivationCode.objects.filter(letter=letter, state=CodeState.LIVE).first()
        if code is not None and code.expires_at < now + validity:
            code.expires_at = now + validity
            code.save(update_fields=["expires_at"])
        audit.letter_posted(letter, actor_id=acting_user.pk if acting_user else None)
        count += 1
    return count


@transaction.atomic
def do_cancel_letter(letter: Letter, *, acting_user: User | None) -> None:
    letter.status = LetterStatus.CANCELLED
    letter.save(update_fields=["status"])
    ActivationCode.objects.filter(letter=letter, state=CodeState.LIVE).update(
        state=CodeState.REPLACED, closed_at=timezone.now()
    )
    audit.letter_cancelled(letter, actor_id=acting_user.pk if acting_user else None)


class _Entry(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED_NOW = "locked_now"


@dataclass(frozen=True)
class _Outcome:
    kind: _Entry
    tries_left: int = 0
    address: Address | None = None


def _no_live_code_error(user: User) -> InvalidInput:
    last = ActivationCode.objects.filter(user=user).order_by("-created_at").first()
    if last is not None and last.state == CodeState.LOCKED:
        message = _(
            "This code was entered wrongly 5 times and no longer works. Ask for a new letter."
        )
        return InvalidInput({"code": [message]}, code="code_locked")
    if last is not None and last.state == CodeState.USED:
        return InvalidInput(
            {"code": [_("Your address is already verified.")]}, code="already_verified"
        )
    return InvalidInput(
        {"code": [_("You have no code waiting. Ask for a letter first.")]}, code="no_code"
    )


def do_enter_activation_code(user: User, *, code: str) -> Address:
    """Check the code from the letter; the right one verifies the address.

    Not one transaction: a wrong entry must be counted (and committed) even
    though the caller then gets an error.
    """
    normalized = normalize_code(code)
    if not is_well_formed(normalized):
        raise InvalidInput(
            {
                "code": [
                    _("A code has 10 letters and digits, like K7QM-R2XD-9F (no 0, 1, I, L or O).")
                ]
            },
            code="malformed_code",
        )
    outcome = _check_code(user, normalized)
    if outcome.kind is _Entry.ACCEPTED:
        assert outcome.address is not None
        return outcome.address
    if outcome.kind is _Entry.LOCKED_NOW:
        raise InvalidInput(
            {"code": [_("Wrong code, 5 times: this code no longer works. Ask for a new letter.")]},
            code="code_locked",
        )
    raise InvalidInput(
        {
            "code": [
                _("This code is not right. %(count)d tries left.") % {"count": outcome.tries_left}
            ]
        },
        code="wrong_code",
    )


@transaction.atomic
def _check_code(user: User, normalized: str) -> _Outcome:
    now = timezone.now()
    activation = (
        ActivationCode.objects.select_for_update()
        .select_related("address")
        .filter(user=user, state=CodeState.LIVE)
        .first()
    )
    if activation is None:
        raise _no_live_code_error(user)
    if activation.expires_at <= now:
        raise InvalidInput(
            {"code": [_("This code has expired. Ask for a new letter.")]}, code="code_expired"
        )
    if activation.address.moved_out_at is not None:
        raise InvalidInput(
            {"code": [_("This code was for your former address. Ask for a new letter.")]},
            code="code_for_former_address",
        )
    if check_password(normalized, activation.code_hash):
        activation.state = CodeState.USED
        activation.closed_at = now
        activation.save(update_fields=["state", "closed_at"])
        audit.activation_code_accepted(activation)
        address = address_actions.do_mark_address_verified(
            activation.address, method=VerificationMethod.LETTER, acting_user=user
        )
        return _Outcome(_Entry.ACCEPTED, address=address)
    activation.wrong_entries += 1
    locked = activation.wrong_entries >= settings.ACTIVATION_CODE_MAX_WRONG_ENTRIES
    if locked:
        activation.state = CodeState.LOCKED
        activation.closed_at = now
    activation.save(update_fields=["wrong_entries", "state", "closed_at"])
    audit.activation_code_refused(activation, locked=locked)
    if locked:
        return _Outcome(_Entry.LOCKED_NOW)
    return _Outcome(
        _Entry.WRONG,
        tries_left=settings.ACTIVATION_CODE_MAX_WRONG_ENTRIES - activation.wrong_entries,
    )


@transaction.atomic
def do_move_home(
    user: User, data: AddressInput, *, acting_user: User, field_prefix: str = ""
) -> Address:
    """A new home address: the old one ends, the account is unverified until the new letter."""
    clean = address_actions.clean_address(data, field_prefix=field_prefix)
    check_letter_limits(user, fingerprint=clean.fingerprint)
    ActivationCode.objects.filter(user=user, state=CodeState.LIVE).update(
        state=CodeState.REPLACED, closed_at=timezone.now()
    )
    address = address_actions.do_set_home_address(user, clean, acting_user=acting_user)
    do_request_letter(user, reason=LetterReason.MOVE, acting_user=acting_user)
    return address
