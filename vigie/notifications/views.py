"""Pages: the inbox (kept up to date while open), notification settings, the phone; /sw.js."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vigie.accounts.decorators import login_required
from vigie.accounts.models import User
from vigie.lib import webapp
from vigie.lib.forms import render_form, run_action
from vigie.notifications import access, actions
from vigie.notifications.forms import PhoneCodeForm, PhoneForm, PreferencesForm
from vigie.notifications.vapid import vapid_keys


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {"items": access.inbox_of(user)[:50], "unread": access.unread_count(user)}
    # htmx asks again every 20 seconds: only the list comes back.
    template = "notifications/_inbox_list.html" if request.headers.get("HX-Request") else None
    return render(request, template or "notifications/inbox.html", context)


@login_required
@require_GET
def unread_badge(request: HttpRequest) -> HttpResponse:
    return render(
        request, "notifications/_unread_badge.html", {"unread": access.unread_count(_user(request))}
    )


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    actions.do_mark_read(_user(request), notice_ids=None)
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    current = access.preferences_of(user)
    form = PreferencesForm(request.POST or None, current=current)
    if form.is_valid():
        from vigie.alerts.models import Category

        done = run_action(
            form,
            lambda: (
                actions.do_set_preferences(user, data=form.to_input(), categories=Category.values)
                or True
            ),
        )
        if done:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    context = {
        "current": current,
        "phone_form": PhoneForm(),
        "code_form": PhoneCodeForm(),
        "vapid_public_key": vapid_keys().public_key,
        "subscriptions_url": reverse("api:push_subscriptions"),
        "csrf_token_value": get_token(request),
        "devices": access.push_subscriptions_of(user),
    }
    return render_form(request, "notifications/preferences.html", context, form=form)


@login_required
@require_POST
def set_phone(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PhoneForm(request.POST)
    if form.is_valid():
        run_action(form, lambda: actions.do_set_phone(user, number=form.cleaned_data["number"]))
    _flash(request, form, _("A code is on its way by SMS: enter it below."))
    return redirect(reverse("notifications:preferences") + "#telephone")


@login_required
@require_POST
def verify_phone(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PhoneCodeForm(request.POST)
    if form.is_valid():
        run_action(form, lambda: actions.do_verify_phone(user, code=form.cleaned_data["code"]))
    _flash(request, form, _("Your mobile number is confirmed."))
    return redirect(reverse("notifications:preferences") + "#telephone")


def _flash(request: HttpRequest, form: PhoneForm | PhoneCodeForm, success: str) -> None:
    """The page shows the result above its forms (the form posted is not redrawn)."""
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    else:
        messages.success(request, success)


@login_required
@require_POST
def remove_phone(request: HttpRequest) -> HttpResponse:
    actions.do_remove_phone(_user(request))
    messages.success(request, _("Your mobile number is removed."))
    return redirect(reverse("notifications:preferences") + "#telephone")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site's root so that it may control every page."""
    try:
        source = webapp.service_worker_source()
    except FileNotFoundError:
        raise Http404() from None
    response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
