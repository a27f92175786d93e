"""VAPID keys: the pair that signs Web Push requests (RFC 8292).

Both halves travel as base64url without padding: the private key as its 32
raw bytes, the public key as the 65-byte uncompressed P-256 point, the form
browsers take as ``applicationServerKey``.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings


@dataclass(frozen=True)
class VapidKeys:
    private_key: str
    public_key: str


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def new_key_pair() -> VapidKeys:
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return VapidKeys(private_key=_b64(private), public_key=_b64(public))


@cache
def vapid_keys() -> VapidKeys:
    """The configured pair; outside production, one made once and kept in VIGIE_DATA_DIR."""
    if settings.VAPID_PRIVATE_KEY and settings.VAPID_PUBLIC_KEY:
        return VapidKeys(settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY)
    path = Path(settings.DATA_DIR) / "vapid.json"
    if path.exists():
        stored = json.loads(path.read_text())
        return VapidKeys(stored["private_key"], stored["public_key"])
    keys = new_key_pair()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump({"private_key": keys.private_key, "public_key": keys.public_key}, file)
    return keys
