"""/api/v1/me/notification-preferences, push subscriptions, phone, inbox; the SMS webhook."""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from vigie.accounts.models import User
from vigie.alerts.models import Category
from vigie.api.auth import member_auth
from vigie.api.schemas import ERRORS, BodyId
from vigie.lib.errors import Forbidden, InvalidInput
from vigie.lib.security_log import log_security_event
from vigie.notifications import access, actions

router = Router(tags=["notifications"], auth=member_auth)
webhook_router = Router(tags=["sms webhook"], auth=None)


def _caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


class ChannelChoice(Schema):
    category: str = Field(max_length=30, description="an alert category")
    channel: str = Field(max_length=10, description="push, sms or email (the inbox always)")
    when: str = Field(max_length=10, description="always, urgent, normal or never")


class PhoneOut(Schema):
    number: str = Field(description="masked: the last two digits only")
    verified: bool


class PreferencesOut(Schema):
    channels: list[ChannelChoice]
    quiet_from: time | None
    quiet_until: time | None
    digest: bool
    phone: PhoneOut | None
    push_subscriptions: int


class PreferencesIn(Schema):
    channels: list[ChannelChoice] = Field(default_factory=list, max_length=200)
    quiet_from: time | None = None
    quiet_until: time | None = None
    digest: bool = Field(default=False, strict=True)


def _preferences(user: User) -> PreferencesOut:
    found = access.preferences_of(user)
    return PreferencesOut(
        channels=[
            ChannelChoice(category=category, channel=channel, when=when)
            for (category, channel), when in found.choices.items()
        ],
        quiet_from=found.quiet_from,
        quiet_until=found.quiet_until,
        digest=found.digest,
        phone=PhoneOut(number=found.masked_phone, verified=found.phone_verified)
        if found.masked_phone
        else None,
        push_subscriptions=found.push_subscriptions,
    )


@router.get("/me/notification-preferences", response={200: PreferencesOut, **ERRORS})
def preferences(request: HttpRequest) -> PreferencesOut:
    """Channels per alert category, quiet hours, the daily digest, my phone and devices."""
    return _preferences(_caller(request))


@router.put("/me/notification-preferences", response={200: PreferencesOut, **ERRORS})
def set_preferences(request: HttpRequest, payload: PreferencesIn) -> PreferencesOut:
    """Choices not sent keep their default (push always, SMS urgent, e-mail non-urgent)."""
    user = _caller(request)
    actions.do_set_preferences(
        user,
        data=actions.PreferencesInput(
            choices={(c.category, c.channel): c.when for c in payload.channels},
            quiet_from=payload.quiet_from,
            quiet_until=payload.quiet_until,
            digest=payload.digest,
        ),
        categories=Category.values,
    )
    return _preferences(user)


class PushKeys(Schema):
    p256dh: str = Field(max_length=200)
    auth: str = Field(max_length=50)


class PushSubscriptionIn(Schema):
    endpoint: str = Field(max_length=1000)
    keys: PushKeys


class PushSubscriptionOut(Schema):
    id: int
    user_agent: str
    created_at: str


class EndpointIn(Schema):
    endpoint: str = Field(max_length=1000)


@router.post(
    "/me/push-subscriptions",
    response={201: PushSubscriptionOut, **ERRORS},
    url_name="push_subscriptions",
)
def subscribe(request: HttpRequest, payload: PushSubscriptionIn) -> Status[PushSubscriptionOut]:
    """Register this browser's Web Push subscription (what PushManager.subscribe gives)."""
    found = actions.do_subscribe_push(
        _caller(request),
        endpoint=payload.endpoint,
        p256dh=payload.keys.p256dh,
        auth=payload.keys.auth,
        user_agent=request.headers.get("User-Agent", ""),
    )
    return Status(
        201,
        PushSubscriptionOut(
            id=found.pk, user_agent=found.user_agent, created_at=found.created_at.isoformat()
        ),
    )


