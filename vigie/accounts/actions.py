"""Writers for accounts: every change to a person's account goes through here."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import (
    DISPLAY_NAME_MAX_LENGTH,
    TOKEN_NAME_MAX_LENGTH,
    AccessToken,
    EmailChange,
    Language,
    RecoveryCode,
    RecoveryCodeDevice,
    TOTPDevice,
    User,
    UserSession,
    normalize_recovery_code,
)
from vigie.accounts.password_policy import PASSWORD_CONTEXT_ATTRIBUTE
from vigie.addresses.actions import AddressInput, clean_address, do_set_home_address
from vigie.addresses.text import strip_accents
from vigie.audit import events as audit
from vigie.lib.codes import readable_code
from vigie.lib.errors import Conflict, Forbidden, InvalidInput, Message
from vigie.lib.security_log import log_security_event
from vigie.lib.tokens import digest, new_secret
from vigie.lib.validators import clean_person_name, clean_single_line, normalize_email
from vigie.moderation import terms
from vigie.moderation.access import address_is_banned
from vigie.moderation.models import TermsAcceptance
from vigie.notifications.actions import queue_email
from vigie.privacy.consents import record_privacy_policy_read
from vigie.verification.actions import (
    BANNED_ADDRESS,
    LetterLimitReached,
    do_release_waiting_letters,
    do_request_letter,
)
from vigie.verification.models import LetterReason

MAX_ACTIVE_TOKENS = 20
# 24 characters of 31 (lib/codes.READABLE_ALPHABET): 118.9 bits, above the 112 bits that let a
# lookup secret be kept as a plain SHA-256 digest (ASVS 6.5.2); shown in six groups of four.
# Codes made before, shorter, still work until they are used or replaced.
RECOVERY_CODE_LENGTH = 24

T = TypeVar("T")


class _Checker:
    """Collects every field's error so a form shows them all at once."""

    def __init__(self) -> None:
        self.errors: dict[str, list[Message]] = {}

    def check(self, field: str, clean: Callable[[], T]) -> T | None:
        try:
            return clean()
        except ValidationError as error:
            self.errors.setdefault(field, []).extend(error.messages)
            return None

    def check_invalid(self, clean: Callable[[], T]) -> T | None:
        """Like check, for a cleaner raising InvalidInput with its own fields."""
        try:
            return clean()
        except InvalidInput as error:
            for field, messages in error.errors.items():
                self.errors.setdefault(field, []).extend(messages)
            return None

    def add(self, field: str, message: Message) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


def _display_name(first_name: str, last_name: str, nickname: str = "") -> str:
    """What neighbours see: the chosen nickname, or the first name and last initial."""
    if nickname:
        return nickname
    initial = next((character for character in last_name if character.isalpha()), "")
    name = f"{first_name} {initial.upper()}." if initial else first_name
    return name[:DISPLAY_NAME_MAX_LENGTH]


# Names only the team and town halls may take, so nobody can pass for them.
_RESERVED_IN_NICKNAMES = ("vigie", "mairie", "moderat", "admin", "equipe", "police", "gendarm")


def clean_nickname(value: str) -> str:
    """A nickname: one line, some letters, nobody's contact details, no official title."""
    nickname = clean_single_line(value, max_length=DISPLAY_NAME_MAX_LENGTH, required=False)
    if not nickname:
        return ""
    folded = strip_accents(nickname).lower()
    if not any(character.isalpha() for character in nickname):
        raise ValidationError(_("A nickname contains letters."), code="no_letter")
    if "@" in nickname or "http" in folded or "www." in folded:
        raise ValidationError(
            _("A nickname cannot hold an e-mail or a web address."), code="contact"
        )
    if re.search(r"[0-9][0-9 .-]{5,}[0-9]", nickname):
        raise ValidationError(_("A nickname cannot hold a phone number."), code="contact")
    if any(word in folded for word in _RESERVED_IN_NICKNAMES):
        raise ValidationError(
            _("This nickname is kept for the team and town halls: choose another."),
            code="reserved",
        )
    return nickname


def _language(value: str | None) -> str:
    return value if value in Language.values else Language.FRENCH


