"""The fan-out: one delivery per member (but the author) and channel, created in batches.

Batches follow the members' ids, so a fan-out interrupted (a worker killed)
and run again creates only what is missing: the unique key does the rest.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import task

from vigie.alerts.messages import decision_notice
from vigie.alerts.models import Alert, AlertSupport, State, Urgency
from vigie.communities.models import Membership, MembershipState
from vigie.lib.tasks import message_task
from vigie.notifications.actions import do_create_deliveries
from vigie.notifications.models import Channel, Delivery, DeliveryState, InboxItem
from vigie.notifications.preferences import Plan, reach
from vigie.operations import periodic


def audience(alert: Alert) -> QuerySet[Membership, int]:
    """Ids of the alert neighbourhood's active members, but the author: never suspended ones.

    A queryset, which the fan-out's planning reads as a subquery.
    """
    return (
        Membership.objects.filter(
            community_id=alert.community_id,
            state=MembershipState.ACTIVE,
            user__is_active=True,
            # Processing restricted (GDPR art. 18): the account is used for nothing.
            user__processing_restricted_at__isnull=True,
        )
        .exclude(user_id=alert.author_id)
        .values_list("user_id", flat=True)
    )


@message_task
def fan_out_alert(alert_id: int) -> int:
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None or alert.state != State.APPROVED:
        return 0
    found = reach(audience(alert), category=alert.category)
    urgent = alert.urgency == Urgency.URGENT
    created = 0
    size = settings.FAN_OUT_BATCH_SIZE
    for start in range(0, len(found.people), size):
        plans = found.plans(found.people[start : start + size], urgent=urgent, now=timezone.now())
        created += len(do_create_deliveries("alert", alert.pk, plans))
    Alert.objects.filter(pk=alert.pk).update(fanned_out_at=timezone.now())
    return created


@message_task
def fan_out_withdrawal(alert_id: int) -> int:
    """Everyone an alert reached hears that it is withdrawn, by the channels it reached them.

    A message in the middle of its sending counts as reached: better a withdrawal
    notice about an alert not received than an alert left standing.
    """
    reached = list(
        Delivery.objects.filter(
            subject_type="alert",
            subject_id=alert_id,
            state__in=[DeliveryState.SENT, DeliveryState.SENDING],
        )
        .order_by("recipient_id", "channel")
        .values_list("recipient_id", "channel")
    )
    plans = [
        Plan(recipient_id, channel, DeliveryState.PENDING) for recipient_id, channel in reached
    ]
    created = 0
    # Three channels at most per member: batches of about as many members as the alert's.
    size = settings.FAN_OUT_BATCH_SIZE * 3
    for start in range(0, len(plans), size):
        created += len(
            do_create_deliveries("alert_withdrawn", alert_id, plans[start : start + size])
        )
    return created


@message_task
def notify_followers(alert_id: int) -> int:
    """A closed alert: a notice to its author, to those it reached and to those who joined."""
    alert = Alert.objects.select_related("author").filter(pk=alert_id).first()
    if alert is None:
        return 0
    reached = Delivery.objects.filter(
        subject_type="alert", subject_id=alert_id, channel=Channel.IN_APP, state=DeliveryState.SENT
    ).values_list("recipient_id", flat=True)
    joined = AlertSupport.objects.filter(alert_id=alert_id).values_list("user_id", flat=True)
    followers = sorted({alert.author_id, *reached, *joined})
    notice = decision_notice(alert, "alert_closed")
    with transaction.atomic():
        InboxItem.objects.bulk_create(
            [
                InboxItem(
                    recipient_id=follower,
                    subject_type="alert_closed",
                    subject_id=alert_id,
                    title=notice.title,
                    body=notice.body,
                    url=notice.url,
                )
                for follower in followers
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
    return len(followers)


@task()
def resume_stalled_fan_outs() -> int:
    """Approved alerts whose fan-out stopped (its worker died): run it again."""
    stalled = Alert.objects.filter(
        state=State.APPROVED,
        fanned_out_at__isnull=True,
        decided_at__lt=timezone.now() - timedelta(seconds=settings.DELIVERY_STALL_SECONDS),
    ).values_list("pk", flat=True)
    for alert_id in stalled:
        fan_out_alert.enqueue(alert_id)
    return len(stalled)


periodic.register(
    "resume_stalled_fan_outs",
    every=timedelta(seconds=max(settings.DELIVERY_STALL_SECONDS // 2, 1)),
    task=resume_stalled_fan_outs,
)


def _reply(outcome: str) -> str:
    from django.utils.translation import gettext

    if outcome == "rate_limited":
        reason = gettext(
            "you sent %(count)d alerts in the last 24 hours, the most there may be."
        ) % {"count": settings.ALERT_MAX_PER_DAY}
    elif outcome == "no_neighbourhood":
        reason = gettext("your account can send no alert at the moment.")
    else:
        reason = gettext("it could not be read.")
    return gettext(
        "Vigie: your text did not become an alert: %(reason)s In an emergency call 17, 18 or 112."
    ) % {"reason": reason}


@message_task
def reply_to_text(phone_id: int, outcome: str, attempt: int = 1) -> str:
    """Tell a member by SMS why the text they sent did not become an alert."""
    import secrets

    from django.utils import translation

    from vigie.lib.tasks import attempts_left, next_attempt_at
    from vigie.notifications.errors import PermanentFailure, TemporaryFailure
    from vigie.notifications.models import PhoneNumber
    from vigie.notifications.sms.gsm import fold_to_gsm
    from vigie.notifications.sms.providers import sms_provider

    phone = (
        PhoneNumber.objects.select_related("user")
        .filter(pk=phone_id, verified_at__isnull=False)
        .first()
    )
    if phone is None:
        return "skipped"
    with translation.override(phone.user.language or "fr"):
        text = fold_to_gsm(_reply(outcome))
    try:
        sms_provider().send(
            to=phone.number, text=text, reference=f"reply-{phone.pk}-{secrets.token_hex(4)}"
        )
    except TemporaryFailure:
        if attempts_left(attempt):
            reply_to_text.using(run_after=next_attempt_at(attempt)).enqueue(
                phone_id, outcome, attempt + 1
            )
            return "retrying"
        return "failed"
    except PermanentFailure:
        return "failed"
    return "sent"
