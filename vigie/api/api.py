"""The public HTTP API, /api/v1/: each app's router, one error shape for all.

Every 4xx answer is ``{"detail": ..., "code": ...}`` (plus ``errors`` for
field errors); a server error is a bare 500 with the same shape and nothing
from the stack.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db.utils import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

from vigie.lib.errors import InvalidInput, RateLimited, VigieError

logger = logging.getLogger("vigie.api")

_HTTP_DETAILS = {
    400: _lazy("The request could not be understood."),
    401: _lazy("You must be logged in."),
    403: _lazy("You are not allowed to do this."),
    404: _lazy("Not found."),
    405: _lazy("This method is not allowed here."),
    409: _lazy("This conflicts with the current state."),
    422: _lazy("Some fields are not valid."),
    429: _lazy("Too many attempts. Please wait before trying again."),
}

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}


class BodyRejected(Exception):
    def __init__(self, *, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


class JsonOnlyParser(Parser):
    """Bodies must be JSON objects sent as application/json.

    Requiring the content type also closes cross-site form posts: a browser
    cannot send application/json to another site without a CORS preflight,
    which Vigie never grants.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        content_type = request.content_type or ""
        if content_type != "application/json":
            request._vigie_body_error = BodyRejected(  # type: ignore[attr-defined]
                status=415, code="unsupported_media_type"
            )
            raise request._vigie_body_error  # type: ignore[attr-defined]
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            request._vigie_body_error = BodyRejected(  # type: ignore[attr-defined]
                status=400, code="malformed_json"
            )
            raise request._vigie_body_error from None  # type: ignore[attr-defined]
        if not isinstance(data, dict):
            request._vigie_body_error = BodyRejected(  # type: ignore[attr-defined]
                status=400, code="malformed_json"
            )
            raise request._vigie_body_error  # type: ignore[attr-defined]
        if _holds_null_character(data):
            # No text field takes NUL; PostgreSQL would refuse it with a server error.
            request._vigie_body_error = BodyRejected(  # type: ignore[attr-defined]
                status=400, code="invalid_characters"
            )
            raise request._vigie_body_error  # type: ignore[attr-defined]
        return data