@transaction.atomic
def do_register_user(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    address: AddressInput,
    nickname: str | None = None,
    language: str | None = None,
    address_field_prefix: str = "",
    accept_terms: bool = False,
) -> User | None:
    """Create an unconfirmed account with its home address; queue its letter.

    The confirmation link goes by e-mail; the letter with the activation code
    waits for that confirmation. When the e-mail address already has an
    account, nothing is created: its owner gets an e-mail instead, and the
    caller answers exactly as for a new account, so sign-up never reveals who
    is registered. Returns the new account, or None (callers must not let
    that difference show).
    """
    checker = _Checker()
    home = checker.check_invalid(lambda: clean_address(address, field_prefix=address_field_prefix))
    clean_email = checker.check("email", lambda: normalize_email(email))
    clean_first = checker.check("first_name", lambda: clean_person_name(first_name))
    clean_last = checker.check("last_name", lambda: clean_person_name(last_name))
    clean_nick = checker.check("nickname", lambda: clean_nickname(nickname or "")) or ""
    candidate = User(
        email=clean_email or "",
        first_name=clean_first or "",
        last_name=clean_last or "",
        nickname=clean_nick,
    )
    if home is not None:
        # Not saved yet: the policy learns the commune from here (ASVS 6.2.11).
        setattr(candidate, PASSWORD_CONTEXT_ATTRIBUTE, [home.commune])
    checker.check("password", lambda: password_validation.validate_password(password, candidate))
    if not accept_terms:
        checker.add("accept_terms", _("Read and accept the terms of use to join."))
    if home is not None and address_is_banned(home.fingerprint):
        checker.add(f"{address_field_prefix}street", BANNED_ADDRESS)
    checker.raise_if_any()
    assert clean_email
    assert clean_first
    assert clean_last

    existing = User.objects.filter(email=clean_email).first()
    if existing is not None:
        # Spend the time a new account's hash would take, so timing tells nothing either.
        make_password(password)
        queue_email(
            "sign_up_existing",
            to=existing.email,
            language=existing.language,
            user_id=existing.pk,
        )
        return None

    user = User(
        email=clean_email,
        first_name=clean_first,
        last_name=clean_last,
        nickname=clean_nick,
        display_name=_display_name(clean_first, clean_last, clean_nick),
        language=_language(language),
        accepted_terms_version=terms.CURRENT.number,
    )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Another sign-up with this address won the race: answer as for an existing one.
        winner = User.objects.filter(email=clean_email).first()
        if winner is not None:
            queue_email(
                "sign_up_existing", to=winner.email, language=winner.language, user_id=winner.pk
            )
        return None
    audit.user_registered(user)
    TermsAcceptance.objects.create(user=user, version=terms.CURRENT.number)
    audit.terms_accepted(user, version=terms.CURRENT.number)
    # The sign-up form links the privacy policy next to the terms.
    record_privacy_policy_read(user)
    assert home is not None
    do_set_home_address(user, home, acting_user=user)
    # When the address had its letters lately, the verification page says when to ask.
    with contextlib.suppress(LetterLimitReached):
        do_request_letter(user, reason=LetterReason.SIGN_UP, acting_user=user)
    queue_email("confirm_sign_up", to=user.email, language=user.language, user_id=user.pk)
    return user


@transaction.atomic
def do_confirm_email(user: User) -> bool:
    """Mark the account's address as confirmed; False if it already was."""
    if user.email_confirmed_at is not None:
        return False
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["email_confirmed_at"])
    audit.email_confirmed(user)
    do_release_waiting_letters(user)
    return True


@transaction.atomic
def do_resend_email_confirmation(user: User) -> None:
    if user.email_confirmed_at is None:
        queue_email("confirm_sign_up", to=user.email, language=user.language, user_id=user.pk)


@transaction.atomic
def do_update_profile(
    user: User,
    *,
    acting_user: User,
    first_name: str | None = None,
    last_name: str | None = None,
    nickname: str | None = None,
    language: str | None = None,
) -> User:
    """Names, nickname, language; the display name follows the names and the nickname."""
    checker = _Checker()
    changes: dict[str, str] = {}
    if first_name is not None:
        value = checker.check("first_name", lambda: clean_person_name(first_name))
        changes["first_name"] = value or ""
    if last_name is not None:
        value = checker.check("last_name", lambda: clean_person_name(last_name))
        changes["last_name"] = value or ""
    if nickname is not None:
        changes["nickname"] = checker.check("nickname", lambda: clean_nickname(nickname)) or ""
    if language is not None:
        if language not in Language.values:
            checker.add("language", _("Choose French or English."))
        changes["language"] = language
    checker.raise_if_any()
    changes["display_name"] = _display_name(
        changes.get("first_name", user.first_name),
        changes.get("last_name", user.last_name),
        changes.get("nickname", user.nickname),
    )
    changed = [field for field, value in changes.items() if getattr(user, field) != value]
    if changed:
        for field in changed:
            setattr(user, field, changes[field])
        user.save(update_fields=changed)
        audit.profile_updated(user, actor_id=acting_user.pk, fields=changed)
    return user


