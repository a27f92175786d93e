"""What an alert says on each channel, in the recipient's language, and to its author."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from vigie.accounts.models import User
from vigie.alerts.models import Alert, Category, State, Urgency
from vigie.communities.models import Membership, MembershipState
from vigie.lib.visibility import Visibility
from vigie.notifications.messages import Message, register

SMS_DESCRIPTION_LENGTH = 90


def _url(alert: Alert) -> str:
    return f"/alertes/{alert.pk}/"


def _title(alert: Alert) -> str:
    label = str(Category(alert.category).label)
    values = {"category": f"{label[:1].upper()}{label[1:]}", "place": alert.place}
    if alert.town_hall is not None:
        return _("Town hall of %(commune)s: %(category)s, %(place)s") % {
            **values,
            "commune": alert.town_hall.commune_name,
        }
    if alert.urgency == Urgency.URGENT:
        return _("URGENT alert: %(category)s, %(place)s") % values
    return _("Alert: %(category)s, %(place)s") % values


def _summary(alert: Alert) -> str:
    parts = [alert.description]
    people = alert.people or {}
    if people:
        details = [people.get(key, "") for key in ("behaviour", "clothing", "build", "direction")]
        parts.append(_("Person: %(details)s") % {"details": "; ".join(d for d in details if d)})
    vehicle = alert.vehicle or {}
    if vehicle:
        details = [vehicle.get(key, "") for key in ("kind", "colour", "plate", "direction")]
        parts.append(_("Vehicle: %(details)s") % {"details": "; ".join(d for d in details if d)})
    return "\n".join(parts)


def _sms(alert: Alert, text: str) -> str:
    # Three dots, not "…": the ellipsis is outside GSM-7 and would switch the whole
    # text to UCS-2, doubling the segments the commune pays for.
    short = (
        text if len(text) <= SMS_DESCRIPTION_LENGTH else text[: SMS_DESCRIPTION_LENGTH - 3] + "..."
    )
    return f"Vigie. {short} {settings.BASE_URL}{_url(alert)}"


def still_for_member(alert_id: int, recipient_id: int) -> bool:
    """Sent, and the recipient still an active member of its neighbourhood.

    Asked before each message leaves, however long it waited (quiet hours, the
    digest, retries): an alert withdrawn meanwhile, or a neighbour who left or
    was suspended meanwhile, stops it.
    """
    return Alert.objects.filter(
        pk=alert_id,
        state__in=(State.APPROVED, State.RESOLVED),
        visibility=Visibility.SHOWN,  # not hidden meanwhile by reports
        community__memberships__user_id=recipient_id,
        community__memberships__state=MembershipState.ACTIVE,
        community__memberships__user__processing_restricted_at__isnull=True,
    ).exists()


def still_for_members(alert_id: int, recipient_ids: Collection[int]) -> set[int]:
    """``still_for_member`` for a chunk of recipients, in one query."""
    applying = Alert.objects.filter(
        pk=alert_id,
        state__in=(State.APPROVED, State.RESOLVED),
        visibility=Visibility.SHOWN,
    ).values("community_id")
    return set(
        Membership.objects.filter(
            community_id__in=applying,
            user_id__in=list(recipient_ids),
            state=MembershipState.ACTIVE,
            user__processing_restricted_at__isnull=True,
        ).values_list("user_id", flat=True)
    )


@register("alert", still_for=still_for_member, still_for_many=still_for_members)
def alert_message(alert_id: int, recipient: User) -> Message | None:
    alert = Alert.objects.select_related("community", "town_hall").filter(pk=alert_id).first()
    if alert is None or alert.state not in (State.APPROVED, State.RESOLVED):
        return None  # withdrawn before this message left: it never will
    title = _title(alert)
    return Message(
        title=title,
        body=_summary(alert),
        url=_url(alert),
        urgent=alert.urgency == Urgency.URGENT,
        tag=f"alert-{alert.pk}",
        sms=_sms(alert, f"{title}. {alert.description}"),
        insee_code=alert.community.insee_code,
    )


@register("alert_withdrawn")
def withdrawal_message(alert_id: int, recipient: User) -> Message | None:
    alert = Alert.objects.select_related("community").filter(pk=alert_id).first()
    if alert is None:
        return None
    title = _("Alert withdrawn: %(place)s") % {"place": alert.place}
    body = _("The alert about %(category)s, %(place)s, is withdrawn: disregard it.") % {
        "category": Category(alert.category).label,
        "place": alert.place,
    }
    return Message(
        title=title,
        body=body,
        url=_url(alert),
        urgent=alert.urgency == Urgency.URGENT,
        tag=f"alert-{alert.pk}",  # replaces the alert's own notification
        sms=_sms(alert, body),
        insee_code=alert.community.insee_code,
    )


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    url: str


def decision_notice(alert: Alert, subject_type: str, *, edited: bool = False) -> Notice:
    """What the author is told of a decision (in the author's language)."""
    from django.utils import translation

    with translation.override(alert.author.language or "fr"):
        place = alert.place
        if subject_type == "alert_approved":
            title = _("Your alert is sent to your neighbours: %(place)s") % {"place": place}
            body = (
                _(
                    "The team checked it, removed personal details from it, and every "
                    "neighbour is being told."
                )
                if edited
                else _("The team checked it and every neighbour is being told.")
            )
        elif subject_type == "alert_rejected":
            title = _("Your alert was not sent: %(place)s") % {"place": place}
            body = _("The team's reason: %(reason)s") % {"reason": alert.reason}
        elif subject_type == "alert_reviewed":
            title = _("The team checked your alert: %(place)s") % {"place": place}
            body = _("It was sent at once; the team read it after and it stays as it is.")
        elif subject_type == "alert_withdrawn_by_team":
            title = _("The team withdrew your alert: %(place)s") % {"place": place}
            body = _("The team's reason: %(reason)s") % {"reason": alert.reason}
        else:  # alert_closed
            title = _("Alert closed: %(place)s") % {"place": place}
            body = (
                _("It was a false alarm.")
                if alert.resolution == "false_alarm"
                else _("It is resolved.")
            )
        return Notice(title=title, body=body, url=_url(alert))
