from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from vigie.accounts.models import DISPLAY_NAME_MAX_LENGTH, NAME_MAX_LENGTH, TOKEN_NAME_MAX_LENGTH
from vigie.addresses.schemas import AddressIn
from vigie.lib.validators import EMAIL_MAX_LENGTH
from vigie.verification.schemas import VerificationOut

PASSWORD_MAX_LENGTH = 1024


class RegisterIn(Schema):
    email: str = Field(max_length=EMAIL_MAX_LENGTH)
    address: AddressIn = Field(
        description="The home address: a ban_id from /addresses/search, or the parts by hand."
    )
    password: str = Field(max_length=PASSWORD_MAX_LENGTH)
    first_name: str = Field(max_length=NAME_MAX_LENGTH)
    last_name: str = Field(max_length=NAME_MAX_LENGTH)
    nickname: str | None = Field(
        default=None,
        max_length=DISPLAY_NAME_MAX_LENGTH,
        description="Shown to neighbours; empty: first name and last initial.",
    )
    language: str | None = Field(default=None, max_length=2, description="fr (default) or en")
    accept_terms: bool = Field(
        default=False,
        strict=True,
        description="true: I accept the terms of use in force (GET /terms); required",
    )


class LoginIn(Schema):
    email: str = Field(max_length=EMAIL_MAX_LENGTH)
    password: str = Field(max_length=PASSWORD_MAX_LENGTH)
    otp_code: str | None = Field(
        default=None,
        max_length=32,
        description="Authenticator or recovery code, for accounts with two-step verification.",
    )


class EmailIn(Schema):
    email: str = Field(max_length=EMAIL_MAX_LENGTH)


class PasswordResetConfirmIn(Schema):
    uid: str = Field(max_length=64)
    token: str = Field(max_length=128)
    new_password: str = Field(max_length=PASSWORD_MAX_LENGTH)


class ConfirmEmailIn(Schema):
    token: str = Field(max_length=512)


class TokenCreateIn(Schema):
    name: str = Field(max_length=TOKEN_NAME_MAX_LENGTH)
    email: str | None = Field(
        default=None,
        max_length=EMAIL_MAX_LENGTH,
        description="With password: create a token without a session (mobile sign-in).",
    )
    password: str | None = Field(default=None, max_length=PASSWORD_MAX_LENGTH)
    otp_code: str | None = Field(default=None, max_length=32)


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The secret, shown this once only.")


class MeOut(Schema):
    id: int
    verification: VerificationOut
    email: str
    first_name: str
    last_name: str
    display_name: str
    nickname: str
    language: str
    email_confirmed: bool
    is_staff: bool
    second_factor_enabled: bool
    date_joined: datetime


class MeUpdateIn(Schema):
    # A field it does not own (is_staff, email, a role...) is refused, never silently dropped.
    model_config = ConfigDict(extra="forbid")

    first_name: str | None = Field(default=None, max_length=NAME_MAX_LENGTH)
    last_name: str | None = Field(default=None, max_length=NAME_MAX_LENGTH)
    nickname: str | None = Field(default=None, max_length=DISPLAY_NAME_MAX_LENGTH)
    language: str | None = Field(default=None, max_length=2)


class PasswordChangeIn(Schema):
    current_password: str = Field(max_length=PASSWORD_MAX_LENGTH)
    new_password: str = Field(max_length=PASSWORD_MAX_LENGTH)


class EmailChangeIn(Schema):
    password: str = Field(max_length=PASSWORD_MAX_LENGTH)
    new_email: str = Field(max_length=EMAIL_MAX_LENGTH)


class SessionOut(Schema):
    id: str
    authenticated_at: datetime | None
    last_seen_at: datetime | None
    ip_address: str | None
    user_agent: str
    current: bool


class EndedOut(Schema):
    ended: int


class EraseIn(Schema):
    password: str = Field(max_length=PASSWORD_MAX_LENGTH)
    second_factor_code: str = Field(default="", max_length=20)
    contributions: Literal["delete", "keep"] = Field(
        description='"keep": posts, comments and alerts stay, signed "former neighbour"'
    )
