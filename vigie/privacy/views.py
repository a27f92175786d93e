"""Pages: the legal notice, the privacy policy and a person's rights; for the team, the
breach register and the restriction of processing."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import user_has_device

from vigie.accounts.authentication import log_out
from vigie.accounts.decorators import login_required, staff_required
from vigie.accounts.models import User
from vigie.lib.errors import Conflict, NotFound
from vigie.lib.forms import render_form, run_action
from vigie.lib.http import clear_site_data
from vigie.privacy import access, actions, legal
from vigie.privacy.consents import PRIVACY_POLICY_VERSION
from vigie.privacy.erasure import Contributions
from vigie.privacy.forms import BreachForm, EraseAccountForm, ReauthenticationForm, RestrictionForm
from vigie.privacy.policy import policy_sections


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_GET
def legal_notice(request: HttpRequest) -> HttpResponse:
    """Who publishes and hosts Vigie, as French law (LCEN art. 6-III) asks every site to say."""
    context = {"notice": legal.legal_notice(), "tile_origin": legal.map_tile_origin()}
    return render(request, "privacy/legal_notice.html", context)


# --- The team: the breach register ---------------------------------------------------------------


@staff_required
@require_GET
def team_breaches(request: HttpRequest) -> HttpResponse:
    breaches = [(breach, access.deadline_of(breach)) for breach in access.breach_register()]
    warnings = [deadline for _breach, deadline in breaches if deadline.needs_warning]
    context = {"breaches": breaches, "warnings": warnings}
    return render(request, "privacy/team_breaches.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def team_new_breach(request: HttpRequest) -> HttpResponse:
    form = BreachForm(request.POST or None)
    if form.is_valid():
        recorded = run_action(
            form, lambda: actions.do_record_breach(form.to_input(), acting_user=_user(request))
        )
        if recorded is not None:
            messages.success(request, _("The breach is in the register."))
            return redirect("privacy:team_breach", breach_id=recorded.pk)
    return render_form(request, "privacy/team_new_breach.html", {}, form=form)


@staff_required
@require_http_methods(["GET", "POST"])
def team_breach(request: HttpRequest, breach_id: int) -> HttpResponse:
    breach = access.any_breach(breach_id)
    form = BreachForm(request.POST or None, initial=BreachForm.initial_of(breach))
    if form.is_valid():
        edited = run_action(
            form,
            lambda: actions.do_edit_breach(
                breach, acting_user=_user(request), changes=form.to_changes()
            ),
        )
        if edited is not None:
            messages.success(request, _("The register is up to date."))
            return redirect("privacy:team_breach", breach_id=breach_id)
    context = {"breach": breach, "deadline": access.deadline_of(breach)}
    return render_form(request, "privacy/team_breach.html", context, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = ReauthenticationForm(request.POST or None, with_second_factor=user_has_device(user))
    if form.is_valid():
        run_action(form, lambda: actions.do_request_data_export(user, **form.cleaned_data))
        if not form.errors:
            messages.success(request, _("Your copy is being prepared: we will e-mail you."))
            return redirect("privacy:my_data")
    context = {
        "exports": access.exports_of(user)[:5],
        "consents": access.consents_of(user),
        "history": access.consent_history(user)[:50],
        "export_hours": settings.RETENTION["export_hours"],
    }
    return render_form(request, "privacy/my_data.html", context, form=form)


@login_required
@require_POST
def download_export(request: HttpRequest, export_id: int) -> HttpResponse:
    found = access.access_data_export(request.user, export_id)
    try:
        path = actions.do_take_data_export(found)
    except Conflict:
        raise NotFound() from None
    response = FileResponse(path.open("rb"), as_attachment=True, filename="vigie-mes-donnees.zip")
    actions.remove_export_file(path.name)  # the open file stays readable until sent
    return response  # type: ignore[return-value]  # a streaming response, as Django serves it


@login_required
@require_POST
def withdraw_consent(request: HttpRequest, kind: str) -> HttpResponse:
    actions.do_withdraw_consent(_user(request), kind=kind)
    messages.success(request, _("Done: it stopped."))
    return redirect("privacy:my_data")


@login_required
@require_http_methods(["GET", "POST"])
def erase_account(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = EraseAccountForm(request.POST or None, with_second_factor=user_has_device(user))
    if form.is_valid():
        run_action(
            form,
            lambda: actions.do_erase_own_account(
                user,
                password=form.cleaned_data["password"],
                second_factor_code=form.cleaned_data.get("second_factor_code", ""),
                contributions=Contributions(form.cleaned_data["contributions"]),
            ),
        )
        if not form.errors:
            log_out(request)
            return clear_site_data(redirect("privacy:account_erased"))
    return render_form(request, "privacy/erase_account.html", {}, form=form)


def account_erased(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/account_erased.html")


def privacy_policy(request: HttpRequest) -> HttpResponse:
    context = {
        "sections": policy_sections(),
        "seller": {
            "name": settings.SELLER_NAME,
            "address": settings.SELLER_ADDRESS,
            "privacy_email": settings.PRIVACY_CONTACT_EMAIL,
        },
        "version": PRIVACY_POLICY_VERSION,
        "tile_origin": legal.map_tile_origin(),
    }
    return render(request, "privacy/policy.html", context)


@staff_required
@require_POST
def restrict_processing(request: HttpRequest, user_id: int) -> HttpResponse:
    member = access.account_for_team(user_id)
    form = RestrictionForm(request.POST)
    if form.is_valid():
        run_action(
            form,
            lambda: actions.do_restrict_processing(
                member, acting_user=_user(request), reason=form.cleaned_data["reason"]
            ),
        )
    for error in form.errors.values():
        messages.error(request, " ".join(str(each) for each in error))
    if not form.errors:
        messages.success(request, _("Processing is restricted: the account is frozen."))
    return redirect("moderation:team_member", member.pk)


@staff_required
@require_POST
def lift_restriction(request: HttpRequest, user_id: int) -> HttpResponse:
    member = access.account_for_team(user_id)
    try:
        actions.do_lift_processing_restriction(member, acting_user=_user(request))
    except Conflict as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("The restriction is lifted."))
    return redirect("moderation:team_member", member.pk)
