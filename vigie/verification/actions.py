"""Writers for verification: letters, activation codes, moving home."""

from __future__ import annotations

import enum
import zlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

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

# Every letter asked for counts towards the limits, even one a newer request
# cancelled before it was printed; one that failed on our side does not.
_NOT_COUNTED = [LetterStatus.FAILED]
# Letters not posted yet: a newer letter, or a move, cancels them.
_UNPOSTED = [
    LetterStatus.AWAITING_EMAIL,
    LetterStatus.AWAITING_REVIEW,
    LetterStatus.QUEUED,
    LetterStatus.PREPARING,
    LetterStatus.HANDED_OVER,
]
# A letter left this long in these states lost its task (a crash): it is queued again.
STUCK_AFTER = timedelta(hours=2)


class LetterLimitReached(RateLimited):
    code = "letter_limit"
    default_message = _("Too many letters were sent recently for this account or this address.")


def _end_of_local_day(moment: datetime) -> datetime:
    """Codes run to the end of the printed day, in France's time, not to the minute."""
    day = timezone.localtime(moment).date()
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _lock_letters_of(user: User, building_fingerprint: str) -> None:
    """Serialise letter requests per account and per building, so limits hold under races."""
    User.objects.select_for_update().filter(pk=user.pk).exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)",
                [zlib.crc32(building_fingerprint.encode()) + 1_000_000_000],
            )
    # SQLite: IMMEDIATE transactions already run one at a time.


def check_letter_limits(user: User, *, fingerprint: str, building_fingerprint: str) -> None:
    """Raise LetterLimitReached when the account, the home or the building had its letters."""
    now = timezone.now()
    window = timedelta(days=settings.LETTER_LIMIT_WINDOW_DAYS)
    recent = Letter.objects.filter(created_at__gte=now - window).exclude(status__in=_NOT_COUNTED)
    for letters, limit in (
        (recent.filter(user=user), settings.LETTERS_PER_ACCOUNT),
        (recent.filter(address_fingerprint=fingerprint), settings.LETTERS_PER_ADDRESS),
        (recent.filter(building_fingerprint=building_fingerprint), settings.LETTERS_PER_BUILDING),
    ):
        if letters.count() >= limit:
            oldest = letters.aggregate(oldest=Min("created_at"))["oldest"]
            free_at = oldest + window
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


def _replace_live_codes(user: User) -> None:
    for code in ActivationCode.objects.filter(user=user, state=CodeState.LIVE):
        code.state = CodeState.REPLACED
        code.closed_at = timezone.now()
        code.save(update_fields=["state", "closed_at"])
        audit.activation_code_replaced(code)


def _cancel_unposted_letters(user: User, *, acting_user: User | None, reason: str) -> None:
    """Letters not posted yet are cancelled; those already with the printer are withdrawn."""
    from vigie.verification.tasks import withdraw_letter

    for letter in Letter.objects.select_for_update().filter(user=user, status__in=_UNPOSTED):
        handed_over = letter.status == LetterStatus.HANDED_OVER
        _set_status(letter, LetterStatus.CANCELLED)
        audit.letter_cancelled(
            letter, actor_id=acting_user.pk if acting_user else None, reason=reason
        )
        if handed_over:
            # Enqueued in this transaction: it runs if and only if the cancellation commits.
            withdraw_letter.enqueue(letter.pk)
    _replace_live_codes(user)


def _set_status(letter: Letter, status: LetterStatus) -> None:
    letter.status = status
    letter.status_changed_at = timezone.now()
    letter.save(update_fields=["status", "status_changed_at"])


def _waiting_status(user: User, address: Address) -> LetterStatus:
    if user.email_confirmed_at is None:
        return LetterStatus.AWAITING_EMAIL
    if address.needs_review:
        return LetterStatus.AWAITING_REVIEW
    return LetterStatus.QUEUED


