"""Who gets what, by which channel, and when: preferences, quiet hours, the digest.

Defaults (unless a person chose otherwise for a category and a channel):
push for every alert, SMS for urgent ones, e-mail for the others; the in-app
inbox always. Quiet hours hold non-urgent push and SMS until they end; the
daily digest holds non-urgent e-mails until its hour.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from vigie.accounts.models import User
from vigie.lib import lookups  # noqa: F401 - registers field__any_of
from vigie.notifications.models import (
    Channel,
    ChannelPreference,
    DeliveryState,
    PhoneNumber,
    PushSubscription,
    When,
)

CHOOSABLE: tuple[str, ...] = (Channel.PUSH, Channel.SMS, Channel.EMAIL)
DEFAULT_WHEN: dict[str, str] = {
    Channel.PUSH: When.ALWAYS,
    Channel.SMS: When.URGENT,
    Channel.EMAIL: When.NORMAL,
}
# Quiet hours hold only the channels that wake people up.
QUIETED = (Channel.PUSH, Channel.SMS)


class Plan(NamedTuple):
    """One delivery to create. A tuple: a fan-out makes one per member and channel."""

    recipient_id: int
    channel: str
    state: str  # pending, or held until send_after
    send_after: datetime | None = None
    digest: bool = False


def wanted(when: str, *, urgent: bool) -> bool:
    return (
        when == When.ALWAYS
        or (when == When.URGENT and urgent)
        or (when == When.NORMAL and not urgent)
    )


def in_quiet_hours(now_local: time, quiet_from: time, quiet_until: time) -> bool:
    if quiet_from == quiet_until:
        return False
    if quiet_from < quiet_until:
        return quiet_from <= now_local < quiet_until
    return now_local >= quiet_from or now_local < quiet_until  # across midnight


def next_local(moment: datetime, at: time) -> datetime:
    """The next time the local clock shows ``at`` after ``moment``."""
    local = timezone.localtime(moment)
    candidate = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate = timezone.localtime(
            timezone.make_aware(candidate.replace(tzinfo=None) + timedelta(days=1))
        )
    return candidate


def plans_for(user_ids: Iterable[int], *, category: str, urgent: bool, now: datetime) -> list[Plan]:
    """The deliveries to create for these people: two queries whatever their number."""
    ids = list(user_ids)
    # One row per person with every fact the plan needs: the reverse one-to-one
    # is a left join, the phone and the devices are EXISTS subqueries.
    people = {
        user_id: (confirmed, phone, push, (quiet_from, quiet_until, digest))
        for user_id, confirmed, phone, push, quiet_from, quiet_until, digest in (
            User.objects.filter(pk__any_of=ids, is_active=True)
            .annotate(
                # A yes or no, not the moment: 2,000 datetimes parsed a batch for nothing.
                confirmed=ExpressionWrapper(
                    Q(email_confirmed_at__isnull=False), output_field=BooleanField()
                ),
                has_phone=Exists(
                    PhoneNumber.objects.filter(user_id=OuterRef("pk"), verified_at__isnull=False)
                ),
                has_push=Exists(PushSubscription.objects.filter(user_id=OuterRef("pk"))),
            )
            .values_list(
                "pk",
                "confirmed",
                "has_phone",
                "has_push",
                "notification_settings__quiet_from",
                "notification_settings__quiet_until",
                "notification_settings__digest",
            )
        )
    }
    choices = {
        (user_id, channel): when
        for user_id, channel, when in ChannelPreference.objects.filter(
            user_id__any_of=ids, category=category
        ).values_list("user_id", "channel", "when")
    }
    local_now = timezone.localtime(now).time()
    digest_at = next_local(now, time(settings.DIGEST_HOUR))
    # The loop runs once per member and channel (30,000 times for 10,000 members): what
    # does not depend on the member is looked up once, here.
    wanted_now = {when: wanted(when, urgent=urgent) for when in When.values}
    in_app, email, sms, push_channel = Channel.IN_APP, Channel.EMAIL, Channel.SMS, Channel.PUSH
    pending = DeliveryState.PENDING
    plans: list[Plan] = []
    for user_id in ids:
        person = people.get(user_id)
        if person is None:
            continue
        confirmed, phone, push, (quiet_from, quiet_until, digest) = person
        available: dict[str, bool] = {email: confirmed, sms: phone, push_channel: push}
        plans.append(Plan(user_id, in_app, pending))
        for channel in CHOOSABLE:
            if not available[channel]:
                continue
            when = choices.get((user_id, channel), DEFAULT_WHEN[channel])
            if not wanted_now.get(when, False):
                continue
            if (
                not urgent
                and channel in QUIETED
                and quiet_from is not None
                and quiet_until is not None
                and in_quiet_hours(local_now, quiet_from, quiet_until)
            ):
                plans.append(
                    Plan(user_id, channel, DeliveryState.HELD, next_local(now, quiet_until))
                )
            elif not urgent and channel == email and digest:
                plans.append(Plan(user_id, channel, DeliveryState.HELD, digest_at, digest=True))
            else:
                plans.append(Plan(user_id, channel, pending))
    return plans
