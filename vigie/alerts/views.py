"""Pages: write an alert (emergency first), read, withdraw, close, join; the team's queue."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vigie.accounts.decorators import login_required, staff_required
from vigie.accounts.models import User
from vigie.alerts import access, actions
from vigie.alerts.forms import (
    AlertForm,
    CloseForm,
    DecisionForm,
    ReasonForm,
    decision_initial,
    redaction,
)
from vigie.alerts.models import Alert
from vigie.communities import access as community_access
from vigie.lib.forms import render_form, run_action
from vigie.moderation.actions import AlertDecisionInput, do_decide_alert


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _map_context() -> dict[str, object]:
    return {"tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION}


@login_required
@require_http_methods(["GET", "POST"])
def write(request: HttpRequest, community_id: int) -> HttpResponse:
    user = _user(request)
    membership = community_access.writable_membership(user, community_id)
    context: dict[str, object] = {"community": membership.community, **_map_context()}
    if request.method == "GET" and "ecrire" not in request.GET:
        return render(request, "alerts/before_writing.html", context)
    form = AlertForm(request.POST or None)
    if form.is_valid():
        similar: list[Alert] = []

        def create() -> Alert | None:
            try:
                return actions.do_create_alert(membership, data=form.to_input())
            except actions.SimilarAlert as error:
                similar.append(error.alert)
                return None

        alert = run_action(form, create)
        if alert is not None:
            if alert.fast_path:
                messages.success(request, _("Your alert is sent to your neighbours."))
            else:
                messages.success(request, _("Your alert is sent to the team, who checks it."))
            return redirect("alerts:alert", alert_id=alert.pk)
        if similar:
            # Shown with "join it", or "send mine anyway" (the same form, marked so).
            context["similar"] = similar[0]
            data = request.POST.copy()
            data["send_anyway"] = "1"
            form = AlertForm(data)
            form.is_valid()
    return render_form(request, "alerts/write.html", context, form=form)


@login_required
def community_alerts(request: HttpRequest, community_id: int) -> HttpResponse:
    user = _user(request)
    membership = community_access.membership_in(user, community_id)
    context = {
        "community": membership.community,
        "membership": membership,
        "alerts": access.alerts_of_community(user, community_id)[:50],
    }
    return render(request, "alerts/list.html", context)


@login_required
def alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = _user(request)
    found = access.access_alert(user, alert_id)
    membership = community_access.membership_in(user, found.community_id)
    mine = found.author_id == user.pk
    context = {
        "alert": found,
        "community": found.community,
        "membership": membership,
        "mine": mine,
        "withheld": access.withheld_from(found, user),
        "figures": access.delivery_figures(found) if mine else None,
        "can_close": actions.can_close(found, user, membership),
        "reason_form": ReasonForm(),
        "close_form": CloseForm(),
        **_map_context(),
    }
    return render(request, "alerts/alert.html", context)


@login_required
@require_POST
def withdraw(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = _user(request)
    found = access.access_alert(user, alert_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    done = run_action(
        form,
        lambda: actions.do_withdraw_alert(found, acting_user=user, reason=reason, by_team=False),
    )
    _flash(request, form, done, _("Your alert is withdrawn; everyone it reached is told."))
    return redirect("alerts:alert", alert_id=alert_id)


@login_required
@require_POST
def close(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = _user(request)
    found = access.access_alert(user, alert_id)
    membership = community_access.membership_in(user, found.community_id)
    form = CloseForm(request.POST)
    resolution = form.cleaned_data["resolution"] if form.is_valid() else ""
    done = run_action(
        form,
        lambda: actions.do_close_alert(
            found, acting_user=user, resolution=resolution, membership=membership, by_team=False
        ),
    )
    _flash(request, form, done, _("The alert is closed; those who followed it are told."))
    return redirect("alerts:alert", alert_id=alert_id)


@login_required
@require_POST
def support(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = _user(request)
    found = access.access_alert(user, alert_id)
    membership = community_access.writable_membership(user, found.community_id)
    actions.do_support_alert(found, membership=membership)
    messages.success(request, _("You joined this alert."))
    return redirect("alerts:alert", alert_id=alert_id)


def _flash(request: HttpRequest, form: ReasonForm | CloseForm, done: object, text: str) -> None:
    if done is None:
        for error in form.errors.get("__all__", []) + [
            message
            for field, errors in form.errors.items()
            if field != "__all__"
            for message in errors
        ]:
            messages.error(request, str(error))
    else:
        messages.success(request, text)


# --- The team ----------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def team_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = _user(request)
    found = access.any_alert(alert_id)
    form = DecisionForm(request.POST or None, initial=decision_initial(found))
    if form.is_valid():
        decision = form.cleaned_data["decision"]

        def decide() -> object:
            return do_decide_alert(
                found,
                acting_user=user,
                data=AlertDecisionInput(
                    decision=decision,
                    clause=form.cleaned_data["clause"],
                    reason=form.cleaned_data["reason"],
                ),
                redaction=redaction(form.cleaned_data) if decision == "approve" else None,
            )

        if run_action(form, decide) is not None:
            messages.success(request, _("Decision recorded."))
            return redirect("moderation:team_queue")
    context = {"alert": found, "figures": access.delivery_figures(found)}
    return render_form(request, "alerts/team_alert.html", context, form=form)