@transaction.atomic
def do_request_letter(user: User, *, reason: LetterReason, acting_user: User) -> Letter:
    """Queue a letter with a new code to the account's current, unverified address.

    The previous letter, if not posted yet, is cancelled (or withdrawn from
    the printer), and its code stops working at once. The new one waits for
    the e-mail confirmation when the address is not confirmed yet, so nobody
    can make Vigie post letters from a throw-away account, and for a
    person's check when the home address was typed by hand.
    """
    address = Address.objects.filter(user=user, moved_out_at__isnull=True).first()
    if address is None:
        raise Conflict(_("Give your home address first."), code="no_address")
    if address.is_verified:
        raise Conflict(_("Your address is already verified."), code="already_verified")
    _lock_letters_of(user, address.building_fingerprint)
    check_letter_limits(
        user, fingerprint=address.fingerprint, building_fingerprint=address.building_fingerprint
    )
    _cancel_unposted_letters(user, acting_user=acting_user, reason="replaced")
    letter = Letter.objects.create(
        user=user,
        address=address,
        address_fingerprint=address.fingerprint,
        building_fingerprint=address.building_fingerprint,
        reason=reason,
        status=_waiting_status(user, address),
    )
    audit.letter_requested(letter, actor_id=acting_user.pk)
    if letter.status == LetterStatus.QUEUED:
        _enqueue_send(letter)
    return letter


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
            _set_status(letter, status)
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
def do_claim_letter(letter_id: int) -> Letter | None:
    """The sending task takes the letter; a second task for it finds nothing to do."""
    letter = (
        Letter.objects.select_for_update()
        .select_related("user", "address")
        .filter(pk=letter_id, status=LetterStatus.QUEUED)
        .first()
    )
    if letter is not None:
        _set_status(letter, LetterStatus.PREPARING)
    return letter


@transaction.atomic
def do_issue_activation_code(letter: Letter, *, code: str) -> ActivationCode:
    """Store the hash of the code printed in ``letter``; it replaces any live code."""
    now = timezone.now()
    _replace_live_codes(letter.user)
    ActivationCode.objects.filter(letter=letter).delete()  # an earlier attempt's code never left
    activation = ActivationCode.objects.create(
        user_id=letter.user_id,
        address_id=letter.address_id,
        letter=letter,
        code_hash=make_password(normalize_code(code)),
        created_at=now,
        expires_at=_end_of_local_day(
            now
            + timedelta(
                days=settings.ACTIVATION_CODE_VALIDITY_DAYS + settings.LETTER_POSTING_MARGIN_DAYS
            )
        ),
    )
    audit.activation_code_issued(activation)
    return activation


@transaction.atomic
def do_record_sending_created(letter: Letter, *, external_id: str) -> None:
    """Remember a sending as soon as it exists, so a failed attempt can clear it."""
    Letter.objects.filter(pk=letter.pk).update(external_id=external_id[:100])
    letter.external_id = external_id[:100]


@transaction.atomic
def do_record_letter_handed_over(letter: Letter, *, sender: str, external_id: str) -> bool:
    """The sender has it. False when the letter was cancelled meanwhile: withdraw it."""
    current = Letter.objects.select_for_update().get(pk=letter.pk)
    current.sender = sender
    current.external_id = external_id[:100]
    current.handed_over_at = timezone.now()
    current.attempts += 1
    current.last_error = ""
    if current.status != LetterStatus.PREPARING:
        current.save(
            update_fields=["sender", "external_id", "handed_over_at", "attempts", "last_error"]
        )
        return False
    current.status = LetterStatus.HANDED_OVER
    current.status_changed_at = current.handed_over_at
    current.save()
    audit.letter_handed_over(current)
    return True


