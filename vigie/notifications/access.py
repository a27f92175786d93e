"""Reads on a person's behalf: their own inbox, preferences, devices and phone; nobody else's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from django.db.models import QuerySet

from vigie.accounts.models import User
from vigie.notifications.models import (
    ChannelPreference,
    InboxItem,
    NotificationSettings,
    PhoneNumber,
    PushSubscription,
)
from vigie.notifications.preferences import CHOOSABLE, DEFAULT_WHEN


@dataclass(frozen=True)
class Preferences:
    choices: dict[tuple[str, str], str]  # every category and channel, defaults included
    quiet_from: time | None
    quiet_until: time | None
    digest: bool
    masked_phone: str
    phone_verified: bool
    push_subscriptions: int


def preferences_of(user: User, *, categories: list[str] | None = None) -> Preferences:
    from vigie.alerts.models import Category

    chosen = {
        (row.category, row.channel): row.when for row in ChannelPreference.objects.filter(user=user)
    }
    choices = {
        (category, channel): chosen.get((category, channel), DEFAULT_WHEN[channel])
        for category in (categories or Category.values)
        for channel in CHOOSABLE
    }
    own = NotificationSettings.objects.filter(user=user).first()
    phone = PhoneNumber.objects.filter(user=user).first()
    return Preferences(
        choices=choices,
        quiet_from=own.quiet_from if own else None,
        quiet_until=own.quiet_until if own else None,
        digest=own.digest if own else False,
        masked_phone=f"•• •• •• •• {phone.number[-2:]}" if phone else "",
        phone_verified=bool(phone and phone.verified_at),
        push_subscriptions=PushSubscription.objects.filter(user=user).count(),
    )


def push_subscriptions_of(user: User) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user=user).order_by("-created_at")


def inbox_of(user: User) -> QuerySet[InboxItem]:
    return InboxItem.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user: User) -> int:
    return InboxItem.objects.filter(recipient=user, read_at__isnull=True).count()
