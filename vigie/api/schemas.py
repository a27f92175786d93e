from __future__ import annotations

from ninja import Schema


class FieldError(Schema):
    field: str
    message: str


class Error(Schema):
    """Every 4xx answer has this shape."""

    detail: str
    code: str
    errors: list[FieldError] | None = None


class Message(Schema):
    detail: str


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error, 429: Error}
