"""Writers for alerts: write, submit, decide, withdraw, close, join.

An alert reaches nobody until the team approves it, except on the fast path
(référents, and members with a record of approved alerts and no sanction):
delivered at once, reviewed after. Every decision is an audit event and is
told to the author; the fan-out is queued in the decision's transaction.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import User
from vigie.alerts.models import (
    DESCRIPTION_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Alert,
    AlertSupport,
    Category,
    Resolution,
    Source,
    State,
    Urgency,
)
from vigie.audit import events as audit
from vigie.communities.models import CommunityKind, Membership, MembershipState
from vigie.lib.errors import Conflict, Forbidden, InvalidInput, RateLimited
from vigie.lib.validators import clean_multiline, clean_single_line
from vigie.notifications.models import Delivery, DeliveryState, InboundText, InboxItem

if TYPE_CHECKING:  # phonenumbers loads with the SMS webhook, not in every web worker
    from vigie.notifications.sms.webhook import InboundSms

SHORT_FIELD = 120
MIN_DESCRIPTION = 10
# Whole French plates: SIV (since 2009, "AB-123-CD") and FNI (before, "1234 AB 56").
_COMPLETE_PLATE = re.compile(
    r"[A-Z]{2}[\s-]*[0-9]{3}[\s-]*[A-Z]{2}|[0-9]{1,4}[\s-]*[A-Z]{1,3}[\s-]*(?:[0-9]{2}|2[AB]|97[1-6])"
)
# About 50 m: a point on the map shows the street, never the house.
ROUNDING_METRES = 50
METRES_PER_DEGREE = 111_320
# A point may lie a little outside the boundary (the street that bounds it).
BOUNDARY_MARGIN_DEGREES = 0.002
LATE_REPORT = timedelta(days=7)
CLOCK_SKEW = timedelta(minutes=10)


class SimilarAlert(Conflict):
    code = "similar_alert"
    default_message = _(
        "An alert of the same kind in this street was sent a few minutes ago: join it, "
        "or send yours anyway."
    )

    def __init__(self, alert: Alert) -> None:
        super().__init__()
        self.alert = alert
        self.extra = {"similar_alert_id": alert.pk}


@dataclass(frozen=True)
class PeopleInput:
    behaviour: str = ""  # what the person did: asked for whenever someone is described
    clothing: str = ""
    build: str = ""  # height, build, age range
    direction: str = ""

    def is_empty(self) -> bool:
        return not any((self.behaviour, self.clothing, self.build, self.direction))


@dataclass(frozen=True)
class VehicleInput:
    kind: str = ""  # car, van, scooter…
    colour: str = ""
    plate: str = ""  # a partial plate: never required, never complete
    direction: str = ""

    def is_empty(self) -> bool:
        return not any((self.kind, self.colour, self.plate, self.direction))


@dataclass(frozen=True)
class AlertInput:
    category: str
    happened_at: datetime | None
    place: str
    description: str
    urgency: str = Urgency.NORMAL
    longitude: float | None = None
    latitude: float | None = None
    people: PeopleInput = field(default_factory=PeopleInput)
    vehicle: VehicleInput = field(default_factory=VehicleInput)
    submit: bool = True
    send_anyway: bool = False  # sent although a similar alert exists


def is_complete_plate(plate: str) -> bool:
    return bool(_COMPLETE_PLATE.fullmatch(plate.strip().upper()))


def round_point(longitude: float, latitude: float) -> tuple[Decimal, Decimal]:
    """Snap a point to a grid of about 50 m, so that it never names a house."""
    step_latitude = ROUNDING_METRES / METRES_PER_DEGREE
    step_longitude = step_latitude / max(math.cos(math.radians(latitude)), 0.01)
    snapped_latitude = round(latitude / step_latitude) * step_latitude
    snapped_longitude = round(longitude / step_longitude) * step_longitude
    return (
        Decimal(f"{snapped_longitude:.5f}"),
        Decimal(f"{snapped_latitude:.5f}"),
    )


def _clean_short(value: str, errors: dict[str, list[object]], name: str) -> str:
    try:
        return clean_single_line(value, max_length=SHORT_FIELD, required=False)
    except Exception as error:  # ValidationError: its messages, on the field
        errors.setdefault(name, []).extend(getattr(error, "messages", [str(error)]))
        return ""


@dataclass(frozen=True)
class _Clean:
    category: str
    urgency: str
    happened_at: datetime
    place: str
    description: str
    longitude: Decimal | None
    latitude: Decimal | None
    people: dict[str, str]
    vehicle: dict[str, str]
    profiling_terms: list[str]


def _clean(data: AlertInput, membership: Membership, *, source: str) -> _Clean:
    from django.core.exceptions import ValidationError

    from vigie.alerts.profiling import check_description

    errors: dict[str, list[object]] = {}
    if data.category not in Category.values:
        errors["category"] = [_("Choose what the alert is about.")]
    if data.urgency not in Urgency.values:
        errors["urgency"] = [_("Say whether the alert is urgent.")]
    now = timezone.now()
    happened_at = data.happened_at
    if happened_at is None:
        errors["happened_at"] = [_("Say when it happened.")]
    elif timezone.is_naive(happened_at):
        happened_at = timezone.make_aware(happened_at)
    if happened_at is not None and happened_at > now + CLOCK_SKEW:
        errors["happened_at"] = [_("This moment is still to come.")]
    elif happened_at is not None and happened_at < now - LATE_REPORT:
        errors["happened_at"] = [
            _("An alert is about the last seven days; for older facts, write a post.")
        ]
    try:
        place = clean_single_line(data.place, max_length=PLACE_MAX_LENGTH)
    except ValidationError as error:
        errors["place"] = list(error.messages)
        place = ""
    try:
        description = clean_multiline(data.description, max_length=DESCRIPTION_MAX_LENGTH)
        # A text message is read by the team whatever its length.
        if len(description) < MIN_DESCRIPTION and source != Source.SMS:
            errors["description"] = [_("Say in a few words what happened.")]
    except ValidationError as error:
        errors["description"] = list(error.messages)
        description = ""
    people = {
        name: _clean_short(getattr(data.people, name), errors, f"people_{name}")
        for name in ("behaviour", "clothing", "build", "direction")
    }
    vehicle = {
        name: _clean_short(getattr(data.vehicle, name), errors, f"vehicle_{name}")
        for name in ("kind", "colour", "plate", "direction")
    }
    if vehicle["plate"] and is_complete_plate(vehicle["plate"]):
        errors["vehicle_plate"] = [
            _(
                "Give only the part of the plate you are sure of, never all of it: a whole "
                "plate names its owner, who may have nothing to do with it."
            )
        ]
    if any(people.values()) and not people["behaviour"]:
        errors["people_behaviour"] = [
            _("Describe what the person did: that is what helps neighbours, not their looks.")
        ]
    longitude = latitude = None
    if (data.longitude is None) != (data.latitude is None):
        errors["point"] = [_("A point on the map has a longitude and a latitude.")]
    elif data.longitude is not None and data.latitude is not None:
        # shapely (and numpy) load with the first alert placed on a map, not in every web worker.
        from shapely import Point

        from vigie.communities import geometry

        boundary = membership.community.boundary
        inside = bool(boundary) and geometry.load(boundary).buffer(
            BOUNDARY_MARGIN_DEGREES
        ).contains(Point(data.longitude, data.latitude))
        if not inside:
            errors["point"] = [_("The point must lie in your neighbourhood.")]
        else:
            longitude, latitude = round_point(data.longitude, data.latitude)
    terms: list[str] = []
    if not errors:
        texts = [description, place, *people.values(), *vehicle.values()]
        check = check_description(behaviour=people["behaviour"], texts=texts)
        # A text message cannot be answered with advice, and a missing person is
        # described as they look: the team reads both, terms shown.
        if check.held and source != Source.SMS and data.category != Category.MISSING:
            raise InvalidInput({"description": [check.message]}, code="profiling")
        terms = list(check.terms)
    if errors:
        raise InvalidInput(errors)  # type: ignore[arg-type]
    assert happened_at is not None
    return _Clean(
        category=data.category,
        urgency=data.urgency,
        happened_at=happened_at,
        place=place,
        description=description,
        longitude=longitude,
        latitude=latitude,
        people={name: value for name, value in people.items() if value},
        vehicle={name: value for name, value in vehicle.items() if value},
        profiling_terms=terms,
    )


def _street_key(place: str) -> str:
    return " ".join(place.casefold().split())


def _check_rate(author: User, *, now: datetime) -> None:
    window = now - timedelta(hours=24)
    recent = list(
        Alert.objects.filter(author=author, submitted_at__gte=window)
        .order_by("submitted_at")
        .values_list("submitted_at", flat=True)
    )
    if len(recent) >= settings.ALERT_MAX_PER_DAY:
        first = recent[-settings.ALERT_MAX_PER_DAY]
        assert first is not None
        raise RateLimited(
            retry_after=int((first + timedelta(hours=24) - now).total_seconds()) + 1,
            message=_("You sent %(count)d alerts in the last 24 hours: that is the most.")
            % {"count": settings.ALERT_MAX_PER_DAY},
        )


def _similar(alert: Alert, *, now: datetime) -> Alert | None:
    since = now - timedelta(minutes=settings.ALERT_SIMILAR_MINUTES)
    key = _street_key(alert.place)
    candidates = Alert.objects.filter(
        community_id=alert.community_id,
        category=alert.category,
        state__in=[State.PENDING, State.APPROVED],
        submitted_at__gte=since,
    ).exclude(pk=alert.pk)
    return next((other for other in candidates if _street_key(other.place) == key), None)


def fast_path_allowed(membership: Membership, alert: Alert) -> bool:
    """Référents, and members with enough approved alerts and no sanction; never profiling."""
    if alert.profiling_terms or membership.state != MembershipState.ACTIVE:
        return False
    if membership.is_referent:
        return True
    approved = Alert.objects.filter(
        author_id=membership.user_id,
        state__in=[State.APPROVED, State.RESOLVED],
        fast_path=False,
    ).count()
    if approved < settings.ALERT_TRUSTED_APPROVED:
        return False
    from vigie.moderation.models import BREACHES, Decision, DecisionState

    since = timezone.now() - timedelta(days=settings.ALERT_TRUSTED_CLEAN_DAYS)
    sanctioned = (
        Decision.objects.filter(
            subject_id=membership.user_id, kind__in=BREACHES, created_at__gte=since
        )
        .exclude(state__in=[DecisionState.OVERTURNED, DecisionState.CANCELLED])
        .exists()
    )
    rejected = Alert.objects.filter(
        author_id=membership.user_id, state=State.REJECTED, decided_at__gte=since
    ).exists()
    return not sanctioned and not rejected


@transaction.atomic
def do_create_alert(membership: Membership, *, data: AlertInput, source: str = Source.WEB) -> Alert:
    """A member writes an alert (the caller took a membership that may write)."""
    if membership.community.kind != CommunityKind.NEIGHBOURHOOD:
        raise Forbidden(_("Alerts are sent in a neighbourhood."), code="not_a_neighbourhood")
    clean = _clean(data, membership, source=source)
    now = timezone.now()
    if data.submit:
        _check_rate(membership.user, now=now)
    alert = Alert.objects.create(
        community_id=membership.community_id,
        author_id=membership.user_id,
        category=clean.category,
        urgency=clean.urgency,
        happened_at=clean.happened_at,
        place=clean.place,
        longitude=clean.longitude,
        latitude=clean.latitude,
        description=clean.description,
        people=clean.people,
        vehicle=clean.vehicle,
        profiling_terms=clean.profiling_terms,
        source=source,
    )
    audit.alert_created(alert)
    if data.submit:
        if not data.send_anyway:
            similar = _similar(alert, now=now)
            if similar is not None:
                # Raising undoes this attempt: the author joins, or sends anyway.
                raise SimilarAlert(similar)
        _submit(alert, membership, now=now)
    return alert


def _locked(alert: Alert) -> Alert:
    """The alert as it is now, locked until the decision commits.

    Deciding on the copy a page or a request loaded earlier would let a stale
    approval deliver a withdrawn alert, or two decisions both pass.
    """
    return Alert.objects.select_for_update(of=("self",)).select_related("author").get(pk=alert.pk)


@transaction.atomic
def do_submit_alert(alert: Alert, *, membership: Membership, send_anyway: bool = False) -> Alert:
    alert = _locked(alert)
    if alert.author_id != membership.user_id or alert.state != State.DRAFT:
        raise Conflict(_("Only a draft can be sent, by its author."), code="not_a_draft")
    now = timezone.now()
    _check_rate(membership.user, now=now)
    if not send_anyway:
        similar = _similar(alert, now=now)
        if similar is not None:
            raise SimilarAlert(similar)
    _submit(alert, membership, now=now)
    return alert


def _submit(alert: Alert, membership: Membership, *, now: datetime) -> None:
    from vigie.alerts.tasks import fan_out_alert

    alert.submitted_at = now
    if alert.source != Source.SMS and fast_path_allowed(membership, alert):
        alert.state = State.APPROVED
        alert.fast_path = True
        alert.decided_at = now
    else:
        alert.state = State.PENDING
    alert.save(update_fields=["submitted_at", "state", "fast_path", "decided_at"])
    audit.alert_submitted(alert)
    if alert.fast_path:
        fan_out_alert.enqueue(alert.pk)


def _tell_author(alert: Alert, subject_type: str, *, edited: bool = False) -> None:
    """The author hears of each decision: in the inbox, and by e-mail."""
    from vigie.alerts.messages import decision_notice
    from vigie.notifications.actions import queue_email

    notice = decision_notice(alert, subject_type, edited=edited)
    InboxItem.objects.get_or_create(
        recipient_id=alert.author_id,
        subject_type=subject_type,
        subject_id=alert.pk,
        defaults={"title": notice.title, "body": notice.body, "url": notice.url},
    )
    author = alert.author
    if author.is_active and author.email_confirmed_at is not None:
        queue_email(
            "alert_decision",
            to=author.email,
            language=author.language or "fr",
            user_id=author.pk,
            context={"alert_id": alert.pk, "notice": subject_type, "edited": int(edited)},
        )


@dataclass(frozen=True)
class Redaction:
    """What the team rewrites before approving: personal data out (None leaves a field)."""

    description: str | None = None
    place: str | None = None
    people: PeopleInput | None = None
    vehicle: VehicleInput | None = None


def _redacted(alert: Alert, redaction: Redaction) -> dict[str, str | dict[str, str]]:
    """Apply the redaction to the alert in memory; the originals of what changed."""
    from django.core.exceptions import ValidationError

    errors: dict[str, list[object]] = {}
    originals: dict[str, str | dict[str, str]] = {}
    if redaction.description is not None:
        try:
            description = clean_multiline(redaction.description, max_length=DESCRIPTION_MAX_LENGTH)
        except ValidationError as error:
            errors["description"] = list(error.messages)
        else:
            if description != alert.description:
                originals["description"], alert.description = alert.description, description
    if redaction.place is not None:
        try:
            place = clean_single_line(redaction.place, max_length=PLACE_MAX_LENGTH)
        except ValidationError as error:
            errors["place"] = list(error.messages)
        else:
            if place != alert.place:
                originals["place"], alert.place = alert.place, place
    for name, given, fields in (
        ("people", redaction.people, ("behaviour", "clothing", "build", "direction")),
        ("vehicle", redaction.vehicle, ("kind", "colour", "plate", "direction")),
    ):
        if given is None:
            continue
        cleaned = {
            field: _clean_short(getattr(given, field), errors, f"{name}_{field}")
            for field in fields
        }
        kept = {field: value for field, value in cleaned.items() if value}
        if kept != getattr(alert, name):
            originals[name] = getattr(alert, name)
            setattr(alert, name, kept)
    if errors:
        raise InvalidInput(errors)  # type: ignore[arg-type]
    return originals


@transaction.atomic
def do_approve_alert(
    alert: Alert, *, acting_user: User, redaction: Redaction | None = None
) -> Alert:
    """The team approves: every neighbour is told. Personal data may be edited out first;
    the original stays in the audit event, and only there."""
    from vigie.alerts.tasks import fan_out_alert

    alert = _locked(alert)
    if alert.state != State.PENDING:
        raise Conflict(_("Only an alert waiting for the team can be approved."), code="not_pending")
    if not alert.author.is_active:
        raise Conflict(
            _("Its author's account is closed: this alert leaves no more."), code="author_closed"
        )
    originals = _redacted(alert, redaction) if redaction is not None else {}
    now = timezone.now()
    alert.state = State.APPROVED
    alert.decided_at = alert.reviewed_at = now
    alert.decided_by = acting_user
    alert.save(
        update_fields=[
            "state", "decided_at", "reviewed_at", "decided_by",
            "description", "place", "people", "vehicle",
        ]
    )  # fmt: skip
    audit.alert_approved(alert, actor_id=acting_user.pk, originals=originals)
    _tell_author(alert, "alert_approved", edited=bool(originals))
    fan_out_alert.enqueue(alert.pk)
    # What the team rewrote, for the decision that records this approval.
    alert.edited_fields = sorted(originals)  # type: ignore[attr-defined]
    return alert


@transaction.atomic
def do_reject_alert(
    alert: Alert, *, acting_user: User, reason: str, tell_author: bool = True
) -> Alert:
    alert = _locked(alert)
    if alert.state != State.PENDING:
        raise Conflict(_("Only an alert waiting for the team can be rejected."), code="not_pending")
    try:
        clean_reason = clean_multiline(reason, max_length=REASON_MAX_LENGTH)
    except Exception as error:
        raise InvalidInput({"reason": getattr(error, "messages", [])}) from None
    alert.state = State.REJECTED
    alert.reason = clean_reason
    alert.decided_at = alert.reviewed_at = timezone.now()
    alert.decided_by = acting_user
    alert.save(update_fields=["state", "reason", "decided_at", "reviewed_at", "decided_by"])
    audit.alert_rejected(alert, actor_id=acting_user.pk)
    if tell_author:  # moderation tells it with the clause, when it decides
        _tell_author(alert, "alert_rejected")
    return alert


@transaction.atomic
def do_reopen_alert(alert: Alert, *, acting_user: User) -> Alert:
    """A refusal overturned on appeal: the alert waits for the team again."""
    alert = _locked(alert)
    if alert.state != State.REJECTED:
        raise Conflict(_("Only a rejected alert can be reopened."), code="not_rejected")
    alert.state = State.PENDING
    alert.decided_at = alert.reviewed_at = None
    alert.save(update_fields=["state", "decided_at", "reviewed_at"])
    audit.alert_reopened(alert, actor_id=acting_user.pk)
    return alert


@transaction.atomic
def do_review_alert(alert: Alert, *, acting_user: User) -> Alert:
    """A fast-path alert, read by the team after it left: it stays (or the team withdraws it)."""
    alert = _locked(alert)
    if (
        not alert.fast_path
        or alert.reviewed_at is not None
        or alert.state not in (State.APPROVED, State.RESOLVED)
    ):
        raise Conflict(_("This alert is not waiting for a review."), code="not_awaiting_review")
    alert.reviewed_at = timezone.now()
    alert.decided_by = acting_user
    alert.save(update_fields=["reviewed_at", "decided_by"])
    audit.alert_reviewed(alert, actor_id=acting_user.pk)
    _tell_author(alert, "alert_reviewed")
    return alert


# What has reached someone, or may have: a message in the middle of its sending.
_REACHED = (DeliveryState.SENT, DeliveryState.SENDING)


@transaction.atomic
def do_withdraw_alert(
    alert: Alert, *, acting_user: User, reason: str, by_team: bool, tell_author: bool = True
) -> Alert:
    """The author, or the team, takes an alert back; everyone it reached is told.

    The team may also withdraw an alert its author closed before the review.
    What has not left is cancelled, and the alert's notice leaves every inbox.
    """
    from vigie.alerts.tasks import fan_out_withdrawal
    from vigie.notifications.actions import do_cancel_deliveries

    alert = _locked(alert)
    if not by_team and alert.author_id != acting_user.pk:
        raise Forbidden(_("Only its author or the team can withdraw an alert."), code="not_author")
    withdrawable = [State.DRAFT, State.PENDING, State.APPROVED]
    if by_team:
        withdrawable.append(State.RESOLVED)
    if alert.state not in withdrawable:
        raise Conflict(_("This alert can no longer be withdrawn."), code="not_withdrawable")
    try:
        alert.reason = clean_multiline(reason, max_length=REASON_MAX_LENGTH, required=by_team)
    except Exception as error:
        raise InvalidInput({"reason": getattr(error, "messages", [])}) from None
    was_sent = alert.state in (State.APPROVED, State.RESOLVED)
    alert.state = State.WITHDRAWN
    alert.closed_at = timezone.now()
    if by_team and alert.reviewed_at is None:
        alert.reviewed_at = alert.closed_at
        alert.decided_by = acting_user
    alert.save(update_fields=["state", "reason", "closed_at", "reviewed_at", "decided_by"])
    do_cancel_deliveries("alert", alert.pk)
    InboxItem.objects.filter(subject_type="alert", subject_id=alert.pk).delete()
    reached = (
        Delivery.objects.filter(subject_type="alert", subject_id=alert.pk, state__in=_REACHED)
        .values("recipient")
        .distinct()
        .count()
    )
    audit.alert_withdrawn(alert, actor_id=acting_user.pk, reached=reached)
    if by_team and tell_author:
        _tell_author(alert, "alert_withdrawn_by_team")
    if was_sent:
        fan_out_withdrawal.enqueue(alert.pk)
    return alert


def can_close(alert: Alert, user: User, membership: Membership | None) -> bool:
    """Its author or a référent, whose membership may write (a suspended one may not)."""
    if membership is None or not membership.can_write:
        return False
    return user.pk == alert.author_id or membership.is_referent


@transaction.atomic
def do_close_alert(
    alert: Alert,
    *,
    acting_user: User,
    resolution: str,
    membership: Membership | None,
    by_team: bool,
) -> Alert:
    """Resolved, or a false alarm: those who followed it get a notice in their inbox."""
    from vigie.alerts.tasks import notify_followers

    if resolution not in Resolution.values:
        raise InvalidInput({"resolution": [_("Say whether it is resolved or a false alarm.")]})
    alert = _locked(alert)
    if not by_team and not can_close(alert, acting_user, membership):
        raise Forbidden(
            _("Its author, a référent or the team can close an alert."), code="not_allowed"
        )
    if alert.state != State.APPROVED:
        raise Conflict(_("Only an alert sent to the neighbours can be closed."), code="not_open")
    alert.state = State.RESOLVED
    alert.resolution = resolution
    alert.closed_at = timezone.now()
    alert.save(update_fields=["state", "resolution", "closed_at"])
    audit.alert_closed(alert, actor_id=acting_user.pk)
    notify_followers.enqueue(alert.pk)
    return alert


@transaction.atomic
def do_support_alert(alert: Alert, *, membership: Membership) -> AlertSupport:
    """ "Me too": a neighbour joins an alert instead of sending the same again."""
    if alert.state not in (State.PENDING, State.APPROVED):
        raise Conflict(_("This alert is closed."), code="not_open")
    support, _created = AlertSupport.objects.get_or_create(alert=alert, user_id=membership.user_id)
    return support


def sms_input(text: str, *, received_at: datetime) -> AlertInput:
    """A text from a member's verified phone, as an alert for the team to check."""
    return AlertInput(
        category=Category.OTHER,
        happened_at=min(received_at, timezone.now()),
        place=str(_("Sent by SMS")),
        description=text.strip()[:DESCRIPTION_MAX_LENGTH],
        send_anyway=True,
    )


