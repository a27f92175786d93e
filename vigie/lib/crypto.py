"""Field-level encryption for personal data at rest (addresses, phone numbers, TOTP secrets).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under the keys of
``VIGIE_FIELD_KEYS``: the first key encrypts, every key decrypts, so keys
rotate by prepending a new one and running ``manage.py rotate_field_keys``
(vigie.operations.key_rotation), after which the old key can go.  A database
dump alone reveals no address.  Encrypted columns cannot be searched; where
equality matters (limits per address, the sender of a text) a keyed
fingerprint sits beside them.
"""

from __future__ import annotations

import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
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


@receiver(setting_changed)
def _forget_keys(*, setting: str, **kwargs: Any) -> None:
    # Tests change the keys with override_settings; the cached ones would linger.
    if setting == "FIELD_KEYS":
        _fernet.cache_clear()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "An encrypted value cannot be read with the keys of VIGIE_FIELD_KEYS."
        ) from None


def is_under_current_key(token: str) -> bool:
    """Whether the first key alone reads this token (rotation has nothing to do for it)."""
    try:
        Fernet(settings.FIELD_KEYS[0]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


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


def encrypted_columns() -> list[tuple[type[models.Model], tuple[str, ...]]]:
    """Every model with encrypted columns in its own table, and the names of those columns.

    Proxy and unmanaged models are left out: their table belongs to another model.
    """
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = tuple(
            field.name
            for field in model._meta.local_concrete_fields
            if isinstance(field, EncryptedTextField)
        )
        if names:
            found.append((model, names))
    return sorted(found, key=lambda entry: entry[0]._meta.label)
