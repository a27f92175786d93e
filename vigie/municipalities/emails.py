"""E-mails to town halls: an agent's invitation, the reminder before a subscription ends."""

from __future__ import annotations

from django.urls import reverse

from vigie.accounts import links
from vigie.municipalities.models import Agent, Subscription
from vigie.notifications.emails import register
from vigie.notifications.models import OutgoingEmail


@register("agent_invitation", template="municipalities/email/agent_invitation")
def agent_invitation(email: OutgoingEmail) -> dict[str, object] | None:
    agent = (
        Agent.objects.select_related("town_hall", "user")
        .filter(user_id=email.user_id or 0, town_hall_id=email.context.get("town_hall_id"))
        .filter(removed_at__isnull=True, user__is_active=True)
        .first()
    )
    if agent is None:
        return None
    return {
        "first_name": agent.user.first_name,
        "commune": agent.town_hall.commune_name,
        # The password link lives an hour; "forgotten password" gives another.
        "link": links.password_reset_url(agent.user),
        "login_url": links.absolute(reverse("accounts:login")),
    }


@register("subscription_reminder", template="municipalities/email/subscription_reminder")
def subscription_reminder(email: OutgoingEmail) -> dict[str, object] | None:
    subscription = (
        Subscription.objects.select_related("town_hall")
        .filter(town_hall_id=email.context.get("town_hall_id"), cancelled_at__isnull=True)
        .first()
    )
    if subscription is None or not subscription.is_active():
        return None
    return {
        "commune": subscription.town_hall.commune_name,
        "paid_until": subscription.paid_until,
        "console_url": links.absolute(
            reverse(
                "municipalities:subscription", kwargs={"town_hall_id": subscription.town_hall_id}
            )
        ),
    }
