"""Reads on a town hall agent's behalf: their own commune, and nothing of another.

An agent reaches only the town hall they work for, and only once their
session passed the second factor; another commune's town hall answers
NotFound, like a missing one. They see member counts, approved alerts and
residents' names (for the counter check and the référents); never a
resident's street address.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from vigie.accounts.authentication import is_verified
from vigie.accounts.models import User
from vigie.addresses.models import Address
from vigie.alerts.models import Alert
from vigie.communities.access import CURRENT_STATES
from vigie.communities.models import Community, CommunityKind, Membership, MembershipState
from vigie.lib.charts import last_weeks
from vigie.lib.errors import NotFound
from vigie.lib.spreadsheet import safe_cell
from vigie.municipalities.models import REMINDER_DAYS, Agent, Period, Subscription, TownHall
from vigie.municipalities.plans import Plan, plan


def town_hall_of(user: object) -> TownHall | None:
    if not isinstance(user, User) or not user.is_active or not user.is_town_hall_agent:
        return None
    agent = (
        Agent.objects.select_related("town_hall").filter(user=user, removed_at__isnull=True).first()
    )
    return agent.town_hall if agent else None


def access_town_hall(user: object, town_hall_id: int) -> TownHall:
    """The agent's own town hall, behind their second factor; anything else is NotFound."""
    found = town_hall_of(user)
    if found is None or found.pk != town_hall_id or not is_verified(user):
        raise NotFound()
    return found


def any_town_hall(town_hall_id: int) -> TownHall:
    """For the team (the caller checked)."""
    found = TownHall.objects.filter(pk=town_hall_id).first()
    if found is None:
        raise NotFound()
    return found


def all_town_halls() -> QuerySet[TownHall]:
    return TownHall.objects.annotate(
        agent_count=Count("agents", filter=Q(agents__removed_at__isnull=True))
    ).order_by("commune_name")


def agents_of(town_hall: TownHall) -> QuerySet[Agent]:
    return (
        Agent.objects.filter(town_hall=town_hall, removed_at__isnull=True)
        .select_related("user")
        .order_by("user__last_name")
    )


@dataclass(frozen=True)
class NeighbourhoodCount:
    community: Community
    members: int


def neighbourhoods_of(town_hall: TownHall) -> list[NeighbourhoodCount]:
    """The commune's neighbourhoods and how many members each has: counts, never names."""
    rows = (
        Community.objects.filter(insee_code=town_hall.insee_code, kind=CommunityKind.NEIGHBOURHOOD)
        .annotate(members=Count("memberships", filter=Q(memberships__state__in=CURRENT_STATES)))
        .order_by("name")
    )
    return [NeighbourhoodCount(community=row, members=row.members) for row in rows]


def commune_alerts(town_hall: TownHall) -> QuerySet[Alert]:
    """What the commune's neighbours were told: sent alerts, their own and the town hall's."""
    from vigie.alerts.models import State
    from vigie.lib.visibility import Visibility

    return (
        Alert.objects.filter(
            community__insee_code=town_hall.insee_code,
            community__kind=CommunityKind.NEIGHBOURHOOD,
            state__in=[State.APPROVED, State.RESOLVED],
            visibility=Visibility.SHOWN,
        )
        .select_related("community", "town_hall")
        .order_by("-submitted_at", "-id")
    )


def commune_alerts_per_week(
    town_hall: TownHall, *, weeks: int = 12
) -> list[tuple[datetime, dict[str, int]]]:
    """The commune's sent alerts per week and category, the last ``weeks`` weeks (zeros too)."""
    mondays = last_weeks(weeks)
    counted: dict[datetime, dict[str, int]] = {monday: {} for monday in mondays}
    for row in (
        commune_alerts(town_hall)
        .filter(submitted_at__gte=mondays[0])
        .order_by()
        .annotate(week=TruncWeek("submitted_at"))
        .values("week", "category")
        .annotate(count=Count("pk"))
    ):
        counted.setdefault(row["week"], {})[row["category"]] = row["count"]
    return sorted(counted.items())


@dataclass(frozen=True)
class Resident:
    address: Address
    user: User
    verified: bool
    memberships: list[Membership]


