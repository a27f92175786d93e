"""Random secrets handed to people once, and the digests we keep instead."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(prefix: str = "", *, nbytes: int = 32) -> str:
    """A URL-safe random secret with at least 256 bits by default."""
    return prefix + secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret.

    A fast hash is right here, unlike for passwords: the secrets hashed this
    way are random and long enough that guessing them from the digest is
    hopeless, and a fast digest lets us look them up by an index.
    """
    return hashlib.sha256(secret.encode()).hexdigest()