def _validate_new_password(user: User, password: str) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise InvalidInput({"new_password": error.messages}) from None


def _revoke_access_tokens(user: User, *, reason: str) -> None:
    """A changed password ends every token too: a thief's copy must die with it."""
    tokens = list(AccessToken.objects.filter(user=user, revoked_at__isnull=True))
    AccessToken.objects.filter(pk__in=[token.pk for token in tokens]).update(
        revoked_at=timezone.now()
    )
    for token in tokens:
        audit.access_token_revoked(token, actor_id=user.pk)


def _end_sessions(user: User, *, keep_session_key: str | None) -> int:
    sessions = UserSession.objects.filter(user=user)
    if keep_session_key:
        sessions = sessions.exclude(session_key=keep_session_key)
    count, _deleted = sessions.delete()
    return count


@transaction.atomic
def do_change_password(
    user: User, *, current_password: str, new_password: str, keep_session_key: str | None
) -> None:
    """Change a password knowing the current one; every other session ends."""
    if not user.check_password(current_password):
        raise InvalidInput(
            {"current_password": [_("This is not your current password.")]},
            code="wrong_password",
        )
    _validate_new_password(user, new_password)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.password_changed(user, actor_id=user.pk, method="change")
    _revoke_access_tokens(user, reason="password_changed")
    ended = _end_sessions(user, keep_session_key=keep_session_key)
    if ended:
        audit.sessions_ended(user, actor_id=user.pk, count=ended, reason="password_changed")
    queue_email("password_changed", to=user.email, language=user.language, user_id=user.pk)


@transaction.atomic
def do_request_password_reset(*, email: str) -> None:
    """Ask for a reset link; the worker mails it if the address has an active account.

    The request itself does the same work whether the account exists or not
    (one task row), so neither its answer nor its timing tells.
    """
    from vigie.accounts.tasks import mail_password_reset

    try:
        clean_email = normalize_email(email)
    except ValidationError as error:
        raise InvalidInput({"email": error.messages}) from None
    mail_password_reset.enqueue(clean_email)


@transaction.atomic
def do_queue_password_reset_email(*, email: str) -> bool:
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None:
        return False
    queue_email("password_reset", to=user.email, language=user.language, user_id=user.pk)
    return True


@transaction.atomic
def do_reset_password(user: User, *, new_password: str) -> None:
    """Set a new password from a reset link: the link dies, every session ends."""
    _validate_new_password(user, new_password)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    # Receiving the link proves the address, as a confirmation link would.
    if user.email_confirmed_at is None:
        do_confirm_email(user)
    audit.password_changed(user, actor_id=user.pk, method="reset")
    _revoke_access_tokens(user, reason="password_reset")
    ended = _end_sessions(user, keep_session_key=None)
    if ended:
        audit.sessions_ended(user, actor_id=user.pk, count=ended, reason="password_reset")
    queue_email("password_changed", to=user.email, language=user.language, user_id=user.pk)


@transaction.atomic
def do_request_email_change(user: User, *, password: str, new_email: str) -> EmailChange:
    """Start moving the account to a new address, after asking for the password again."""
    checker = _Checker()
    if not user.check_password(password):
        checker.add("password", _("This is not your current password."))
    clean_email = checker.check("new_email", lambda: normalize_email(new_email))
    if clean_email is not None and clean_email == user.email:
        checker.add("new_email", _("This is already your e-mail address."))
    checker.raise_if_any()
    assert clean_email is not None
    now = timezone.now()
    EmailChange.objects.filter(
        user=user, confirmed_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=now)
    change = EmailChange.objects.create(user=user, new_email=clean_email, requested_at=now)
    audit.email_change_requested(change)
    # The link goes to the new address: proof that it is the person's.
    queue_email(
        "email_change_confirm",
        to=clean_email,
        language=user.language,
        user_id=user.pk,
        context={"change_id": change.pk},
    )
    return change


@transaction.atomic
def do_confirm_email_change(change: EmailChange) -> User:
    change = EmailChange.objects.select_for_update().select_related("user").get(pk=change.pk)
    if not change.is_pending:
        raise Conflict(_("This change was already made or cancelled."), code="not_pending")
    user = change.user
    if User.objects.filter(email=change.new_email).exclude(pk=user.pk).exists():
        raise Conflict(
            _("Another account already uses this address; the change cannot be made."),
            code="email_taken",
        )
    old_email = user.email
    user.email = change.new_email
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["email", "email_confirmed_at"])
    change.confirmed_at = user.email_confirmed_at
    change.save(update_fields=["confirmed_at"])
    audit.email_changed(change)
    # The old address is told, in case someone else made the change.
    queue_email(
        "email_changed_notice",
        to=old_email,
        language=user.language,
        user_id=user.pk,
        context={"change_id": change.pk},
    )
    return user


