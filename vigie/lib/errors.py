"""Errors raised by actions and access functions, shared by pages and the API.

Each error carries an HTTP status and a stable machine-readable ``code``; the
API turns it into ``{"detail": ..., "code": ...}`` and pages into a form or
page message.  Messages are lazy translations, rendered in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Message = str | Promise


class VigieError(Exception):
    status = 400
    code = "bad_request"
    default_message: Message = _("The request could not be processed.")
    # Facts a client needs besides the message (ids, never personal data).
    extra: dict[str, object] | None = None

    def __init__(self, message: Message | None = None, *, code: str | None = None) -> None:
        self.message: Message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        super().__init__(str(self.code))

    @property
    def detail(self) -> str:
        return str(self.message)


class InvalidInput(VigieError):
    """One or more fields were rejected; ``errors`` maps each field to its messages."""

    status = 422
    code = "invalid"
    default_message = _("Some fields are not valid.")

    def __init__(
        self,
        errors: Mapping[str, Message | Sequence[Message]],
        *,
        message: Message | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.errors: dict[str, list[Message]] = {
            field: [messages] if isinstance(messages, str | Promise) else list(messages)
            for field, messages in errors.items()
        }


class NotAuthenticated(VigieError):
    status = 401
    code = "not_authenticated"
    default_message = _("You must be logged in.")


class Forbidden(VigieError):
    status = 403
    code = "forbidden"
    default_message = _("You are not allowed to do this.")


class NotFound(VigieError):
    """Missing and not-yours look the same: both answer this, with the same words."""

    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Conflict(VigieError):
    status = 409
    code = "conflict"
    default_message = _("This conflicts with the current state.")


class RateLimited(VigieError):
    status = 429
    code = "rate_limited"
    default_message = _("Too many attempts. Please wait before trying again.")

    def __init__(self, *, retry_after: int, message: Message | None = None) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))
