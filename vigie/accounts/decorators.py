"""Guards for pages: logged in, and for the team, with a verified second factor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from vigie.accounts.authentication import is_verified
from vigie.lib.errors import NotFound

View = Callable[..., HttpResponse]


def login_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view: View) -> View:
    """Team pages: staff only, and only once the session passed its second factor.

    Anyone else gets a 404, as if the page did not exist.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_staff:
            raise NotFound()
        if not is_verified(user):
            return redirect("accounts:second_factor_required")
        return view(request, *args, **kwargs)

    return wrapper
