"""Per-IP and per-account limits on the account actions, shared by pages and the API."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from vigie.accounts.models import User
from vigie.lib import ratelimit
from vigie.lib.http import client_ip


def limit_sign_up(request: HttpRequest) -> None:
    ratelimit.hit("sign-up", client_ip(request) or "unknown", rate=settings.RATE_SIGN_UP)


def limit_login(request: HttpRequest) -> None:
    ratelimit.hit("login", client_ip(request) or "unknown", rate=settings.RATE_LOGIN)


def limit_password_reset(request: HttpRequest) -> None:
    ratelimit.hit(
        "password-reset", client_ip(request) or "unknown", rate=settings.RATE_PASSWORD_RESET
    )


def limit_email_change(user: User) -> None:
    ratelimit.hit("email-change", str(user.pk), rate=settings.RATE_EMAIL_CHANGE)


def limit_password_check(user: User) -> None:
    """Pages asking for the current password must not become a guessing oracle."""
    ratelimit.hit("password-check", str(user.pk), rate=settings.RATE_PASSWORD_CHECK)
