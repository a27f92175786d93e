"""Account pages: each one parses its form, calls an action, renders."""

from __future__ import annotations

import base64
import io
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.models import Device

from vigie.accounts import access, actions
from vigie.accounts.authentication import (
    check_credentials,
    clear_pending_second_factor,
    is_verified,
    log_in,
    log_out,
    needs_second_factor,
    pending_second_factor_user,
    start_pending_second_factor,
    verify_second_factor,
)
from vigie.accounts.decorators import login_required
from vigie.accounts.forms import (
    AccessTokenForm,
    EmailChangeForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    ProfileForm,
    RemoveSecondFactorForm,
    SecondFactorForm,
    SetPasswordForm,
    SignUpForm,
)
from vigie.accounts.limits import (
    limit_email_change,
    limit_password_check,
    limit_password_reset,
    limit_sign_up,
)
from vigie.accounts.models import User
from vigie.accounts.password_policy import CnilPasswordValidator
from vigie.addresses.access import suggest_addresses
from vigie.addresses.forms import AddressForm
from vigie.lib.errors import NotFound, RateLimited
from vigie.lib.forms import render_form, run_action
from vigie.lib.http import clear_site_data, wants_json

LINK_TOKEN = "vigie_link_{purpose}"  # noqa: S105 - a session key name, not a secret


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _next_url(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _after_login(user: User) -> str:
    if user.is_privileged and not needs_second_factor(user):
        return reverse("accounts:two_factor_enrol")
    return reverse(settings.LOGIN_REDIRECT_URL)


def _stash_link_token(request: HttpRequest, purpose: str, token: str, page: str) -> HttpResponse:
    """Move a one-time token from the address bar into the session, then show the page."""
    request.session[LINK_TOKEN.format(purpose=purpose)] = token[:512]
    if not request.user.is_authenticated:
        # A visitor's session holding only a link's token need not outlive the link.
        request.session.set_expiry(3600)
    return redirect(page)


def _stashed_link_token(request: HttpRequest, purpose: str) -> str:
    token = request.session.get(LINK_TOKEN.format(purpose=purpose), "")
    return token if isinstance(token, str) else ""


def _forget_link_token(request: HttpRequest, purpose: str) -> None:
    request.session.pop(LINK_TOKEN.format(purpose=purpose), None)


# --- Sign-up -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:account")
    searching = "search" in request.POST
    form = SignUpForm(request.POST if request.method == "POST" and not searching else None)
    address_form = AddressForm(request.POST or None)
    if form.is_valid() and address_form.is_valid():
        data = form.cleaned_data

        def register() -> None:
            limit_sign_up(request)
            actions.do_register_user(
                email=data["email"],
                password=data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                address=address_form.to_input(),
                nickname=data["nickname"] or None,
                language=request.LANGUAGE_CODE,
                accept_terms=data["accept_terms"],
            )

        run_action(form, register, also=[address_form])
        if not form.errors and not address_form.errors:
            return redirect("accounts:sign_up_done")
    if searching:
        form = SignUpForm(initial=request.POST.dict())
    query = address_form.data.get("address_query", "") if address_form.is_bound else ""
    context = {
        "password_rules": CnilPasswordValidator().get_help_text(),
        "address_form": address_form,
        "address_query": query,
        "address_suggestions": suggest_addresses(query) if query else [],
        "manual_address_open": bool(address_form.is_bound and address_form.data.get("street")),
    }
    response = render_form(request, "accounts/sign_up.html", context, form=form)
    if address_form.errors and response.status_code == 200:
        response.status_code = 422
    return response


def sign_up_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/sign_up_done.html")


def confirm_email_link(request: HttpRequest, token: str) -> HttpResponse:
    return _stash_link_token(request, "confirm", token, "accounts:confirm_email_page")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_email_page(request: HttpRequest) -> HttpResponse:
    user = access.user_for_sign_up_confirmation(_stashed_link_token(request, "confirm"))
    if user is None:
        return render(request, "accounts/link_invalid.html", status=404)
    if request.method == "POST":
        actions.do_confirm_email(user)
        _forget_link_token(request, "confirm")
        messages.success(request, _("Your e-mail address is confirmed."))
        return redirect("accounts:account" if request.user.is_authenticated else "accounts:login")
    return render(request, "accounts/confirm_email.html", {"confirmed": user.email_confirmed_at})


@login_required
@require_POST
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    actions.do_resend_email_confirmation(_user(request))
    messages.success(request, _("We sent you a new confirmation link."))
    return redirect("accounts:account")


# --- Login and logout ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_next_url(request, reverse(settings.LOGIN_REDIRECT_URL)))
    form = LoginForm(request.POST or None)
    if form.is_valid():
        user = run_action(
            form,
            lambda: check_credentials(
                request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
            ),
        )
        if user is not None:
            next_url = _next_url(request, _after_login(user))
            if needs_second_factor(user):
                start_pending_second_factor(request, user)
                query = urlencode({"next": next_url})
                return redirect(f"{reverse('accounts:login_second_factor')}?{query}")
            log_in(request, user)
            return redirect(next_url)
    return render_form(
        request, "accounts/login.html", {"next": request.GET.get("next", "")}, form=form
    )


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout answer: the login page or API error already says it all."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    error = RateLimited(retry_after=int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if wants_json(request):
        response: HttpResponse = JsonResponse(
            {"detail": error.detail, "code": error.code}, status=429
        )
    else:
        response = render(request, "accounts/locked_out.html", status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


@require_http_methods(["GET", "POST"])
def login_second_factor(request: HttpRequest) -> HttpResponse:
    user = pending_second_factor_user(request)
    if user is None:
        return redirect("accounts:login")
    form = SecondFactorForm(request.POST or None)
    if form.is_valid():
        device = run_action(
            form, lambda: verify_second_factor(request, user, form.cleaned_data["code"])
        )
        if device is not None:
            clear_pending_second_factor(request)
            log_in(request, user, device=device)
            return redirect(_next_url(request, reverse(settings.LOGIN_REDIRECT_URL)))
    context = {"next": request.GET.get("next", "")}
    return render_form(request, "accounts/login_second_factor.html", context, form=form)


@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        log_out(request)
        messages.success(request, _("You are logged out."))
        return clear_site_data(redirect(settings.LOGOUT_REDIRECT_URL))
    return render(request, "accounts/logout.html")


# --- Password reset ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if form.is_valid():

        def request_reset() -> None:
            limit_password_reset(request)
            actions.do_request_password_reset(email=form.cleaned_data["email"])

        if run_action(form, request_reset) is None and not form.errors:
            return redirect("accounts:password_reset_done")
    return render_form(request, "accounts/password_reset.html", {}, form=form)


def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")


def password_reset_link(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    return _stash_link_token(request, "reset", f"{uid}:{token}", "accounts:password_reset_set")


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_set(request: HttpRequest) -> HttpResponse:
    uid, _separator, token = _stashed_link_token(request, "reset").partition(":")
    user = access.user_for_password_reset(uid, token)
    if user is None:
        return render(request, "accounts/link_invalid.html", status=404)
    form = SetPasswordForm(request.POST or None)
    if form.is_valid():
        new_password = form.cleaned_data["new_password"]
        run_action(form, lambda: actions.do_reset_password(user, new_password=new_password))
        if not form.errors:
            _forget_link_token(request, "reset")
            messages.success(request, _("Your password is changed. You can log in now."))
            return redirect("accounts:login")
    context = {"password_rules": CnilPasswordValidator().get_help_text()}
    return render_form(request, "accounts/password_reset_set.html", context, form=form)


# --- Account settings ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "nickname": user.nickname,
        "language": user.language,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if form.is_valid():
        run_action(
            form, lambda: actions.do_update_profile(user, acting_user=user, **form.cleaned_data)
        )
        if not form.errors:
            messages.success(request, _("Your profile is saved."))
            return redirect("accounts:account")
    return render_form(request, "accounts/account.html", {"account": user}, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordChangeForm(request.POST or None)
    if form.is_valid():

        def change() -> None:
            limit_password_check(user)
            actions.do_change_password(
                user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["new_password"],
                keep_session_key=request.session.session_key,
            )

        run_action(form, change)
        if not form.errors:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password is changed; your other sessions ended."))
            return redirect("accounts:account")
    context = {"password_rules": CnilPasswordValidator().get_help_text()}
    return render_form(request, "accounts/password_change.html", context, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = EmailChangeForm(request.POST or None)
    if form.is_valid():

        def request_change() -> None:
            limit_email_change(user)
            limit_password_check(user)
            actions.do_request_email_change(
                user,
                password=form.cleaned_data["password"],
                new_email=form.cleaned_data["new_email"],
            )

        run_action(form, request_change)
        if not form.errors:
            messages.success(
                request, _("We sent a confirmation link to your new address. It is valid 24 hours.")
            )
            return redirect("accounts:account")
    return render_form(request, "accounts/email_change.html", {}, form=form)


def confirm_email_change_link(request: HttpRequest, token: str) -> HttpResponse:
    return _stash_link_token(request, "email-change", token, "accounts:confirm_email_change_page")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_email_change_page(request: HttpRequest) -> HttpResponse:
    change = access.email_change_for_token(_stashed_link_token(request, "email-change"))
    if change is None:
        return render(request, "accounts/link_invalid.html", status=404)
    form = forms.Form(request.POST if request.method == "POST" else None)  # carries errors
    if (
        request.method == "POST"
        and form.is_valid()
        and run_action(form, lambda: actions.do_confirm_email_change(change)) is not None
    ):
        _forget_link_token(request, "email-change")
        messages.success(request, _("Your e-mail address is changed."))
        return redirect("accounts:account" if request.user.is_authenticated else "home")
    return render_form(request, "accounts/confirm_email_change.html", {"change": change}, form=form)


# --- Sessions ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sessions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    current_key = request.session.session_key
    if request.method == "POST":
        if request.POST.get("scope") == "others":
            ended = actions.do_end_other_sessions(user, current_session_key=current_key)
            messages.success(
                request,
                ngettext("%(count)d other session ended.", "%(count)d other sessions ended.", ended)
                % {"count": ended},
            )
        else:
            session = access.access_session_by_public_id(user, request.POST.get("session", ""))
            if session.session_key == current_key:
                log_out(request)
                return clear_site_data(redirect("accounts:login"))
            actions.do_end_session(user, session=session)
            messages.success(request, _("The session is ended."))
        return redirect("accounts:sessions")
    rows = [
        {
            "session": session,
            "public_id": access.session_public_id(session),
            "is_current": session.session_key == current_key,
        }
        for session in access.visible_sessions_for(user)
    ]
    return render(request, "accounts/sessions.html", {"rows": rows})


# --- Personal access tokens ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = AccessTokenForm(request.POST or None)
    created = None
    if form.is_valid():
        created = run_action(
            form,
            lambda: actions.do_create_access_token(
                user,
                name=form.cleaned_data["name"],
                with_second_factor=is_verified(user),
            ),
        )
        if created is not None:
            form = AccessTokenForm()
    context = {
        "tokens": access.visible_access_tokens_for(user),
        "new_token": created[0] if created else None,
        "new_secret": created[1] if created else None,
    }
    return render_form(request, "accounts/tokens.html", context, form=form)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    user = _user(request)
    token = access.access_access_token(user, token_id)
    actions.do_revoke_access_token(token, acting_user=user)
    messages.success(request, _("The token is revoked."))
    return redirect("accounts:tokens")


# --- Second factor -------------------------------------------------------------------------------


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "enrolled": needs_second_factor(user),
        "recovery_codes_left": access.recovery_codes_left(user),
        "remove_form": RemoveSecondFactorForm(),
    }
    return render(request, "accounts/two_factor.html", context)


@login_required
def two_factor_qr_code(request: HttpRequest) -> HttpResponse:
    """The QR code of the enrolment in progress, as an image (no markup put in the page)."""
    device = access.pending_totp_device(_user(request))
    if device is None:
        raise NotFound()
    import segno  # loaded by this page only

    image = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        image, kind="svg", scale=5, dark="#111", light="#fff", xmldecl=False
    )
    return HttpResponse(image.getvalue(), content_type="image/svg+xml")


def _needs_fresh_second_factor(request: HttpRequest, user: User) -> HttpResponse | None:
    """Changing the second factor needs a session that passed the current one."""
    if needs_second_factor(user) and not is_verified(user):
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('accounts:second_factor_required')}?{query}")
    return None


def _verify_session(request: HttpRequest, device: Device) -> None:
    """Mark the session verified, under a new key: its privileges just rose."""
    otp_login(request, device)
    request.session.cycle_key()


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Start (POST start), show the QR code (GET), confirm with a first code (POST code)."""
    user = _user(request)
    if refused := _needs_fresh_second_factor(request, user):
        return refused
    if request.method == "POST" and "start" in request.POST:
        actions.do_start_totp_enrolment(user)
        return redirect("accounts:two_factor_enrol")
    device = access.pending_totp_device(user)
    if device is None:
        return render(request, "accounts/two_factor_start.html")
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        codes = run_action(
            form,
            lambda: actions.do_confirm_totp_enrolment(
                user,
                device=device,
                code=form.cleaned_data["code"],
                keep_session_key=request.session.session_key,
            ),
        )
        if codes is not None:
            _verify_session(request, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
    context = {"secret": base64.b32encode(device.bin_key).decode()}
    return render_form(request, "accounts/two_factor_enrol.html", context, form=form)


@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not is_verified(user):
        return redirect("accounts:second_factor_required")
    codes = actions.do_regenerate_recovery_codes(user)
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@login_required
@require_POST
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if refused := _needs_fresh_second_factor(request, user):
        return refused
    form = RemoveSecondFactorForm(request.POST)
    if form.is_valid():

        def remove() -> None:
            limit_password_check(user)
            actions.do_remove_second_factor(user, password=form.cleaned_data["password"])

        run_action(form, remove)
        if not form.errors:
            messages.success(request, _("Two-step verification is off."))
            return redirect("accounts:two_factor")
    context = {
        "enrolled": needs_second_factor(user),
        "recovery_codes_left": access.recovery_codes_left(user),
        "remove_form": form,
    }
    return render(request, "accounts/two_factor.html", context, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_required(request: HttpRequest) -> HttpResponse:
    """Staff whose session has not passed a second factor land here."""
    user = _user(request)
    if not needs_second_factor(user):
        return redirect("accounts:two_factor_enrol")
    if is_verified(user):
        return HttpResponseRedirect(_next_url(request, reverse("home")))
    form = SecondFactorForm(request.POST or None)
    if form.is_valid():
        device = run_action(
            form, lambda: verify_second_factor(request, user, form.cleaned_data["code"])
        )
        if device is not None:
            _verify_session(request, device)
            return redirect(_next_url(request, reverse("home")))
    return render_form(request, "accounts/second_factor_required.html", {}, form=form)
