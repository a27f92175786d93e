"""Field-level encryption for personal data at rest (home addresses, phone numbers).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the keys of
``VIGIE_FIELD_KEYS``: the first key encrypts, every key decrypts,
so keys rotate by prepending a new one and re-saving rows.  A database dump
alone reveals no address.  Encrypted columns cannot be searched; where
equality matters (limits per address) a keyed fingerprint sits beside them.
"""

from __future__ import annotations

import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.crypto import salted_hmac


@functools.cache
def _fernet() -> MultiFernet:
    keys = settings.FIELD_KEYS
    if not keys:
        raise ImproperlyConfigured("VIGIE_FIELD_KEYS must hold at least one key.")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "VIGIE_FIELD_KEYS must be Fernet keys (32 url-safe base64-encoded bytes)."
        ) from None


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "An encrypted value cannot be read with the keys of VIGIE_FIELD_KEYS."
        ) from None


def fingerprint(purpose: str, value: str) -> str:
    """A keyed hash for equality lookups on an encrypted value.

    Its key is not SECRET_KEY: rotating that one must not reset the limits
    built on fingerprints, and the key can be kept apart from the database.
    """
    return salted_hmac(
        f"vigie.fingerprint.{purpose}",
        value,
        secret=settings.FINGERPRINT_KEY,
        algorithm="sha256",
    ).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python code sees the clear text.

    The empty string stays empty (nothing to protect, and forms expect it).
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