@transaction.atomic
def do_record_letter_failure(
    letter: Letter, *, error: str, retryable: bool, limited: bool = True
) -> bool:
    """Record a failed attempt; schedule another if any is left. True if retrying.

    ``limited=False`` (the spool folder refused: the letter is not at fault)
    retries however many attempts were made, at the capped back-off.
    """
    from vigie.verification.tasks import send_letter

    current = Letter.objects.select_for_update().get(pk=letter.pk)
    current.attempts += 1
    current.last_error = error[:300]
    if current.status not in (LetterStatus.PREPARING, LetterStatus.HANDED_OVER):
        current.save(update_fields=["attempts", "last_error"])  # cancelled meanwhile
        return False
    retry = retryable and (not limited or attempts_left(current.attempts))
    if retry:
        current.status = LetterStatus.QUEUED
        send_letter.using(run_after=next_attempt_at(current.attempts)).enqueue(current.pk)
    else:
        current.status = LetterStatus.FAILED
        _replace_live_codes(current.user)
        audit.letter_failed(current)
    current.status_changed_at = timezone.now()
    current.save()
    return retry


@transaction.atomic
def do_record_letter_withdrawn(letter: Letter, *, withdrawn: bool) -> None:
    audit.letter_withdrawn(letter, withdrawn=withdrawn)


@transaction.atomic
def do_mark_letters_posted(letters: list[Letter], *, acting_user: User | None) -> int:
    """Letters left for the post: the codes now run for their full validity from today."""
    now = timezone.now()
    valid_until = _end_of_local_day(now + timedelta(days=settings.ACTIVATION_CODE_VALIDITY_DAYS))
    count = 0
    for letter in Letter.objects.select_for_update().filter(
        pk__in=[letter.pk for letter in letters], status=LetterStatus.HANDED_OVER
    ):
        letter.status = LetterStatus.POSTED
        letter.posted_at = now
        letter.status_changed_at = now
        letter.save(update_fields=["status", "posted_at", "status_changed_at"])
        code = ActivationCode.objects.filter(letter=letter, state=CodeState.LIVE).first()
        if code is not None and code.expires_at < valid_until:
            code.expires_at = valid_until
            code.save(update_fields=["expires_at"])
        audit.letter_posted(letter, actor_id=acting_user.pk if acting_user else None)
        count += 1
    return count


@transaction.atomic
def do_requeue_stuck_letters() -> int:
    """Letters whose sending task was lost (a crash, a restart) are queued again."""
    stuck = Letter.objects.select_for_update().filter(
        status__in=[LetterStatus.QUEUED, LetterStatus.PREPARING],
        status_changed_at__lt=timezone.now() - STUCK_AFTER,
    )
    count = 0
    for letter in stuck:
        _set_status(letter, LetterStatus.QUEUED)
        _enqueue_send(letter)
        count += 1
    return count


