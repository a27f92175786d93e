"""Logging in and out: credentials, lockout, second factor, session set-up.

Every attempt, whatever its outcome, is a security event.  Unknown addresses
and wrong passwords take the same path, the same time and the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.models import Device

from vigie.accounts import session_store
from vigie.accounts.backends import BACKEND
from vigie.accounts.limits import limit_login
from vigie.accounts.models import User
from vigie.lib import ratelimit
from vigie.lib.errors import RateLimited, VigieError
from vigie.lib.http import client_ip
from vigie.lib.security_log import email_digest, log_security_event
from vigie.lib.validators import normalize_email

PENDING_USER = "vigie_pending_user"
PENDING_SINCE = "vigie_pending_since"
PENDING_MAX_AGE = timedelta(minutes=5)


class LoginRefused(VigieError):
    status = 401
    code = "invalid_credentials"
    default_message = _("Incorrect e-mail address or password.")


class SecondFactorRequired(VigieError):
    status = 401
    code = "second_factor_required"
    default_message = _("Enter the code from your authenticator app or a recovery code.")


class SecondFactorRefused(VigieError):
    status = 401
    code = "invalid_second_factor"
    default_message = _("This code is not right, or was already used.")


def axes_username(request: HttpRequest, credentials: Mapping[str, Any] | None) -> str | None:
    """The key django-axes counts failures under: a keyed hash, never the address."""
    email = (credentials or {}).get("email")
    if not email:
        email = request.POST.get("email")
    return email_digest(email) if email else None


def _lockout_retry_after(request: HttpRequest, email: str) -> int:
    last = AccessAttempt.objects.filter(
        username=email_digest(email), ip_address=client_ip(request)
    ).aggregate(last=Max("attempt_time"))["last"]
    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    if last is None:
        return int(cool_off.total_seconds())
    return int((last + cool_off - timezone.now()).total_seconds()) + 1


def check_credentials(request: HttpRequest, *, email: str, password: str) -> User:
    """The account these credentials open, or LoginRefused / RateLimited."""
    limit_login(request)
    try:
        email = normalize_email(email)
    except ValidationError:
        # Not an address at all: refused like any wrong password, after the same work.
        make_password(password)
        log_security_event("login", outcome="failure", request=request, reason="malformed")
        raise LoginRefused() from None
    user = authenticate(request, email=email, password=password)
    if getattr(request, "axes_locked_out", False):
        log_security_event(
            "login", outcome="locked_out", request=request, email_digest=email_digest(email)
        )
        raise RateLimited(
            retry_after=_lockout_retry_after(request, email),
            message=_("Too many failed attempts. Please wait before trying again."),
        )
    if user is None:
        log_security_event(
            "login", outcome="failure", request=request, email_digest=email_digest(email)
        )
        raise LoginRefused()
    assert isinstance(user, User)
    return user


def is_verified(user: object) -> bool:
    """Whether this request's session (or token) passed a second factor.

    django-otp's middleware adds ``is_verified`` to request.user; the bearer
    token authentication sets it from the token.
    """
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def needs_second_factor(user: User) -> bool:
    return user_has_device(user, confirmed=True)


def log_in(request: HttpRequest, user: User, *, device: Device | None = None) -> None:
    """Open a session: a new session key, the second factor if any, the session's limits."""
    login(request, user, backend=BACKEND)
    if device is not None:
        otp_login(request, device)
    now = timezone.now().isoformat()
    request.session[session_store.AUTHENTICATED_AT] = now
    request.session[session_store.LAST_SEEN_AT] = now
    request.session[session_store.IP_ADDRESS] = client_ip(request)
    request.session[session_store.USER_AGENT] = request.headers.get("User-Agent", "")[:200]
    if user.is_privileged:
        request.session.set_expiry(int(settings.STAFF_SESSION_MAX_AGE.total_seconds()))
    log_security_event(
        "login",
        outcome="success",
        request=request,
        user_id=user.pk,
        second_factor=device is not None,
    )


def log_out(request: HttpRequest) -> None:
    user_id = request.user.pk if request.user.is_authenticated else None
    logout(request)  # flushes the session server-side, not only the cookie
    if user_id is not None:
        log_security_event("logout", outcome="success", request=request, user_id=user_id)


def verify_second_factor(request: HttpRequest, user: User, code: str) -> Device:
    """The device that accepts ``code`` (authenticator or recovery code), rate limited."""
    ratelimit.hit("second-factor", str(user.pk), rate=settings.RATE_SECOND_FACTOR)
    device = match_token(user, code.replace(" ", "")) if code.strip() else None
    if device is None:
        log_security_event("second_factor", outcome="failure", request=request, user_id=user.pk)
        raise SecondFactorRefused()
    log_security_event("second_factor", outcome="success", request=request, user_id=user.pk)
    return cast(Device, device)


def start_pending_second_factor(request: HttpRequest, user: User) -> None:
    """Password accepted, second factor to come: remember who, briefly, without logging in."""
    request.session.cycle_key()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_SINCE] = timezone.now().isoformat()


def pending_second_factor_user(request: HttpRequest) -> User | None:
    user_id = request.session.get(PENDING_USER)
    since = request.session.get(PENDING_SINCE)
    if user_id is None or not isinstance(since, str):
        return None
    if timezone.now() - datetime.fromisoformat(since) > PENDING_MAX_AGE:
        clear_pending_second_factor(request)
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def clear_pending_second_factor(request: HttpRequest) -> None:
    request.session.pop(PENDING_USER, None)
    request.session.pop(PENDING_SINCE, None)
