"""Pages: the town hall's console (alerts, official messages, residents, référents,
subscription, invoices, export), and the team's pages for town halls and their agents."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigie.accounts.authentication import is_verified
from vigie.accounts.decorators import staff_required
from vigie.accounts.models import User
from vigie.alerts.charts import category_series
from vigie.lib import charts
from vigie.lib.errors import NotFound
from vigie.lib.forms import flash_errors, ran, render_form, run_action
from vigie.municipalities import access, actions
from vigie.municipalities.forms import (
    CancelSubscriptionForm,
    InviteAgentForm,
    OfficialMessageForm,
    OrderForm,
    RoleForm,
    TownHallForm,
)
from vigie.municipalities.models import TownHall
from vigie.municipalities.plans import plans_for
from vigie.payments import access as payment_access
from vigie.payments import actions as payment_actions

View = Callable[..., HttpResponse]


def _guard(*, team_too: bool) -> Callable[[View], View]:
    """A town hall's pages: its agents (and, for some, the team), behind the second factor."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            allowed = getattr(user, "is_town_hall_agent", False) or (team_too and user.is_staff)
            if not allowed:
                raise NotFound()
            if not is_verified(user):
                return redirect("accounts:second_factor_required")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


agent_required = _guard(team_too=False)
_agent_or_team = _guard(team_too=True)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _town_hall(request: HttpRequest, town_hall_id: int) -> TownHall:
    return access.access_town_hall(_user(request), town_hall_id)


@agent_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    found = access.town_hall_of(_user(request))
    if found is None:
        raise NotFound()
    return redirect("municipalities:console", town_hall_id=found.pk)


@agent_required
@require_GET
def console(request: HttpRequest, town_hall_id: int) -> HttpResponse:
    town_hall = _town_hall(request, town_hall_id)
    context = {
        "town_hall": town_hall,
        "neighbourhoods": access.neighbourhoods_of(town_hall),
        "alerts": access.commune_alerts(town_hall)[:30],
        "subscription": access.subscription_of(town_hall),
        "sms": access.sms_months(town_hall, months=1),
        "chart": charts.weekly_bars(access.commune_alerts_per_week(town_hall), category_series()),
    }
    # The list refreshes itself while the page is open (htmx): only it comes back.
    template = "municipalities/_alerts.html" if request.headers.get("HX-Request") else None
    return render(request, template or "municipalities/console.html", context)


@agent_required
@require_http_methods(["GET", "POST"])
def official_messages(request: HttpRequest, town_hall_id: int) -> HttpResponse:
    town_hall = _town_hall(request, town_hall_id)
    choices = [
        (row.community.pk, row.community.name) for row in access.neighbourhoods_of(town_hall)
    ]
    form = OfficialMessageForm(request.POST or None, neighbourhoods=choices)
    if ran(
        form,
        lambda: actions.do_publish_official_message(
            town_hall, agent=_user(request), data=form.to_input()
        ),
    ):
        messages.success(request, _("The message is on its way to the neighbours."))
        return redirect("municipalities:messages", town_hall_id=town_hall_id)
    context = {
        "town_hall": town_hall,
        "sent": town_hall.official_messages.select_related("community").order_by("-submitted_at")[
            :50
        ],
    }
    return render_form(request, "municipalities/messages.html", context, form=form)


def _town_hall_or_team(request: HttpRequest, town_hall_id: int) -> TownHall:
    """Référents are named by the town hall, or by the team."""
    user = _user(request)
    if user.is_staff and is_verified(user):
        return access.any_town_hall(town_hall_id)
    return access.access_town_hall(user, town_hall_id)


@_agent_or_team
@require_GET
def residents(request: HttpRequest, town_hall_id: int) -> HttpResponse:
    town_hall = _town_hall_or_team(request, town_hall_id)
    query = request.GET.get("q", "")[:100]
    context = {
        "town_hall": town_hall,
        "query": query,
        "residents": access.residents_of(town_hall, query=query),
        "role_form": RoleForm(),
        "is_agent": not _user(request).is_staff,
    }
    return render(request, "municipalities/residents.html", context)


@agent_required
@require_POST
def check_residence(request: HttpRequest, town_hall_id: int, address_id: int) -> HttpResponse:
    town_hall = _town_hall(request, town_hall_id)
    address = access.commune_address(town_hall, address_id)
    form = forms.Form(request.POST)
    if ran(
        form, lambda: actions.do_check_residence(town_hall, agent=_user(request), address=address)
    ):
        messages.success(
            request, _("The address is verified: the resident joins the neighbourhood.")
        )
    flash_errors(request, form)
    return redirect("municipalities:residents", town_hall_id=town_hall_id)