class _Entry(enum.Enum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    LOCKED_NOW = "locked_now"
    REFUSED = "refused"


@dataclass(frozen=True)
class _Outcome:
    kind: _Entry
    tries_left: int = 0
    address: Address | None = None
    error: InvalidInput | None = None


def _refused_entry(user: User, reason: str, message: object, *, code: str) -> InvalidInput:
    audit.activation_entry_refused(user, reason=reason)
    return InvalidInput({"code": [message]}, code=code)  # type: ignore[list-item]


def _no_live_code_error(user: User) -> InvalidInput:
    last = ActivationCode.objects.filter(user=user).order_by("-created_at").first()
    if last is not None and last.state == CodeState.LOCKED:
        return _refused_entry(
            user,
            "locked",
            _(
                "This code was entered wrongly too many times and no longer works. "
                "Ask for a new letter."
            ),
            code="code_locked",
        )
    if last is not None and last.state == CodeState.USED:
        return _refused_entry(
            user,
            "already_verified",
            _("Your address is already verified."),
            code="already_verified",
        )
    return _refused_entry(
        user, "no_code", _("You have no code waiting. Ask for a letter first."), code="no_code"
    )


def do_enter_activation_code(user: User, *, code: str) -> Address:
    """Check the code from the letter; the right one verifies the address.

    Not one transaction: a wrong entry must be counted (and committed) even
    though the caller then gets an error.
    """
    normalized = normalize_code(code)
    if not is_well_formed(normalized):
        raise _record_malformed_entry(user)
    outcome = _check_code(user, normalized)
    if outcome.error is not None:
        raise outcome.error
    if outcome.kind is _Entry.ACCEPTED:
        assert outcome.address is not None
        return outcome.address
    if outcome.kind is _Entry.LOCKED_NOW:
        raise InvalidInput(
            {
                "code": [
                    _("Wrong code too many times: this code no longer works. Ask for a new letter.")
                ]
            },
            code="code_locked",
        )
    raise InvalidInput(
        {
            "code": [
                ngettext_lazy(
                    "This code is not right. %(count)d try left.",
                    "This code is not right. %(count)d tries left.",
                    "count",
                )
                % {"count": outcome.tries_left}
            ]
        },
        code="wrong_code",
    )


@transaction.atomic
def _record_malformed_entry(user: User) -> InvalidInput:
    return _refused_entry(
        user,
        "malformed",
        _("A code has 10 letters and digits, like K7QM-R2XD-9F (no 0, 1, I, L or O)."),
        code="malformed_code",
    )


@transaction.atomic
def _check_code(user: User, normalized: str) -> _Outcome:
    """Compare and count, in one transaction that always commits (errors are returned)."""
    now = timezone.now()
    activation = (
        ActivationCode.objects.select_for_update()
        .select_related("address")
        .filter(user=user, state=CodeState.LIVE)
        .first()
    )
    if activation is None:
        return _Outcome(_Entry.REFUSED, error=_no_live_code_error(user))
    if activation.expires_at <= now:
        return _Outcome(
            _Entry.REFUSED,
            error=_refused_entry(
                user,
                "expired",
                _("This code has expired. Ask for a new letter."),
                code="code_expired",
            ),
        )
    if activation.address.moved_out_at is not None:
        return _Outcome(
            _Entry.REFUSED,
            error=_refused_entry(
                user,
                "former_address",
                _("This code was for your former address. Ask for a new letter."),
                code="code_for_former_address",
            ),
        )
    if check_password(normalized, activation.code_hash):
        activation.state = CodeState.USED
        activation.closed_at = now
        activation.save(update_fields=["state", "closed_at"])
        audit.activation_code_accepted(activation)
        address = do_complete_verification(
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
def do_complete_verification(
    address: Address, *, method: VerificationMethod, acting_user: User
) -> Address:
    """The home is proven (letter, town hall counter, team): its communities open."""
    from vigie.communities.actions import do_place_resident

    address = address_actions.do_mark_address_verified(
        address, method=method, acting_user=acting_user
    )
    _cancel_unposted_letters(address.user, acting_user=acting_user, reason="verified")
    do_place_resident(address, acting_user=acting_user)
    return address


BANNED_ADDRESS = _("This address cannot join Vigie for now.")


@transaction.atomic
def do_move_home(
    user: User, data: AddressInput, *, acting_user: User, field_prefix: str = ""
) -> Address:
    """A new home address: the old one ends, the account is unverified until the new letter."""
    clean = address_actions.clean_address(data, field_prefix=field_prefix)
    from vigie.communities.actions import do_end_memberships
    from vigie.moderation.access import address_is_banned

    if address_is_banned(clean.fingerprint):
        raise InvalidInput({f"{field_prefix}street": [BANNED_ADDRESS]})
    _lock_letters_of(user, clean.building_fingerprint)
    check_letter_limits(
        user, fingerprint=clean.fingerprint, building_fingerprint=clean.building_fingerprint
    )
    do_end_memberships(user, reason="moved", acting_user=acting_user)
    address = address_actions.do_set_home_address(user, clean, acting_user=acting_user)
    do_request_letter(user, reason=LetterReason.MOVE, acting_user=acting_user)
    return address
