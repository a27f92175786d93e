"""Reads on a person's behalf: their sessions, their tokens, the targets of their links."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from vigie.accounts.links import EMAIL_CHANGE_SALT, SIGN_UP_CONFIRMATION_SALT
from vigie.accounts.models import (
    AccessToken,
    EmailChange,
    RecoveryCode,
    TOTPDevice,
    User,
    UserSession,
)
from vigie.lib.errors import NotFound
from vigie.lib.security_log import email_digest
from vigie.lib.tokens import digest

EMAIL_CHANGE_MAX_AGE_SECONDS = 24 * 3600


def visible_sessions_for(user: User) -> QuerySet[UserSession]:
    return UserSession.objects.filter(user=user, expire_date__gt=timezone.now()).order_by(
        "-last_seen_at"
    )


def visible_access_tokens_for(user: User) -> QuerySet[AccessToken]:
    return AccessToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at")


def access_access_token(user: User, token_id: int) -> AccessToken:
    token = visible_access_tokens_for(user).filter(pk=token_id).first()
    if token is None:
        raise NotFound()
    return token


def user_for_bearer_token(secret: str) -> tuple[User, AccessToken] | None:
    """The active account a bearer token belongs to, if the token is usable."""
    token = AccessToken.objects.select_related("user").filter(digest=digest(secret)).first()
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    return token.user, token


def user_for_sign_up_confirmation(token: str) -> User | None:
    try:
        payload = signing.loads(
            token,
            salt=SIGN_UP_CONFIRMATION_SALT,
            max_age=settings.EMAIL_CONFIRMATION_MAX_AGE,
        )
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=payload.get("user"), is_active=True).first()
    if user is None or email_digest(user.email) != payload.get("email"):
        return None
    return user


def email_change_for_token(token: str) -> EmailChange | None:
    try:
        payload = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    change = (
        EmailChange.objects.select_related("user")
        .filter(pk=payload.get("change"), user__is_active=True)
        .first()
    )
    if change is None or not change.is_pending:
        return None
    return change


def user_for_password_reset(uid: str, token: str) -> User | None:
    try:
        user_id = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def session_public_id(session: UserSession) -> str:
    """What pages show for a session: its key is a secret, this digest is not."""
    return digest(session.session_key)[:24]


def access_session_by_public_id(user: User, public_id: str) -> UserSession:
    for session in visible_sessions_for(user):
        if public_id and session_public_id(session) == public_id:
            return session
    raise NotFound()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, used_at__isnull=True).count()


def pending_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
