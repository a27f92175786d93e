"""Pages: my communities, a neighbourhood (map and feed), its directory; the team's pages."""

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
from vigie.communities import access, actions
from vigie.communities.forms import (
    ContentRetentionForm,
    NeighbourhoodForm,
    NeighbourhoodRequestForm,
)
from vigie.communities.models import NeighbourhoodRequest
from vigie.communities.pages import community_frame, community_slots
from vigie.lib.errors import NotFound
from vigie.lib.forms import ran, render_form, run_action
from vigie.lib.frames import render_framed
from vigie.posts.access import feed_page
from vigie.posts.models import PostKind
from vigie.verification.access import is_verified_resident


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def my_communities(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    memberships = access.current_memberships(user)
    if not memberships and not is_verified_resident(user):
        return redirect("verification:activate")
    neighbourhoods = [m for m in memberships if m.community.is_neighbourhood]
    if len(neighbourhoods) == 1 and "liste" not in request.GET:
        return redirect("communities:community", community_id=neighbourhoods[0].community_id)
    context = {"memberships": memberships, "verified": is_verified_resident(user)}
    return render(request, "communities/my_communities.html", context)


@login_required
def community(request: HttpRequest, community_id: int) -> HttpResponse:
    user = _user(request)
    membership = access.membership_in(user, community_id)
    kind = request.GET.get("type") or None
    kind = kind if kind in PostKind.values else None
    page = feed_page(
        membership, cursor=request.GET.get("suite") or None, kind=kind, with_member_count=True
    )
    return render_framed(
        request,
        "communities/community.html",
        frame=community_frame(membership, page, kind=kind),
        slots=community_slots(membership, page),
    )


@login_required
@require_http_methods(["GET", "POST"])
def directory(request: HttpRequest, community_id: int) -> HttpResponse:
    user = _user(request)
    membership = access.membership_in(user, community_id)
    if request.method == "POST":
        actions.do_set_directory_listing(
            access.membership_to_change(user, community_id),
            listed=request.POST.get("listed") == "1",
        )
        messages.success(request, _("Your choice is saved."))
        return redirect("communities:directory", community_id=community_id)
    context = {
        "membership": membership,
        "community": membership.community,
        "entries": access.directory_for(user, community_id),
    }
    return render(request, "communities/directory.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def community_settings(request: HttpRequest, community_id: int) -> HttpResponse:
    user = _user(request)
    membership = access.referent_membership(user, community_id)
    community = membership.community
    default_months = settings.RETENTION["content_months"]
    form = ContentRetentionForm(
        request.POST or None,
        initial={"months": community.content_retention_months},
        choices=actions.retention_choices(),
        default_months=default_months,
    )
    if ran(
        form,
        lambda: actions.do_set_content_retention(
            community, months=form.cleaned_data["months"], acting_user=user
        ),
    ):
        messages.success(request, _("Your choice is saved."))
        return redirect("communities:settings", community_id=community_id)
    context = {"community": community, "default_months": default_months}
    return render_form(request, "communities/settings.html", context, form=form)


@login_required
@require_POST
def leave(request: HttpRequest, community_id: int) -> HttpResponse:
    user = _user(request)
    form = forms.Form(request.POST)
    form.is_valid()
    membership = access.membership_to_change(user, community_id)
    run_action(form, lambda: actions.do_leave_community(membership, acting_user=user))
    for error in form.non_field_errors():
        messages.error(request, str(error))
    if not form.errors:
        messages.success(request, _("You left %(name)s.") % {"name": membership.community.name})
    return redirect("communities:mine")


@login_required
@require_POST
def rejoin(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = forms.Form(request.POST)
    form.is_valid()
    run_action(form, lambda: actions.do_rejoin(user, acting_user=user))
    for error in form.non_field_errors():
        messages.error(request, str(error))
    return redirect("communities:mine")


@login_required
@require_http_methods(["GET", "POST"])
def request_neighbourhood(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = NeighbourhoodRequestForm(request.POST or None)
    if form.is_valid():
        run_action(form, lambda: actions.do_request_neighbourhood(user, **form.cleaned_data))
        if not form.errors:
            messages.success(request, _("Thank you: the team will look at your request."))
            return redirect("communities:mine")
    return render_form(request, "communities/request.html", {}, form=form)


@staff_required
def team_neighbourhoods(request: HttpRequest) -> HttpResponse:
    context = {
        "requests": access.waiting_requests().select_related("requested_by"),
        "neighbourhoods": access.all_neighbourhoods(),
        "waiting": access.homes_waiting_for_a_neighbourhood(),
    }
    return render(request, "communities/team_neighbourhoods.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def team_new_neighbourhood(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    asked: NeighbourhoodRequest | None = None
    request_id = request.GET.get("demande") or request.POST.get("request_id")
    if request_id:
        asked = access.waiting_requests().filter(pk=request_id).first()
        if asked is None:
            raise NotFound()
    initial = (
        {"name": asked.name, "insee_code": asked.insee_code, "commune_name": asked.commune_name,
         "request_id": asked.pk}
        if asked
        else {}
    )  # fmt: skip
    form = NeighbourhoodForm(request.POST or None, initial=initial)
    if form.is_valid():
        data = form.cleaned_data
        created = run_action(
            form,
            lambda: actions.do_create_neighbourhood(
                name=data["name"],
                insee_code=data["insee_code"],
                commune_name=data["commune_name"],
                boundary=data["boundary"],
                acting_user=user,
                request=asked,
            ),
        )
        if created is not None:
            messages.success(request, _("Neighbourhood “%(name)s” drawn.") % {"name": created.name})
            return redirect("communities:team")
    return render_form(
        request, "communities/team_new_neighbourhood.html", {"asked": asked}, form=form
    )


@staff_required
@require_POST
def team_reject_request(request: HttpRequest, request_id: int) -> HttpResponse:
    asked = access.waiting_requests().filter(pk=request_id).first()
    if asked is None:
        raise NotFound()
    actions.do_reject_neighbourhood_request(asked, acting_user=_user(request))
    messages.success(request, _("Request declined."))
    return redirect("communities:team")