@transaction.atomic
def do_end_session(user: User, *, session: UserSession) -> None:
    session.delete()
    audit.sessions_ended(user, actor_id=user.pk, count=1, reason="ended_by_user")


@transaction.atomic
def do_end_other_sessions(user: User, *, current_session_key: str | None) -> int:
    ended = _end_sessions(user, keep_session_key=current_session_key)
    if ended:
        audit.sessions_ended(user, actor_id=user.pk, count=ended, reason="ended_by_user")
    return ended


@transaction.atomic
def do_end_member_sessions(subject: User, *, acting_user: User) -> int:
    """The team ends every session of a member, and revokes their tokens, without
    closing the account (ASVS 7.4.5): a stolen phone, an account taken over.

    Ended at once, even where a copy sits in the cache (tombstones, session_store). The
    member logs in again with their password; returns how many sessions ended.
    """
    if not acting_user.is_staff:
        raise Forbidden(_("Only the team may do this."), code="team_only")
    ended = _end_sessions(subject, keep_session_key=None)
    tokens = list(AccessToken.objects.filter(user=subject, revoked_at__isnull=True))
    AccessToken.objects.filter(pk__in=[token.pk for token in tokens]).update(
        revoked_at=timezone.now()
    )
    for token in tokens:
        audit.access_token_revoked(token, actor_id=acting_user.pk)
    audit.sessions_ended(subject, actor_id=acting_user.pk, count=ended, reason="ended_by_team")
    transaction.on_commit(
        lambda: log_security_event(
            "sessions_ended",
            outcome="ended_by_team",
            user_id=acting_user.pk,
            subject_id=subject.pk,
            count=ended,
            tokens=len(tokens),
        )
    )
    return ended


@transaction.atomic
def do_end_all_sessions(*, dry_run: bool = False, batch_size: int = 1000) -> int:
    """Every session of everyone ends (after a compromise: `manage.py end_all_sessions`).

    Each ended session leaves its tombstone, so no cached copy outlives it; one audit
    entry per account whose sessions ended (actor: none, the operator at the console).
    Returns how many sessions ended (or would, with ``dry_run``).
    """
    sessions = UserSession.objects.all()
    total = sessions.count()
    if dry_run or not total:
        return total
    counts: dict[int, int] = {}
    for user_id in sessions.exclude(user=None).values_list("user_id", flat=True).iterator():
        counts[user_id] = counts.get(user_id, 0) + 1
    keys = list(sessions.values_list("session_key", flat=True))
    for start in range(0, len(keys), batch_size):
        # Each deletion leaves the session's tombstone (accounts.caching), as for one person.
        UserSession.objects.filter(session_key__in=keys[start : start + batch_size]).delete()
    for user in User.objects.filter(pk__in=counts):
        audit.sessions_ended(user, actor_id=None, count=counts[user.pk], reason="ended_by_operator")
    transaction.on_commit(
        lambda: log_security_event("sessions_ended", outcome="ended_by_operator", count=total)
    )
    return total


@transaction.atomic
def do_create_access_token(
    user: User, *, name: str, with_second_factor: bool
) -> tuple[AccessToken, str]:
    """Create a personal access token; the secret is returned once and never stored.

    A team member's token lives as long as a team session at most (12 hours).
    """
    try:
        clean_name = clean_single_line(name, max_length=TOKEN_NAME_MAX_LENGTH)
    except ValidationError as error:
        raise InvalidInput({"name": error.messages}) from None
    if AccessToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_TOKENS:
        raise Conflict(
            _("You already have %(count)d active tokens; revoke one first.")
            % {"count": MAX_ACTIVE_TOKENS},
            code="too_many_tokens",
        )
    secret = new_secret("vigie_")
    token = AccessToken.objects.create(
        user=user,
        name=clean_name,
        digest=digest(secret),
        prefix=secret[:12],
        with_second_factor=with_second_factor,
        expires_at=timezone.now() + settings.STAFF_SESSION_MAX_AGE if user.is_privileged else None,
    )
    audit.access_token_created(token)
    return token, secret