def _holds_null_character(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_null_character(k) or _holds_null_character(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_null_character(item) for item in value)
    return False


class VigieAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The schema, with the answers no operation declares itself.

        The 415 that JsonOnlyParser answers wherever a body is read, and the 503
        any operation answers while the database is away (a restart, a failover),
        which a client retries after ``Retry-After`` seconds.
        """
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        unsupported = {"description": "Unsupported Media Type", "content": error}
        unavailable = {
            "description": "Service Unavailable: the database is away for a moment "
            '(code "unavailable"); retry after Retry-After seconds.',
            "headers": {
                "Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer"},
                }
            },
            "content": error,
        }
        for methods in schema["paths"].values():
            for operation in methods.values():
                if "application/json" in operation.get("requestBody", {}).get("content", {}):
                    operation["responses"].setdefault(415, unsupported)
                operation["responses"].setdefault(503, unavailable)
        return schema


api = VigieAPI(
    title="Vigie API",
    version="1",
    description=(
        "The API of Vigie, the secure platform for neighbourhood-watch communities. "
        "Authenticate with a personal access token (`Authorization: Bearer …`) or, from "
        "the browser, with the session cookie and the `X-CSRFToken` header on writes. "
        'Every error answers `{"detail": …, "code": …}`.'
    ),
    urls_namespace="api",
    parser=JsonOnlyParser(),
    # /api/v1/docs is the site's own page (vigie.api.views.reference), drawn from this schema:
    # Swagger UI's markup fails axe (contrast, nested buttons, heading order).
    docs_url=None,
    openapi_url="/openapi.json",
)


def error_response(
    request: HttpRequest,
    *,
    status: int,
    detail: str,
    code: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail, "code": code, **(extra or {})}
    if errors:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@api.exception_handler(VigieError)
def on_vigie_error(request: HttpRequest, error: VigieError) -> HttpResponse:
    headers = {}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    errors = None
    if isinstance(error, InvalidInput):
        errors = [
            {"field": field, "message": str(message)}
            for field, messages in error.errors.items()
            for message in messages
        ]
    return error_response(
        request,
        status=error.status,
        detail=error.detail,
        code=error.code,
        errors=errors,
        headers=headers,
        extra=error.extra,
    )


_PYDANTIC_MESSAGES = {
    "missing": lambda context: _("This field is required."),
    "string_too_long": lambda context: (
        _("Use at most %(max)d characters.") % {"max": context.get("max_length", 0)}
    ),
    "string_too_short": lambda context: (
        _("Use at least %(min)d characters.") % {"min": context.get("min_length", 0)}
    ),
    "string_type": lambda context: _("Enter a text."),
    "int_parsing": lambda context: _("Enter a whole number."),
    "int_type": lambda context: _("Enter a whole number."),
    "bool_type": lambda context: _("Enter true or false."),
    "bool_parsing": lambda context: _("Enter true or false."),
    "extra_forbidden": lambda context: _("This field is not expected."),
    "model_attributes_type": lambda context: _("Send a JSON object."),
    "dict_type": lambda context: _("Send a JSON object."),
    "float_parsing": lambda context: _("Enter a number."),
    "float_type": lambda context: _("Enter a number."),
    "greater_than_equal": lambda context: (
        _("Enter a value of at least %(min)s.") % {"min": context.get("ge", "")}
    ),
    "less_than_equal": lambda context: (
        _("Enter a value of at most %(max)s.") % {"max": context.get("le", "")}
    ),
    "list_type": lambda context: _("Send a list."),
    "datetime_parsing": lambda context: _("Enter a date and time (ISO 8601)."),
    "datetime_type": lambda context: _("Enter a date and time (ISO 8601)."),
    "date_parsing": lambda context: _("Enter a date (YYYY-MM-DD)."),
    "enum": lambda context: _("Choose one of the allowed values."),
    "literal_error": lambda context: _("Choose one of the allowed values."),
}


def _field_name(location: list[Any]) -> str:
    # ninja's locations look like ["body", "payload", "email"]; keep what a client sent.
    parts = [str(part) for part in location[2:]] if len(location) > 2 else [str(location[-1])]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, error: ValidationError) -> HttpResponse:
    errors = []
    for item in error.errors:
        translate = _PYDANTIC_MESSAGES.get(item.get("type", ""))
        message = translate(item.get("ctx") or {}) if translate else _("This value is not valid.")
        errors.append({"field": _field_name(list(item.get("loc", []))), "message": str(message)})
    return error_response(
        request, status=422, detail=_("Some fields are not valid."), code="invalid", errors=errors
    )


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return error_response(
        request, status=401, detail=_("You must be logged in."), code="not_authenticated"
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    rejected = getattr(request, "_vigie_body_error", None)
    if isinstance(rejected, BodyRejected):
        detail = {
            "unsupported_media_type": _(
                "Send the body as JSON, with Content-Type: application/json."
            ),
            "invalid_characters": _("The body holds a NUL character, which no field accepts."),
        }.get(rejected.code, _("The body is not a valid JSON object."))
        return error_response(request, status=rejected.status, detail=detail, code=rejected.code)
    status = error.status_code
    return error_response(
        request,
        status=status,
        detail=str(_HTTP_DETAILS.get(status, _("The request failed."))),
        code=_HTTP_CODES.get(status, "error"),
    )


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return error_response(request, status=404, detail=_("Not found."), code="not_found")


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def on_database_unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    """The database went away (a restart, a failover): 503, try again, nothing was done."""
    from vigie.errors import unavailable

    return unavailable(request, error)


@api.exception_handler(Exception)
def on_unexpected_error(request: HttpRequest, error: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, getattr(request, "path_info", ""))
    return error_response(
        request, status=500, detail=_("Server error. The team has been told."), code="server_error"
    )


def _register_routers() -> None:
    from vigie.accounts.api import auth_router, me_router
    from vigie.addresses.api import router as addresses_router
    from vigie.alerts.api import router as alerts_router
    from vigie.communities.api import router as communities_router
    from vigie.moderation.api import public_router as terms_router
    from vigie.moderation.api import router as moderation_member_router
    from vigie.moderation.api import team_router as moderation_router
    from vigie.municipalities.api import router as municipalities_router
    from vigie.notifications.api import router as notifications_router
    from vigie.notifications.api import webhook_router
    from vigie.posts.api import router as posts_router
    from vigie.privacy.api import router as privacy_router
    from vigie.privacy.api import team_router as privacy_team_router
    from vigie.verification.api import address_router
    from vigie.verification.api import router as verification_router

    api.add_router("/auth/", auth_router)
    api.add_router("/me/address", address_router)
    api.add_router("/me", me_router)
    api.add_router("/addresses", addresses_router)
    api.add_router("/verification", verification_router)
    api.add_router("/communities", communities_router)
    api.add_router("/", posts_router)
    api.add_router("/", alerts_router)
    api.add_router("/moderation", moderation_router)
    api.add_router("/", moderation_member_router)
    api.add_router("/", terms_router)
    api.add_router("/municipalities", municipalities_router)
    api.add_router("/", notifications_router)
    api.add_router("/", webhook_router)
    api.add_router("/", privacy_router)
    api.add_router("/privacy", privacy_team_router)


_register_routers()
