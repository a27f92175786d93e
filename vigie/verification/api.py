"""/api/v1/verification and /api/v1/me/address: proving and changing the home address."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from vigie.accounts.models import User
from vigie.api.auth import member_auth
from vigie.api.schemas import ERRORS
from vigie.verification import access, actions
from vigie.verification.limits import limit_activation
from vigie.verification.models import LetterReason
from vigie.verification.schemas import ActivateIn, MoveIn, VerificationOut

router = Router(tags=["verification"], auth=member_auth)
address_router = Router(tags=["verification"], auth=member_auth)


def _caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


@router.get("", response={200: VerificationOut, **ERRORS}, summary="Where my verification stands")
def state(request: HttpRequest) -> VerificationOut:
    return VerificationOut.of(access.verification_state_for(_caller(request)))


@router.post("/activate", response={200: VerificationOut, **ERRORS}, summary="Enter the code")
def activate(request: HttpRequest, payload: ActivateIn) -> VerificationOut:
    """The code of the letter; case, spaces and dashes do not matter; few tries per code
    (VIGIE_ACTIVATION_CODE_MAX_WRONG_ENTRIES, 5 by default)."""
    user = _caller(request)
    limit_activation(user)
    actions.do_enter_activation_code(user, code=payload.code)
    return VerificationOut.of(access.verification_state_for(user))


@router.post("/letters", response={202: VerificationOut, **ERRORS}, summary="Ask for a new letter")
def request_letter(request: HttpRequest) -> Status[VerificationOut]:
    """Few letters per account, home and building in a window (3, 3 and 12 in 90 days by
    default): past that, 429 ``letter_limit`` with Retry-After."""
    user = _caller(request)
    actions.do_request_letter(user, reason=LetterReason.NEW_LETTER, acting_user=user)
    return Status(202, VerificationOut.of(access.verification_state_for(user)))


@address_router.get("", response={200: VerificationOut, **ERRORS}, summary="My home address")
def home_address(request: HttpRequest) -> VerificationOut:
    return VerificationOut.of(access.verification_state_for(_caller(request)))


@address_router.put("", response={202: VerificationOut, **ERRORS}, summary="I moved")
def move(request: HttpRequest, payload: MoveIn) -> Status[VerificationOut]:
    """A new home address: the former one ends and a letter goes to the new one."""
    user = _caller(request)
    actions.do_move_home(
        user, payload.address.to_input(), acting_user=user, field_prefix="address."
    )
    return Status(202, VerificationOut.of(access.verification_state_for(user)))