@_agent_or_team
@require_POST
def set_role(request: HttpRequest, town_hall_id: int, membership_id: int) -> HttpResponse:
    town_hall = _town_hall_or_team(request, town_hall_id)
    membership = access.commune_membership(town_hall, membership_id)
    form = RoleForm(request.POST)
    if ran(
        form,
        lambda: actions.do_set_commune_role(
            membership, role=form.cleaned_data["role"], acting_user=_user(request)
        ),
    ):
        messages.success(request, _("The role is changed."))
    flash_errors(request, form)
    return redirect("municipalities:residents", town_hall_id=town_hall_id)


@agent_required
@require_http_methods(["GET", "POST"])
def subscription(request: HttpRequest, town_hall_id: int) -> HttpResponse:
    town_hall = _town_hall(request, town_hall_id)
    plans = plans_for(town_hall.population)
    form = OrderForm(request.POST or None, plans=plans)
    if form.is_valid():
        order = run_action(
            form,
            lambda: payment_actions.do_create_order(
                town_hall,
                plan_code=form.cleaned_data["plan"],
                period=form.cleaned_data["period"],
                acting_user=_user(request),
            ),
        )
        if order is not None:
            payment = payment_access.payment_form(
                order, payer=_user(request), language=translation.get_language() or "fr"
            )
            context = {"town_hall": town_hall, "order": order, "payment": payment}
            return render(request, "municipalities/pay.html", context)
    context = {
        "town_hall": town_hall,
        "plans": plans,
        "running": access.running_subscription(town_hall),
        "invoices": payment_access.invoices_of(town_hall),
        "orders": payment_access.orders_of(town_hall)[:20],
        "sms": access.sms_months(town_hall),
        "cancel_form": CancelSubscriptionForm(),
    }
    return render_form(request, "municipalities/subscription.html", context, form=form)


@agent_required
@require_POST
def cancel_subscription(request: HttpRequest, town_hall_id: int) -> HttpResponse:
    town_hall = _town_hall(request, town_hall_id)
    form = CancelSubscriptionForm(request.POST)
    if ran(form, lambda: actions.do_cancel_subscription(town_hall, acting_user=_user(request))):
        messages.success(
            request, _("Cancelled: the subscription runs to the end of the period paid.")
        )
    flash_errors(request, form)
    return redirect("municipalities:subscription", town_hall_id=town_hall_id)


@agent_required
@require_GET
def invoice(request: HttpRequest, town_hall_id: int, number: str) -> HttpResponse:
    town_hall = _town_hall(request, town_hall_id)
    found = payment_access.access_invoice(town_hall, number)
    from vigie.payments.invoice_pdf import invoice_pdf  # reportlab: on the first invoice

    response = HttpResponse(invoice_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="facture-{found.number}.pdf"'
    return response


@agent_required
@require_GET
def export(request: HttpRequest, town_hall_id: int) -> HttpResponse:
    town_hall = _town_hall(request, town_hall_id)
    response = HttpResponse(access.export_csv(town_hall), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vigie-{town_hall.insee_code}.csv"'
    return response


# --- The team ------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def team_town_halls(request: HttpRequest) -> HttpResponse:
    form = TownHallForm(request.POST or None)
    if form.is_valid():
        created = run_action(
            form, lambda: actions.do_create_town_hall(form.to_input(), acting_user=_user(request))
        )
        if created is not None:
            messages.success(request, _("The town hall is created: invite its agents."))
            return redirect("municipalities:team_town_hall", town_hall_id=created.pk)
    context = {"town_halls": access.all_town_halls()}
    return render_form(request, "municipalities/team_town_halls.html", context, form=form)


@staff_required
@require_http_methods(["GET", "POST"])
def team_town_hall(request: HttpRequest, town_hall_id: int) -> HttpResponse:
    town_hall = access.any_town_hall(town_hall_id)
    form = InviteAgentForm(request.POST or None)
    if ran(
        form,
        lambda: actions.do_invite_agent(town_hall, acting_user=_user(request), **form.cleaned_data),
    ):
        messages.success(request, _("The invitation is on its way."))
        return redirect("municipalities:team_town_hall", town_hall_id=town_hall_id)
    context = {
        "town_hall": town_hall,
        "agents": access.agents_of(town_hall),
        "subscription": access.subscription_of(town_hall),
    }
    return render_form(request, "municipalities/team_town_hall.html", context, form=form)


@staff_required
@require_POST
def team_remove_agent(request: HttpRequest, town_hall_id: int, agent_id: int) -> HttpResponse:
    town_hall = access.any_town_hall(town_hall_id)
    agent = access.agents_of(town_hall).filter(pk=agent_id).first()
    if agent is None:
        raise NotFound()
    actions.do_remove_agent(agent, acting_user=_user(request))
    messages.success(request, _("The agent no longer works for this town hall in Vigie."))
    return redirect("municipalities:team_town_hall", town_hall_id=town_hall_id)