def residents_of(town_hall: TownHall, *, query: str = "") -> list[Resident]:
    """The commune's residents by name (for the counter check and the référents).

    The town hall sees real names (the terms say so); the street address stays
    encrypted and is never shown here.
    """
    addresses = Address.objects.filter(
        insee_code=town_hall.insee_code,
        moved_out_at__isnull=True,
        user__is_active=True,
        # Processing restricted (GDPR art. 18): not handed to anyone meanwhile.
        user__processing_restricted_at__isnull=True,
    ).select_related("user")
    words = query.strip()
    if words:
        addresses = addresses.filter(
            Q(user__last_name__icontains=words)
            | Q(user__first_name__icontains=words)
            | Q(user__email__iexact=words)
        )
    found = list(addresses.order_by("user__last_name", "user__first_name")[:100])
    memberships: dict[int, list[Membership]] = {}
    for membership in Membership.objects.filter(
        user_id__in=[address.user_id for address in found],
        community__kind=CommunityKind.NEIGHBOURHOOD,
        community__insee_code=town_hall.insee_code,
        state__in=CURRENT_STATES,
    ).select_related("community"):
        memberships.setdefault(membership.user_id, []).append(membership)
    return [
        Resident(
            address=address,
            user=address.user,
            verified=address.verified_at is not None,
            memberships=memberships.get(address.user_id, []),
        )
        for address in found
    ]


def commune_address(town_hall: TownHall, address_id: int) -> Address:
    found = (
        Address.objects.select_related("user")
        .filter(
            pk=address_id,
            insee_code=town_hall.insee_code,
            moved_out_at__isnull=True,
            user__is_active=True,
        )
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def commune_membership(town_hall: TownHall, membership_id: int) -> Membership:
    found = (
        Membership.objects.select_related("user", "community")
        .filter(
            pk=membership_id,
            community__insee_code=town_hall.insee_code,
            community__kind=CommunityKind.NEIGHBOURHOOD,
            state__in=[MembershipState.ACTIVE, MembershipState.SUSPENDED],
        )
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def subscription_of(town_hall: TownHall) -> Subscription | None:
    return Subscription.objects.filter(town_hall=town_hall).first()


@dataclass(frozen=True)
class SubscriptionState:
    """What the console says of a running subscription."""

    subscription: Subscription
    plan: Plan | None
    next_plan: Plan | None  # paid early, it takes over at plan_changes_at
    plan_changes_at: datetime | None
    reminder_days: int


def running_subscription(town_hall: TownHall) -> SubscriptionState | None:
    found = subscription_of(town_hall)
    if found is None or not found.is_active():
        return None
    waiting = found.waiting_change()
    return SubscriptionState(
        subscription=found,
        plan=plan(found.plan_at()),
        next_plan=plan(waiting[0]) if waiting else None,
        plan_changes_at=waiting[1] if waiting else None,
        reminder_days=REMINDER_DAYS[Period(found.period)],
    )


@dataclass(frozen=True)
class SmsMonth:
    month: datetime
    messages: int
    segments: int
    credits: int

    @property
    def over(self) -> int:
        return max(self.segments - self.credits, 0)


def sms_months(town_hall: TownHall, *, months: int = 12) -> list[SmsMonth]:
    """SMS segments sent for the commune, per month, against the plan's monthly credits."""
    from vigie.notifications.models import SmsUsage

    subscription = subscription_of(town_hall)
    current: Plan | None = plan(subscription.plan_at()) if subscription else None
    credits = current.sms_credits if current else 0
    rows = (
        SmsUsage.objects.filter(insee_code=town_hall.insee_code)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(messages=Sum("messages"), segments=Sum("segments"))
        .order_by("-month")[:months]
    )
    return [
        SmsMonth(
            month=row["month"],
            messages=row["messages"] or 0,
            segments=row["segments"] or 0,
            credits=credits,
        )
        for row in rows
    ]


def export_csv(town_hall: TownHall) -> str:
    """The town's data, to keep or to take elsewhere: alerts by month and category,
    official messages, SMS used. No name, no address."""
    output = io.StringIO()
    writer = _SafeWriter(output)
    writer.writerow(["section", "month", "category", "count", "text_or_segments"])
    alerts = (
        commune_alerts(town_hall)
        .annotate(month=TruncMonth("submitted_at"))
        .values("month", "category")
        .annotate(count=Count("pk"))
        .order_by("month", "category")
    )
    for row in alerts:
        writer.writerow(["alerts", _month(row["month"]), row["category"], row["count"], ""])
    for message in Alert.objects.filter(town_hall=town_hall).order_by("submitted_at", "pk"):
        writer.writerow(
            [
                "official_message",
                _month(message.submitted_at),
                message.category,
                1,
                message.description[:200],
            ]
        )
    for month in sms_months(town_hall, months=120):
        writer.writerow(["sms", _month(month.month), "", month.messages, month.segments])
    return output.getvalue()


def _month(moment: object) -> str:
    if isinstance(moment, datetime):
        return (
            timezone.localtime(moment).strftime("%Y-%m")
            if timezone.is_aware(moment)
            else (moment.strftime("%Y-%m"))
        )
    return str(moment)[:7]


class _SafeWriter:
    """CSV rows whose text cannot run as a spreadsheet formula (=, +, -, @ at the start)."""

    def __init__(self, output: io.StringIO) -> None:
        self.writer = csv.writer(output)

    def writerow(self, row: list[object]) -> None:
        self.writer.writerow([safe_cell(cell) for cell in row])