@router.get("/me/push-subscriptions", response={200: list[PushSubscriptionOut], **ERRORS})
def subscriptions(request: HttpRequest) -> list[PushSubscriptionOut]:
    """My devices that receive pushes (their endpoints are secrets: never shown)."""
    return [
        PushSubscriptionOut(id=s.pk, user_agent=s.user_agent, created_at=s.created_at.isoformat())
        for s in access.push_subscriptions_of(_caller(request))
    ]


@router.delete("/me/push-subscriptions", response={204: None, **ERRORS})
def unsubscribe(request: HttpRequest, payload: EndpointIn) -> Status[None]:
    actions.do_unsubscribe_push(_caller(request), endpoint=payload.endpoint)
    return Status(204, None)


class PhoneIn(Schema):
    number: str = Field(max_length=40)


class CodeIn(Schema):
    code: str = Field(max_length=12)


@router.put("/me/phone", response={202: PhoneOut, **ERRORS})
def set_phone(request: HttpRequest, payload: PhoneIn) -> Status[PhoneOut]:
    """A mobile number for SMS alerts; a code goes to it (3 an hour)."""
    user = _caller(request)
    actions.do_set_phone(user, number=payload.number)
    found = access.preferences_of(user)
    return Status(202, PhoneOut(number=found.masked_phone, verified=False))


@router.post("/me/phone/verify", response={200: PhoneOut, **ERRORS})
def verify_phone(request: HttpRequest, payload: CodeIn) -> PhoneOut:
    """The code received by SMS (5 tries, 15 minutes)."""
    user = _caller(request)
    actions.do_verify_phone(user, code=payload.code)
    found = access.preferences_of(user)
    return PhoneOut(number=found.masked_phone, verified=True)


@router.delete("/me/phone", response={204: None, **ERRORS})
def remove_phone(request: HttpRequest) -> Status[None]:
    actions.do_remove_phone(_caller(request))
    return Status(204, None)


class NoticeOut(Schema):
    id: int
    title: str
    body: str
    url: str
    urgent: bool
    created_at: str
    read: bool


class InboxOut(Schema):
    unread: int
    items: list[NoticeOut]


class ReadIn(Schema):
    ids: list[BodyId] | None = Field(
        default=None, max_length=500, description="notice ids; none: all"
    )


@router.get("/me/notifications", response={200: InboxOut, **ERRORS})
def inbox(request: HttpRequest) -> InboxOut:
    """My inbox: alerts, decisions about my alerts, closings (the 50 newest)."""
    user = _caller(request)
    return InboxOut(
        unread=access.unread_count(user),
        items=[
            NoticeOut(
                id=item.pk,
                title=item.title,
                body=item.body,
                url=item.url,
                urgent=item.urgent,
                created_at=item.created_at.isoformat(),
                read=item.read_at is not None,
            )
            for item in access.inbox_of(user)[:50]
        ],
    )


@router.post("/me/notifications/read", response={200: InboxOut, **ERRORS})
def mark_read(request: HttpRequest, payload: ReadIn) -> InboxOut:
    actions.do_mark_read(_caller(request), notice_ids=payload.ids)
    return inbox(request)


class InboundOut(Schema):
    outcome: str


@webhook_router.post("/sms/inbound", response={200: InboundOut, **ERRORS})
def inbound_sms(request: HttpRequest) -> InboundOut:
    """For the SMS provider: a text received, signed (see docs/api.md, the SMS webhook)."""
    from vigie.alerts.actions import do_receive_sms
    from vigie.notifications.sms.webhook import parse_inbound, verify_signature

    body = request.body
    signed = verify_signature(
        body,
        timestamp=request.headers.get("X-Vigie-Timestamp", ""),
        signature=request.headers.get("X-Vigie-Signature", ""),
        secret=settings.SMS_WEBHOOK_SECRET,
        now=timezone.now(),
    )
    if not signed:
        log_security_event("sms_webhook", outcome="bad_signature", request=request)
        raise Forbidden(code="bad_signature")
    try:
        inbound = parse_inbound(body)
    except ValueError as error:
        raise InvalidInput(
            {"body": [_("This text message is malformed: %(why)s") % {"why": error}]}
        ) from None
    return InboundOut(outcome=do_receive_sms(inbound).outcome)
