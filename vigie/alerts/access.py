"""Reads on a person's behalf: the alerts of their neighbourhood, and their own.

Members see the alerts the team let through (and what became of them); the
author also sees their drafts, those waiting and those refused; anyone else
gets NotFound, as for a missing alert. Delivery figures are for the author
and the team only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, Q, QuerySet, Value, When

from vigie.accounts.models import User
from vigie.alerts.models import Alert, State
from vigie.communities.access import CURRENT_STATES
from vigie.communities.models import Membership
from vigie.lib.errors import NotFound
from vigie.lib.visibility import Visibility
from vigie.notifications.models import Channel, Delivery, DeliveryState

# What members see: sent, and what became of it (closed, or withdrawn after it left).
SHOWN_TO_MEMBERS = Q(state__in=[State.APPROVED, State.RESOLVED]) | Q(
    state=State.WITHDRAWN, decided_at__isnull=False
)


def visible_alerts_for(user: object) -> QuerySet[Alert]:
    if not isinstance(user, User) or not user.is_active:
        return Alert.objects.none()
    mine = Membership.objects.filter(user=user, state__in=CURRENT_STATES).values("community_id")
    return (
        Alert.objects.filter(community_id__in=mine)
        .filter(SHOWN_TO_MEMBERS | Q(author=user))
        # Hidden by the team while reports are reviewed, or removed: its author still reads it.
        .filter(Q(visibility=Visibility.SHOWN) | Q(author=user))
        .select_related("community", "author")
        .annotate(supporters=Count("supports", distinct=True))
    )


def withheld_from(alert: Alert, viewer: User) -> bool:
    """A withdrawn alert keeps only its category and state for the neighbours.

    What it said may be why it was withdrawn (someone's name, a house, a
    plate): only its author and the team still read it.
    """
    return alert.state == State.WITHDRAWN and alert.author_id != viewer.pk


def alerts_of_community(user: object, community_id: int) -> QuerySet[Alert]:
    return visible_alerts_for(user).filter(community_id=community_id).order_by("-created_at", "-id")


def access_alert(user: object, alert_id: int) -> Alert:
    alert = visible_alerts_for(user).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound()
    return alert


def moderation_queue() -> QuerySet[Alert]:
    """For the team (the caller checked): alerts waiting for a decision first, urgent first,
    then the oldest; then the fast-path ones, already sent, to review."""
    return (
        Alert.objects.filter(Q(state=State.PENDING) | Q(fast_path=True, reviewed_at__isnull=True))
        .exclude(state__in=[State.DRAFT, State.WITHDRAWN])
        .select_related("community", "author")
        .annotate(
            supporters=Count("supports", distinct=True),
            waiting=Case(When(state=State.PENDING, then=Value(0)), default=Value(1)),
        )
        .order_by("waiting", "-urgency", "submitted_at")
    )


def any_alert(alert_id: int) -> Alert:
    """For the team (the caller checked)."""
    alert = (
        Alert.objects.select_related("community", "author")
        .annotate(supporters=Count("supports", distinct=True))
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise NotFound()
    return alert


@dataclass(frozen=True)
class DeliveryFigures:
    recipients: int = 0
    sent: dict[str, int] = field(default_factory=dict)
    pending: int = 0
    held: int = 0
    failed: int = 0

    def sent_by(self, channel: str) -> int:
        return self.sent.get(channel, 0)


def delivery_figures(alert: Alert) -> DeliveryFigures:
    """ "Sent to 212 neighbours: 180 by push, 40 by SMS, 195 by e-mail; 3 failed"."""
    rows = (
        Delivery.objects.filter(subject_type="alert", subject_id=alert.pk)
        .values("channel", "state")
        .annotate(count=Count("pk"))
    )
    sent: dict[str, int] = {}
    pending = held = failed = 0
    for row in rows:
        if row["state"] == DeliveryState.SENT:
            sent[row["channel"]] = row["count"]
        elif row["state"] in (DeliveryState.PENDING, DeliveryState.SENDING):
            pending += row["count"]
        elif row["state"] == DeliveryState.HELD:
            held += row["count"]
        elif row["state"] == DeliveryState.FAILED:
            failed += row["count"]
    recipients = (
        Delivery.objects.filter(subject_type="alert", subject_id=alert.pk, channel=Channel.IN_APP)
        .exclude(state=DeliveryState.CANCELLED)
        .count()
    )
    return DeliveryFigures(
        recipients=recipients, sent=sent, pending=pending, held=held, failed=failed
    )