@transaction.atomic
def do_receive_sms(inbound: InboundSms) -> InboundText:
    """A text from a member's verified number becomes an alert waiting for the team.

    Texts from unknown numbers, or from someone in no neighbourhood, are dropped
    and logged; a text received twice (the provider retrying) counts once.
    """
    from vigie.lib.crypto import fingerprint
    from vigie.lib.security_log import log_security_event
    from vigie.notifications.models import PhoneNumber

    existing = InboundText.objects.filter(provider_id=inbound.provider_id).first()
    if existing is not None:
        return existing
    phone = (
        PhoneNumber.objects.select_related("user")
        .filter(fingerprint=fingerprint("phone", inbound.sender), verified_at__isnull=False)
        .first()
    )
    membership = (
        Membership.objects.select_related("community", "user")
        .filter(
            user=phone.user,
            state=MembershipState.ACTIVE,
            community__kind=CommunityKind.NEIGHBOURHOOD,
        )
        .first()
        if phone is not None and phone.user.is_active
        else None
    )
    outcome, alert = "alert", None
    if phone is None:
        outcome = "unknown_number"
    elif membership is None:
        outcome = "no_neighbourhood"
    else:
        try:
            with transaction.atomic():
                alert = do_create_alert(
                    membership,
                    data=sms_input(inbound.text, received_at=inbound.received_at),
                    source=Source.SMS,
                )
        except RateLimited:
            outcome = "rate_limited"
        except InvalidInput:
            outcome = "invalid"
    if alert is None:
        audit.sms_alert_dropped(reason=outcome)
        log_security_event("inbound_sms", outcome=outcome, user_id=phone.user_id if phone else None)
    if phone is not None and alert is None:
        from vigie.alerts.tasks import reply_to_text

        # A member's text is never dropped in silence; an unknown number hears nothing.
        reply_to_text.enqueue(phone.pk, outcome)
    return InboundText.objects.create(
        provider_id=inbound.provider_id,
        received_at=inbound.received_at,
        outcome=outcome,
        alert_id=alert.pk if alert else None,
    )
