"""Running an action from a form: its errors land on the form's fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vigie.lib.errors import InvalidInput, RateLimited, VigieError

T = TypeVar("T")


def run_action(
    form: forms.Form, action: Callable[[], T], *, also: Sequence[forms.Form] = ()
) -> T | None:
    """Call ``action``; on a VigieError, put its messages on the form and return None.

    A field error lands on whichever of ``form`` and ``also`` has that field;
    the rest shows at the top of ``form``.
    """
    try:
        return action()
    except InvalidInput as error:
        for field, messages in error.errors.items():
            owner = next((each for each in (form, *also) if field in each.fields), None)
            for message in messages:
                if owner is None:
                    form.add_error(None, str(message))
                else:
                    owner.add_error(field, str(message))
        if not error.errors:
            form.add_error(None, error.detail)
    except RateLimited as error:
        form.add_error(None, error.detail)
        form.retry_after = error.retry_after  # type: ignore[attr-defined]
    except VigieError as error:
        form.add_error(None, error.detail)
    return None


def render_form(
    request: HttpRequest, template: str, context: Mapping[str, object], *, form: forms.Form
) -> HttpResponse:
    """Render a page with its form: 422 when the form holds errors, 429 when rate limited."""
    status = 200
    if form.is_bound and form.errors:
        status = 422
    retry_after = getattr(form, "retry_after", None)
    if retry_after:
        status = 429
    response = render(request, template, {**context, "form": form}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def ran(form: forms.Form, action: Callable[[], object]) -> bool:
    """The form is valid and its action ran; otherwise the errors are on the form."""
    return form.is_valid() and run_action(form, action) is not None


def flash_errors(request: HttpRequest, form: forms.Form) -> None:
    """A form posted from a page that is not redrawn: its errors go above the page."""
    from django.contrib import messages

    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
