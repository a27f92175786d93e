"""/api/v1/communities/{id}/alerts and /alerts/{id}… (the team decides in moderation.api)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from vigie.accounts.models import User
from vigie.alerts import access, actions
from vigie.alerts.models import Alert
from vigie.api.auth import member_auth
from vigie.api.schemas import ERRORS, Id
from vigie.communities import access as community_access
from vigie.communities.models import Membership

router = Router(tags=["alerts"], auth=member_auth)


def _caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class PeopleIn(Schema):
    behaviour: str = Field(default="", max_length=120, description="what the person did")
    clothing: str = Field(default="", max_length=120)
    build: str = Field(default="", max_length=120, description="height, build, age range")
    direction: str = Field(default="", max_length=120)


class VehicleIn(Schema):
    kind: str = Field(default="", max_length=120)
    colour: str = Field(default="", max_length=120)
    plate: str = Field(default="", max_length=120, description="partial: never the whole plate")
    direction: str = Field(default="", max_length=120)


class AlertIn(Schema):
    category: str = Field(max_length=30)
    urgency: str = Field(default="normal", max_length=10, description="normal or urgent")
    happened_at: datetime
    place: str = Field(max_length=120, description="the street or place")
    description: str = Field(max_length=2000, description="what happened")
    longitude: float | None = Field(default=None, strict=True, ge=-180, le=180)
    latitude: float | None = Field(default=None, strict=True, ge=-90, le=90)
    people: PeopleIn | None = None
    vehicle: VehicleIn | None = None
    submit: bool = Field(default=True, strict=True, description="false keeps a draft")
    send_anyway: bool = Field(
        default=False, strict=True, description="send although a similar alert exists"
    )


class DeliveriesOut(Schema):
    recipients: int
    sent: dict[str, int]
    pending: int
    held: int
    failed: int


class AlertAuthorOut(Schema):
    display_name: str
    is_me: bool


class AlertOut(Schema):
    id: int
    community_id: int
    category: str
    urgency: str
    happened_at: datetime
    place: str
    longitude: float | None
    latitude: float | None
    description: str
    people: dict[str, str]
    vehicle: dict[str, str]
    state: str
    fast_path: bool
    created_at: datetime
    submitted_at: datetime | None
    reason: str
    resolution: str
    author: AlertAuthorOut
    supporters: int
    deliveries: DeliveriesOut | None = Field(description="for the author and the team only")


class TeamAlertOut(AlertOut):
    author_id: int
    author_full_name: str
    profiling_terms: list[str]
    reviewed: bool


def _fields(alert: Alert, *, viewer: User, figures: bool) -> dict[str, Any]:
    deliveries = None
    if figures:
        found = access.delivery_figures(alert)
        deliveries = DeliveriesOut(
            recipients=found.recipients,
            sent=found.sent,
            pending=found.pending,
            held=found.held,
            failed=found.failed,
        )
    # Members never read why the team refused or withdrew: that is the author's business.
    mine = alert.author_id == viewer.pk
    withheld = not figures and access.withheld_from(alert, viewer)
    return {
        "id": alert.pk,
        "community_id": alert.community_id,
        "category": alert.category,
        "urgency": alert.urgency,
        "happened_at": alert.happened_at,
        "place": "" if withheld else alert.place,
        "longitude": None if withheld or alert.longitude is None else float(alert.longitude),
        "latitude": None if withheld or alert.latitude is None else float(alert.latitude),
        "description": "" if withheld else alert.description,
        "people": {} if withheld else alert.people,
        "vehicle": {} if withheld else alert.vehicle,
        "state": alert.state,
        "fast_path": alert.fast_path,
        "created_at": alert.created_at,
        "submitted_at": alert.submitted_at,
        "reason": alert.reason if mine or figures else "",
        "resolution": alert.resolution,
        "author": AlertAuthorOut(display_name=alert.author.public_name, is_me=mine),
        "supporters": getattr(alert, "supporters", 0),
        "deliveries": deliveries,
    }


def alert_out(alert: Alert, *, viewer: User) -> AlertOut:
    return AlertOut(**_fields(alert, viewer=viewer, figures=alert.author_id == viewer.pk))


def team_alert_out(alert: Alert, *, viewer: User) -> TeamAlertOut:
    return TeamAlertOut(
        **_fields(alert, viewer=viewer, figures=True),
        author_id=alert.author_id,
        author_full_name=f"{alert.author.first_name} {alert.author.last_name}",
        profiling_terms=alert.profiling_terms,
        reviewed=alert.reviewed_at is not None,
    )


def _input(payload: AlertIn) -> actions.AlertInput:
    return actions.AlertInput(
        category=payload.category,
        urgency=payload.urgency,
        happened_at=payload.happened_at,
        place=payload.place,
        description=payload.description,
        longitude=payload.longitude,
        latitude=payload.latitude,
        people=actions.PeopleInput(**payload.people.dict())
        if payload.people
        else actions.PeopleInput(),
        vehicle=actions.VehicleInput(**payload.vehicle.dict())
        if payload.vehicle
        else actions.VehicleInput(),
        submit=payload.submit,
        send_anyway=payload.send_anyway,
    )


class AlertListQuery(Schema):
    before: int | None = Field(default=None, description="an alert id: older ones")
    limit: int = Field(default=20, ge=1, le=50)


@router.get("/communities/{int:community_id}/alerts", response={200: list[AlertOut], **ERRORS})
def community_alerts(
    request: HttpRequest, community_id: Id, filters: Query[AlertListQuery]
) -> list[AlertOut]:
    """Alerts sent in my neighbourhood (and my own, whatever their state), newest first."""
    user = _caller(request)
    community_access.membership_in(user, community_id)
    alerts = access.alerts_of_community(user, community_id)
    if filters.before:
        alerts = alerts.filter(pk__lt=filters.before)
    return [alert_out(alert, viewer=user) for alert in alerts[: filters.limit]]


@router.post(
    "/communities/{int:community_id}/alerts",
    response={201: AlertOut, **ERRORS},
    summary="Send an alert",
)
def create_alert(request: HttpRequest, community_id: Id, payload: AlertIn) -> Status[AlertOut]:
    """In an emergency call 17 (police), 18 (fire brigade) or 112 first.

    409 ``similar_alert`` (with ``similar_alert_id``) when the same kind of alert was
    sent in the same street a few minutes ago: join it, or send again with
    ``send_anyway``. 422 ``profiling`` when people are described only by colour,
    origin or religion. 429 past 3 alerts in 24 hours.
    """
    user = _caller(request)
    membership = community_access.writable_membership(user, community_id)
    alert = actions.do_create_alert(membership, data=_input(payload), source="api")
    return Status(201, alert_out(access.access_alert(user, alert.pk), viewer=user))


@router.get("/alerts/{int:alert_id}", response={200: AlertOut, **ERRORS})
def alert(request: HttpRequest, alert_id: Id) -> AlertOut:
    """An alert; its author also sees how many neighbours it reached, by channel."""
    user = _caller(request)
    return alert_out(access.access_alert(user, alert_id), viewer=user)


class SubmitIn(Schema):
    send_anyway: bool = Field(default=False, strict=True)


class ReasonIn(Schema):
    reason: str = Field(default="", max_length=500)


class CloseIn(Schema):
    resolution: str = Field(max_length=12, description="resolved or false_alarm")


def _writer(user: User, alert: Alert) -> Membership:
    return community_access.writable_membership(user, alert.community_id)


@router.post("/alerts/{int:alert_id}/submit", response={200: AlertOut, **ERRORS})
def submit(request: HttpRequest, alert_id: Id, payload: SubmitIn) -> AlertOut:
    """Send a draft (to the team, or at once on the fast path)."""
    user = _caller(request)
    found = access.access_alert(user, alert_id)
    actions.do_submit_alert(found, membership=_writer(user, found), send_anyway=payload.send_anyway)
    return alert_out(access.access_alert(user, alert_id), viewer=user)


@router.post("/alerts/{int:alert_id}/withdraw", response={200: AlertOut, **ERRORS})
def withdraw(request: HttpRequest, alert_id: Id, payload: ReasonIn) -> AlertOut:
    """The author takes the alert back; everyone it reached is told."""
    user = _caller(request)
    found = access.access_alert(user, alert_id)
    actions.do_withdraw_alert(found, acting_user=user, reason=payload.reason, by_team=False)
    return alert_out(access.access_alert(user, alert_id), viewer=user)


@router.post("/alerts/{int:alert_id}/close", response={200: AlertOut, **ERRORS})
def close(request: HttpRequest, alert_id: Id, payload: CloseIn) -> AlertOut:
    """Resolved, or a false alarm (the author or a référent); followers are told."""
    user = _caller(request)
    found = access.access_alert(user, alert_id)
    membership = community_access.membership_in(user, found.community_id)
    actions.do_close_alert(
        found,
        acting_user=user,
        resolution=payload.resolution,
        membership=membership,
        by_team=False,
    )
    return alert_out(access.access_alert(user, alert_id), viewer=user)


@router.post("/alerts/{int:alert_id}/support", response={200: AlertOut, **ERRORS})
def support(request: HttpRequest, alert_id: Id) -> AlertOut:
    """ "Me too": join the alert rather than sending the same again."""
    user = _caller(request)
    found = access.access_alert(user, alert_id)
    actions.do_support_alert(found, membership=_writer(user, found))
    return alert_out(access.access_alert(user, alert_id), viewer=user)


# --- For the team's operations (vigie.moderation.api) -----------------------------------


class DecisionIn(Schema):
    decision: str = Field(max_length=10, description="approve, reject, review or withdraw")
    reason: str = Field(default="", max_length=500, description="required to reject or withdraw")
    description: str | None = Field(
        default=None, max_length=2000, description="approve: the text with personal data removed"
    )
    place: str | None = Field(
        default=None, max_length=120, description="approve: the place, without a house number"
    )
    people: PeopleIn | None = Field(default=None, description="approve: the description, edited")
    vehicle: VehicleIn | None = Field(default=None, description="approve: the vehicle, edited")

    def redaction(self) -> actions.Redaction:
        return actions.Redaction(
            description=self.description,
            place=self.place,
            people=actions.PeopleInput(**self.people.dict()) if self.people else None,
            vehicle=actions.VehicleInput(**self.vehicle.dict()) if self.vehicle else None,
        )
