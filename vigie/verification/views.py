"""Pages: where my letter stands, enter the code, ask for a new letter, I moved."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vigie.accounts.decorators import login_required, staff_required
from vigie.accounts.models import User
from vigie.addresses.access import suggest_addresses
from vigie.addresses.forms import AddressForm
from vigie.lib.forms import render_form, run_action
from vigie.verification import access, actions
from vigie.verification.forms import ActivationForm
from vigie.verification.limits import limit_activation
from vigie.verification.models import LetterReason


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _status_context(user: User) -> dict[str, object]:
    state = access.verification_state_for(user)
    return {
        "state": state,
        "delivery": access.expected_delivery(state.letter) if state.letter else None,
        "letters_per_window": settings.LETTERS_PER_ACCOUNT,
        "window_days": settings.LETTER_LIMIT_WINDOW_DAYS,
    }


@login_required
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest) -> HttpResponse:
    """The page the letter points to: the letter's status and the code form."""
    user = _user(request)
    form = ActivationForm(request.POST or None)
    if form.is_valid():

        def enter() -> None:
            limit_activation(user)
            actions.do_enter_activation_code(user, code=form.cleaned_data["code"])

        run_action(form, enter)
        if not form.errors:
            messages.success(request, _("Your address is verified. Welcome, neighbour!"))
            return redirect("verification:activate")
    return render_form(request, "verification/status.html", _status_context(user), form=form)


@login_required
@require_POST
def request_letter(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.Form(request.POST)
    form.is_valid()
    run_action(
        form,
        lambda: actions.do_request_letter(user, reason=LetterReason.NEW_LETTER, acting_user=user),
    )
    if form.errors:
        for error in form.non_field_errors():
            messages.error(request, str(error))
    else:
        messages.success(
            request, _("A new letter is on its way; the previous code no longer works.")
        )
    return redirect("verification:activate")


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest) -> HttpResponse:
    """I moved: a new home address, a new letter; the former neighbourhood ends."""
    user = _user(request)
    form = AddressForm(request.POST or None)
    searching = "search" in request.POST
    if form.is_valid() and not searching:
        run_action(form, lambda: actions.do_move_home(user, form.to_input(), acting_user=user))
        if not form.errors:
            messages.success(
                request, _("Your new address is saved; a letter with a code is on its way.")
            )
            return redirect("verification:activate")
    query = form.data.get("address_query", "") if form.is_bound else ""
    context = {
        "address_form": form,
        "address_query": query,
        "address_suggestions": suggest_addresses(query) if query else [],
        "manual_address_open": bool(form.is_bound and form.data.get("street")),
        "current": access.current_address_for(user),
    }
    if searching:
        form = AddressForm()
    return render_form(request, "verification/move.html", context, form=form)


@staff_required
@require_http_methods(["GET", "POST"])
def team_addresses(request: HttpRequest) -> HttpResponse:
    """Addresses typed by hand: the team checks them against the map before the letter leaves."""
    if request.method == "POST":
        address = access.address_to_check(int(request.POST.get("address_id") or 0))
        actions.do_approve_typed_address(address, acting_user=_user(request))
        messages.success(request, _("The address is checked: its letter leaves."))
        return redirect("verification:team_addresses")
    return render(
        request, "verification/team_addresses.html", {"addresses": access.addresses_to_check()}
    )
