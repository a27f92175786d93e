"""What every API operation shares: the error shape and the types of ids.

Fields of a JSON body take JSON's own types (``Field(strict=True)``, ``BodyId``):
pydantic's lax mode would read ``"5"`` as 5 and ``0`` as false, which the published
schema does not say. Query and path parameters arrive as text, and stay lax.
"""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Path, Schema


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

# Ids are positive 64-bit integers, as the database keys are. A larger number names
# nothing and would not even fit a query (on SQLite, OverflowError: a server error).
MAX_ID = 2**63 - 1
# An id in a path.
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
# An id in a JSON body: a JSON integer, never "12".
BodyId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
