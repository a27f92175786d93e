"""The privacy API: a person's own data (a copy, consents) and the team's restriction.

Erasure is ``DELETE /api/v1/me``, next to the profile (vigie/accounts/api.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from ninja import Field, Router, Schema, Status
from pydantic import ConfigDict

from vigie.accounts.models import User
from vigie.api.auth import member_auth, team_caller
from vigie.api.schemas import ERRORS, Id
from vigie.lib.errors import Conflict, NotFound
from vigie.privacy import access, actions
from vigie.privacy.models import (
    BREACH_COUNT_MAX,
    BREACH_DESCRIPTION_MAX_LENGTH,
    BREACH_TEXT_MAX_LENGTH,
    Breach,
    DataExport,
)

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
def download_export(request: HttpRequest, export_id: Id) -> FileResponse:
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
def restrict(request: HttpRequest, user_id: Id, payload: RestrictionIn) -> RestrictionOut:
    """GDPR art. 18: the account is frozen as it is while the person contests it."""
    caller = team_caller(request)
    found = actions.do_restrict_processing(
        access.account_for_team(user_id), acting_user=caller, reason=payload.reason
    )
    return RestrictionOut(user_id=found.pk, restricted_at=found.processing_restricted_at)


@team_router.delete("/restrictions/{int:user_id}", response={200: RestrictionOut, **ERRORS})
def lift(request: HttpRequest, user_id: Id) -> RestrictionOut:
    caller = team_caller(request)
    found = actions.do_lift_processing_restriction(
        access.account_for_team(user_id), acting_user=caller
    )
    return RestrictionOut(user_id=found.pk, restricted_at=found.processing_restricted_at)


# --- The team: the breach register (GDPR art. 33(5)) ---------------------------------------------

Nature = Literal["confidentiality", "integrity", "availability"]


class _BreachDetails(Schema):
    """What the team may not know yet when it records a breach, for a record and an edit."""

    # A misspelt field would otherwise be dropped in silence, the register left unchanged.
    model_config = ConfigDict(extra="forbid")

    occurred_at: datetime | None = Field(default=None, description="when it happened, if known")
    people_count: int | None = Field(
        default=None,
        strict=True,
        ge=0,
        le=BREACH_COUNT_MAX,
        description="approximate; null while unknown",
    )
    records_count: int | None = Field(
        default=None,
        strict=True,
        ge=0,
        le=BREACH_COUNT_MAX,
        description="approximate; null while unknown",
    )
    likely_consequences: str = Field(default="", max_length=BREACH_TEXT_MAX_LENGTH)
    measures: str = Field(
        default="", max_length=BREACH_TEXT_MAX_LENGTH, description="taken or proposed"
    )
    people_informed_at: datetime | None = Field(default=None, description="when they were told")
    people_not_informed_reason: str = Field(
        default="", max_length=BREACH_TEXT_MAX_LENGTH, description="why they were not told"
    )
    cnil_notified_at: datetime | None = Field(default=None, description="when the CNIL was told")
    cnil_late_reason: str = Field(
        default="",
        max_length=BREACH_TEXT_MAX_LENGTH,
        description="the reasons for the delay: required when the CNIL was told after 72 hours",
    )
    cnil_not_notified_reason: str = Field(
        default="",
        max_length=BREACH_TEXT_MAX_LENGTH,
        description="when the CNIL is not told: why the breach is unlikely to result in a risk",
    )


class BreachIn(_BreachDetails):
    discovered_at: datetime = Field(description="when the team learnt of it: the 72 hours start")
    natures: list[Nature] = Field(max_length=3, description="what it did to the data: one or more")
    description: str = Field(max_length=BREACH_DESCRIPTION_MAX_LENGTH)
    people_categories: str = Field(max_length=BREACH_TEXT_MAX_LENGTH)
    data_categories: str = Field(max_length=BREACH_TEXT_MAX_LENGTH)

    def to_input(self) -> actions.BreachInput:
        return actions.BreachInput(**self.model_dump())


class BreachPatchIn(_BreachDetails):
    """Only the fields sent change; null empties a date or a figure."""

    discovered_at: datetime | None = None
    natures: list[Nature] = Field(default_factory=list, max_length=3)
    description: str = Field(default="", max_length=BREACH_DESCRIPTION_MAX_LENGTH)
    people_categories: str = Field(default="", max_length=BREACH_TEXT_MAX_LENGTH)
    data_categories: str = Field(default="", max_length=BREACH_TEXT_MAX_LENGTH)

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class DeadlineOut(Schema):
    at: datetime = Field(description="discovered_at + 72 hours")
    state: str = Field(
        description="notified, notified_late, not_notified (unlikely to result in a risk), "
        "running, near (24 hours or less left) or past"
    )
    seconds_left: int | None = Field(
        description="until the limit, negative once past; null once notified or not to be"
    )


class BreachOut(Schema):
    id: int
    discovered_at: datetime
    occurred_at: datetime | None
    natures: list[str]
    description: str
    people_categories: str
    people_count: int | None
    data_categories: str
    records_count: int | None
    likely_consequences: str
    measures: str
    people_informed_at: datetime | None
    people_not_informed_reason: str
    cnil_notified_at: datetime | None
    cnil_late_reason: str
    cnil_not_notified_reason: str
    deadline: DeadlineOut
    recorded_by_id: int
    created_at: datetime
    updated_at: datetime


def _breach_out(breach: Breach) -> BreachOut:
    deadline = access.deadline_of(breach)
    return BreachOut(
        id=breach.pk,
        discovered_at=breach.discovered_at,
        occurred_at=breach.occurred_at,
        natures=breach.natures,
        description=breach.description,
        people_categories=breach.people_categories,
        people_count=breach.people_count,
        data_categories=breach.data_categories,
        records_count=breach.records_count,
        likely_consequences=breach.likely_consequences,
        measures=breach.measures,
        people_informed_at=breach.people_informed_at,
        people_not_informed_reason=breach.people_not_informed_reason,
        cnil_notified_at=breach.cnil_notified_at,
        cnil_late_reason=breach.cnil_late_reason,
        cnil_not_notified_reason=breach.cnil_not_notified_reason,
        deadline=DeadlineOut(
            at=deadline.at,
            state=deadline.state,
            seconds_left=(
                int(deadline.time_left.total_seconds()) if deadline.time_left is not None else None
            ),
        ),
        recorded_by_id=breach.recorded_by_id,
        created_at=breach.created_at,
        updated_at=breach.updated_at,
    )


@team_router.get("/breaches", response={200: list[BreachOut], **ERRORS})
def breaches(request: HttpRequest) -> list[BreachOut]:
    """The register: every breach, the most recently discovered first, with its 72 hours."""
    team_caller(request)
    return [_breach_out(found) for found in access.breach_register()]


@team_router.post("/breaches", response={201: BreachOut, **ERRORS})
def record_breach(request: HttpRequest, payload: BreachIn) -> Status[BreachOut]:
    """Enter a breach, notified or not; what is not known yet is completed later (PATCH)."""
    user = team_caller(request)
    recorded = actions.do_record_breach(payload.to_input(), acting_user=user)
    return Status(201, _breach_out(recorded))


@team_router.get("/breaches/{int:breach_id}", response={200: BreachOut, **ERRORS})
def breach(request: HttpRequest, breach_id: Id) -> BreachOut:
    team_caller(request)
    return _breach_out(access.any_breach(breach_id))


@team_router.patch("/breaches/{int:breach_id}", response={200: BreachOut, **ERRORS})
def edit_breach(request: HttpRequest, breach_id: Id, payload: BreachPatchIn) -> BreachOut:
    """Complete or correct a breach: the fields sent change, each edit is audited."""
    user = team_caller(request)
    found = access.any_breach(breach_id)
    edited = actions.do_edit_breach(found, acting_user=user, changes=payload.changes())
    return _breach_out(edited)