@transaction.atomic
def do_revoke_access_token(token: AccessToken, *, acting_user: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.access_token_revoked(token, actor_id=acting_user.pk)


@transaction.atomic
def do_start_totp_enrolment(user: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for the enrolment page's QR code."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [readable_code(RECOVERY_CODE_LENGTH) for _ in range(settings.RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(device=device, digest=digest(normalize_recovery_code(code))) for code in codes
    )
    return codes


@transaction.atomic
def do_confirm_totp_enrolment(
    user: User, *, device: TOTPDevice, code: str, keep_session_key: str | None
) -> list[str]:
    """Confirm the authenticator with a first code; returns new recovery codes (shown once).

    Every other session ends: they did not pass this second factor.
    """
    if device.user_id != user.pk or device.confirmed:
        raise InvalidInput({"code": [_("Start the enrolment again.")]}, code="enrolment_expired")
    if not device.verify_token(code.replace(" ", "")):
        raise InvalidInput(
            {"code": [_("This code is not right. Check your device's clock and try again.")]},
            code="invalid_second_factor",
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.second_factor_enrolled(user)
    codes = _new_recovery_codes(user)
    audit.recovery_codes_generated(user)
    ended = _end_sessions(user, keep_session_key=keep_session_key)
    if ended:
        audit.sessions_ended(user, actor_id=user.pk, count=ended, reason="second_factor_enrolled")
    return codes


@transaction.atomic
def do_use_recovery_code(device: RecoveryCodeDevice, *, code: str) -> bool:
    """Spend one recovery code (each works once); the audit log records it."""
    used = device.codes.filter(
        digest=digest(normalize_recovery_code(code)), used_at__isnull=True
    ).update(used_at=timezone.now())
    if used:
        audit.recovery_code_used(
            device.user, codes_left=device.codes.filter(used_at__isnull=True).count()
        )
    return used == 1


@transaction.atomic
def do_regenerate_recovery_codes(user: User) -> list[str]:
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise Conflict(_("Set up an authenticator app first."), code="no_second_factor")
    codes = _new_recovery_codes(user)
    audit.recovery_codes_generated(user)
    return codes


@transaction.atomic
def do_remove_second_factor(user: User, *, password: str) -> None:
    if user.is_privileged:
        raise Forbidden(
            _("The team and town halls must keep their second factor."),
            code="second_factor_required",
        )
    if not user.check_password(password):
        raise InvalidInput({"password": [_("This is not your current password.")]})
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    audit.second_factor_removed(user, actor_id=user.pk)


# How stale a token's "last used" may get before a request refreshes it.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def do_note_access_token_use(token: AccessToken) -> None:
    """Refresh the token's last-used time, at most once a minute (a single UPDATE)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


@transaction.atomic
def do_create_account(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    acting_user: User | None,
    is_staff: bool = False,
) -> User:
    """Create an account whose address is already known good (staff invitation, demo).

    The password must meet the policy like anyone's; no e-mail is sent.
    """
    checker = _Checker()
    clean_email = checker.check("email", lambda: normalize_email(email))
    clean_first = checker.check("first_name", lambda: clean_person_name(first_name))
    clean_last = checker.check("last_name", lambda: clean_person_name(last_name))
    candidate = User(
        email=clean_email or "", first_name=clean_first or "", last_name=clean_last or ""
    )
    checker.check("password", lambda: password_validation.validate_password(password, candidate))
    checker.raise_if_any()
    assert clean_email
    assert clean_first
    assert clean_last
    if User.objects.filter(email=clean_email).exists():
        raise Conflict(_("An account already uses this address."), code="email_taken")
    user = User(
        email=clean_email,
        first_name=clean_first,
        last_name=clean_last,
        display_name=_display_name(clean_first, clean_last),
        is_staff=is_staff,
        email_confirmed_at=timezone.now(),
    )
    user.set_password(password)
    user.save()
    audit.account_created(user, actor_id=acting_user.pk if acting_user else None)
    return user


@transaction.atomic
def do_enrol_known_authenticator(user: User, *, secret_hex: str) -> TOTPDevice:
    """Attach an authenticator with a given secret (the demo's, printed by demo_code)."""
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(
        user=user, name="authenticator", key=secret_hex, confirmed=True
    )
    audit.second_factor_enrolled(user)
    return device


@transaction.atomic
def do_close_account(user: User, *, acting_user: User, reason: str) -> None:
    """Closed by moderation (a ban): no log-in, every session and token ends.

    The account stays, so that a ban overturned on appeal can reopen it.
    """
    user.is_active = False
    user.save(update_fields=["is_active"])
    _end_sessions(user, keep_session_key=None)
    AccessToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.account_closed(user, actor_id=acting_user.pk, reason=reason)


@transaction.atomic
def do_reopen_account(user: User, *, acting_user: User, reason: str) -> None:
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.account_reopened(user, actor_id=acting_user.pk, reason=reason)
