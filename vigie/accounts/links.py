"""One-time links sent by e-mail.

Every such link lives under ``/lien/`` so reverse proxies can keep those paths
out of their access logs (see deploy/), and each page that receives one moves
the token out of the address bar before showing anything.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from vigie.accounts.models import EmailChange, User
from vigie.lib.security_log import email_digest

SIGN_UP_CONFIRMATION_SALT = "vigie.accounts.sign-up-confirmation"
EMAIL_CHANGE_SALT = "vigie.accounts.email-change"


def absolute(path: str) -> str:
    return settings.BASE_URL + path


def sign_up_confirmation_token(user: User) -> str:
    # Bound to the address: after an e-mail change, older links stop working.
    return signing.dumps(
        {"user": user.pk, "email": email_digest(user.email)}, salt=SIGN_UP_CONFIRMATION_SALT
    )


def sign_up_confirmation_url(user: User) -> str:
    token = sign_up_confirmation_token(user)
    return absolute(reverse("accounts:confirm_email", kwargs={"token": token}))


def email_change_token(change: EmailChange) -> str:
    return signing.dumps({"change": change.pk}, salt=EMAIL_CHANGE_SALT)


def email_change_url(change: EmailChange) -> str:
    token = email_change_token(change)
    return absolute(reverse("accounts:confirm_email_change", kwargs={"token": token}))


def password_reset_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute(reverse("accounts:password_reset_link", kwargs={"uid": uid, "token": token}))
