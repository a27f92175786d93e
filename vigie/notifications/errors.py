"""What a channel's sender raises: the delivery is retried, or given up."""

from __future__ import annotations


class SendError(Exception):
    """A message did not leave."""


class TemporaryFailure(SendError):
    """Worth trying again later: a timeout, a 5xx, a 429, a refused connection."""


class PermanentFailure(SendError):
    """Trying again would fail the same way: a 4xx, a refused number or address."""


class RecipientGone(PermanentFailure):
    """The address itself is dead (an expired push subscription, an invalid number)."""
