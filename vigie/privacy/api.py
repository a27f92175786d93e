"""The privacy API: a person's own data (a copy, consents) and the team's restriction.

Erasure is ``DELETE /api/v1/me``, next to the profile (vigie/accounts/api.py).
"""

from __future__ import annotations

from datetime import datetime

from django.http import FileResponse, HttpRequest
from ninja import Field, Router, Schema, Status

from vigie.accounts.models import User
from vigie.api.auth import member_auth, team_caller
from vigie.api.schemas import ERRORS
from vigie.lib.errors import Conflict, NotFound
from vigie.privacy import access, actions
from vigie.privacy.models import DataExport

router = Router(tags=["privacy"], auth=member_auth)
team_router = Router(tags=["privacy (team)"], auth=member_auth)


def _caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class ReauthenticationIn(Schema):
    password: str = Field(max_length=200)
    second_factor_code: str = Field(default="", max_length=20)


class ExportOut(Schema):
    id: int
    state: str
    requested_at: datetime
    ready_at: datetime | None
    expires_at: datetime | None
    download_url: str | None = Field(description="Once ready: GET it, once, within the day")


def _export_out(found: DataExport) -> ExportOut:
    return ExportOut(
        id=found.pk,
        state=found.state,
        requested_at=found.requested_at,
        ready_at=found.ready_at,
        expires_at=found.expires_at,
        download_url=f"/api/v1/me/export/{found.pk}/download" if found.state == "ready" else None,
    )


class ConsentOut(Schema):
    kind: str
    given: bool
    since: datetime | None
    version: int
    optional: bool


class RestrictionIn(Schema):
    reason: str = Field(max_length=300)


class RestrictionOut(Schema):
    user_id: int
    restricted_at: datetime | None


@router.get("/me/export", response={200: list[ExportOut], **ERRORS}, summary="My data copies")
def list_exports(request: HttpRequest) -> list[ExportOut]:
    return [_export_out(found) for found in access.exports_of(_caller(request))[:5]]


@router.post("/me/export", response={202: ExportOut, **ERRORS}, summary="Ask for a copy")
def request_export(request: HttpRequest, payload: ReauthenticationIn) -> Status[ExportOut]:
    """Built by a task; an e-mail says when it is ready. Asks for the password again."""
    user = _caller(request)
    return Status(202, _export_out(actions.do_request_data_export(user, **payload.dict())))


@router.get("/me/export/{int:export_id}/download", response={200: None, **ERRORS})
def download_export(request: HttpRequest, export_id: int) -> FileResponse:
    """The ZIP, once: afterwards (or after a day) this answers 404."""
    found = access.access_data_export(_caller(request), export_id)
    try:
        path = actions.do_take_data_export(found)
    except Conflict:
        raise NotFound() from None
    response = FileResponse(path.open("rb"), as_attachment=True, filename="vigie-my-data.zip")
    actions.remove_export_file(path.name)
    return response


@router.get("/me/consents", response={200: list[ConsentOut], **ERRORS}, summary="My consents")
def consents(request: HttpRequest) -> list[ConsentOut]:
    return [
        ConsentOut(
            kind=state.kind.value,
            given=state.given,
            since=state.since,
            version=state.version,
            optional=state.optional,
        )
        for state in access.consents_of(_caller(request))
    ]


@router.delete("/me/consents/{kind}", response={204: None, **ERRORS}, summary="Withdraw one")
def withdraw_consent(request: HttpRequest, kind: str) -> Status[None]:
    actions.do_withdraw_consent(_caller(request), kind=kind)
    return Status(204, None)


@team_router.put("/restrictions/{int:user_id}", response={200: RestrictionOut, **ERRORS})
def restrict(request: HttpRequest, user_id: int, payload: RestrictionIn) -> RestrictionOut:
    """GDPR art. 18: the account is frozen as it is while the person contests it."""
    caller = team_caller(request)
    found = actions.do_restrict_processing(
        access.account_for_team(user_id), acting_user=caller, reason=payload.reason
    )
    return RestrictionOut(user_id=found.pk, restricted_at=found.processing_restricted_at)


@team_router.delete("/restrictions/{int:user_id}", response={200: RestrictionOut, **ERRORS})
def lift(request: HttpRequest, user_id: int) -> RestrictionOut:
    caller = team_caller(request)
    found = actions.do_lift_processing_restriction(
        access.account_for_team(user_id), acting_user=caller
    )
    return RestrictionOut(user_id=found.pk, restricted_at=found.processing_restricted_at)
