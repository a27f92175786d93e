"""/api/v1/auth/... and /api/v1/me...: thin handlers over accounts' actions."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_otp.models import Device
from ninja import Router, Status

from vigie.accounts import access, actions
from vigie.accounts.authentication import (
    SecondFactorRequired,
    check_credentials,
    is_verified,
    log_in,
    log_out,
    needs_second_factor,
    verify_second_factor,
)
from vigie.accounts.limits import (
    limit_email_change,
    limit_password_check,
    limit_password_reset,
    limit_sign_up,
)
from vigie.accounts.models import AccessToken, User
from vigie.accounts.schemas import (
    ConfirmEmailIn,
    EmailChangeIn,
    EmailIn,
    EndedOut,
    EraseIn,
    LoginIn,
    MeOut,
    MeUpdateIn,
    PasswordChangeIn,
    PasswordResetConfirmIn,
    RegisterIn,
    SessionOut,
    TokenCreatedOut,
    TokenCreateIn,
    TokenOut,
)
from vigie.api.auth import SessionAuth, member_auth
from vigie.api.schemas import ERRORS, Id, Message
from vigie.lib.errors import NotAuthenticated, VigieError
from vigie.lib.http import clear_site_data
from vigie.verification.access import verification_state_for
from vigie.verification.schemas import VerificationOut

auth_router = Router(tags=["auth"])
me_router = Router(tags=["me"], auth=member_auth)


class InvalidLink(VigieError):
    status = 400
    code = "invalid_link"


def _me(user: User, *, second_factor_enabled: bool | None = None) -> MeOut:
    """The account as its owner sees it; ``second_factor_enabled`` when the caller knows."""
    if second_factor_enabled is None:
        second_factor_enabled = needs_second_factor(user)
    return MeOut(
        id=user.pk,
        verification=VerificationOut.of(verification_state_for(user)),
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        display_name=user.display_name,
        nickname=user.nickname,
        language=user.language,
        email_confirmed=user.email_confirmed_at is not None,
        is_staff=user.is_staff,
        second_factor_enabled=second_factor_enabled,
        date_joined=user.date_joined,
    )


def _caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _authenticate_fully(
    request: HttpRequest, *, email: str, password: str, otp_code: str | None
) -> tuple[User, Device | None]:
    """Password, then the second factor when the account has one."""
    user = check_credentials(request, email=email, password=password)
    device = None
    if needs_second_factor(user):
        if not otp_code:
            raise SecondFactorRequired()
        device = verify_second_factor(request, user, otp_code)
    return user, device


@auth_router.post("/register", response={202: Message, **ERRORS}, summary="Create an account")
def register(request: HttpRequest, payload: RegisterIn) -> Status[Message]:
    """Same answer whether the address is new or already has an account (its owner is mailed)."""
    limit_sign_up(request)
    data = payload.dict(exclude={"address"})
    actions.do_register_user(
        **data, address=payload.address.to_input(), address_field_prefix="address."
    )
    return Status(202, Message(detail=_("Check your inbox to confirm your e-mail address.")))


@auth_router.post("/confirm-email", response={200: Message, **ERRORS})
def confirm_email(request: HttpRequest, payload: ConfirmEmailIn) -> Message:
    user = access.user_for_sign_up_confirmation(payload.token)
    if user is None:
        raise InvalidLink(_("This link is invalid or has expired."))
    actions.do_confirm_email(user)
    return Message(detail=_("Your e-mail address is confirmed."))


@auth_router.post("/login", response={200: MeOut, **ERRORS}, summary="Log in (session)")
def login(request: HttpRequest, payload: LoginIn) -> MeOut:
    user, device = _authenticate_fully(
        request, email=payload.email, password=payload.password, otp_code=payload.otp_code
    )
    log_in(request, user, device=device)
    # An account with a device logs in only through it: no need to ask its devices again.
    return _me(user, second_factor_enabled=device is not None)


@auth_router.post("/logout", response={204: None, **ERRORS}, auth=member_auth)
def logout(request: HttpRequest, response: HttpResponse) -> Status[None]:
    """Ends the session; called with a token, revokes that token. A browser is told to
    clear its cache and storage for Vigie (`Clear-Site-Data`)."""
    token = getattr(request, "access_token", None)
    if token is not None:
        actions.do_revoke_access_token(token, acting_user=_caller(request))
    else:
        log_out(request)
    clear_site_data(response)
    return Status(204, None)


@auth_router.post("/password-reset", response={202: Message, **ERRORS})
def password_reset(request: HttpRequest, payload: EmailIn) -> Status[Message]:
    """Same answer whether the address has an account or not."""
    limit_password_reset(request)
    actions.do_request_password_reset(email=payload.email)
    return Status(
        202, Message(detail=_("If an account uses this address, a reset link is on its way."))
    )


@auth_router.post("/password-reset/confirm", response={200: Message, **ERRORS})
def password_reset_confirm(request: HttpRequest, payload: PasswordResetConfirmIn) -> Message:
    user = access.user_for_password_reset(payload.uid, payload.token)
    if user is None:
        raise InvalidLink(_("This link is invalid or has expired."))
    actions.do_reset_password(user, new_password=payload.new_password)
    return Message(detail=_("Your password is changed. You can log in now."))


def _token_out(token: AccessToken) -> TokenOut:
    return TokenOut(
        id=token.pk,
        name=token.name,
        prefix=token.prefix,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        expires_at=token.expires_at,
    )


@auth_router.post(
    "/tokens", response={201: TokenCreatedOut, **ERRORS}, summary="Create an access token"
)
def create_token(request: HttpRequest, payload: TokenCreateIn) -> Status[TokenCreatedOut]:
    """From a logged-in session, or with e-mail and password (and code) for a mobile sign-in."""
    if request.user.is_authenticated:
        user = SessionAuth()(request)  # checks the CSRF token of a browser session
        with_second_factor = is_verified(user)
    elif payload.email and payload.password:
        user, device = _authenticate_fully(
            request, email=payload.email, password=payload.password, otp_code=payload.otp_code
        )
        with_second_factor = device is not None
    else:
        raise NotAuthenticated()
    assert isinstance(user, User)
    token, secret = actions.do_create_access_token(
        user, name=payload.name, with_second_factor=with_second_factor
    )
    return Status(201, TokenCreatedOut(**_token_out(token).dict(), token=secret))


@auth_router.get("/tokens", response={200: list[TokenOut], **ERRORS}, auth=member_auth)
def list_tokens(request: HttpRequest) -> list[TokenOut]:
    return [_token_out(token) for token in access.visible_access_tokens_for(_caller(request))]


@auth_router.delete("/tokens/{int:token_id}", response={204: None, **ERRORS}, auth=member_auth)
def revoke_token(request: HttpRequest, token_id: Id) -> Status[None]:
    user = _caller(request)
    actions.do_revoke_access_token(access.access_access_token(user, token_id), acting_user=user)
    return Status(204, None)


@me_router.get("", response={200: MeOut, **ERRORS}, summary="My profile")
def me(request: HttpRequest) -> MeOut:
    return _me(_caller(request))


@me_router.patch("", response={200: MeOut, **ERRORS}, summary="Update my profile")
def update_me(request: HttpRequest, payload: MeUpdateIn) -> MeOut:
    user = _caller(request)
    return _me(actions.do_update_profile(user, acting_user=user, **payload.dict()))


@me_router.delete("", response={204: None, **ERRORS}, summary="Delete my account (GDPR art. 17)")
def erase_me(request: HttpRequest, payload: EraseIn, response: HttpResponse) -> Status[None]:
    """Every session and token ends; personal data goes. Asks for the password again."""
    from vigie.privacy.actions import do_erase_own_account
    from vigie.privacy.erasure import Contributions

    user = _caller(request)
    do_erase_own_account(
        user,
        password=payload.password,
        second_factor_code=payload.second_factor_code,
        contributions=Contributions(payload.contributions),
    )
    if getattr(request, "access_token", None) is None:
        log_out(request)
        clear_site_data(response)
    return Status(204, None)


@me_router.post("/password", response={204: None, **ERRORS}, summary="Change my password")
def change_password(request: HttpRequest, payload: PasswordChangeIn) -> Status[None]:
    user = _caller(request)
    limit_password_check(user)
    actions.do_change_password(
        user,
        current_password=payload.current_password,
        new_password=payload.new_password,
        keep_session_key=request.session.session_key,
    )
    if request.user.is_authenticated and request.session.session_key:
        update_session_auth_hash(request, user)
    return Status(204, None)


@me_router.post("/email", response={202: Message, **ERRORS}, summary="Change my e-mail address")
def change_email(request: HttpRequest, payload: EmailChangeIn) -> Status[Message]:
    user = _caller(request)
    limit_email_change(user)
    limit_password_check(user)
    actions.do_request_email_change(user, password=payload.password, new_email=payload.new_email)
    return Status(202, Message(detail=_("We sent a confirmation link to your new address.")))


@me_router.get("/sessions", response={200: list[SessionOut], **ERRORS})
def list_sessions(request: HttpRequest) -> list[SessionOut]:
    current = request.session.session_key
    return [
        SessionOut(
            id=access.session_public_id(session),
            authenticated_at=session.authenticated_at,
            last_seen_at=session.last_seen_at,
            ip_address=session.ip_address,
            user_agent=session.user_agent,
            current=session.session_key == current,
        )
        for session in access.visible_sessions_for(_caller(request))
    ]


@me_router.delete("/sessions", response={200: EndedOut, **ERRORS}, summary="End my other sessions")
def end_other_sessions(request: HttpRequest) -> EndedOut:
    ended = actions.do_end_other_sessions(
        _caller(request), current_session_key=request.session.session_key
    )
    return EndedOut(ended=ended)


@me_router.delete("/sessions/{session_id}", response={204: None, **ERRORS})
def end_session(request: HttpRequest, session_id: str, response: HttpResponse) -> Status[None]:
    user = _caller(request)
    session = access.access_session_by_public_id(user, session_id)
    if session.session_key == request.session.session_key:
        log_out(request)
        clear_site_data(response)
    else:
        actions.do_end_session(user, session=session)
    return Status(204, None)
