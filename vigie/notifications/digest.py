"""The daily digest e-mail: the non-urgent alerts of the day, in one message."""

from __future__ import annotations

from vigie.notifications.emails import register
from vigie.notifications.messages import build, still_applies
from vigie.notifications.models import Delivery, OutgoingEmail


@register("delivery_digest", template="notifications/email/digest")
def digest_context(email: OutgoingEmail) -> dict[str, object] | None:
    identifiers = [
        int(value) for value in str(email.context.get("deliveries", "")).split(",") if value
    ]
    deliveries = Delivery.objects.filter(pk__in=identifiers).select_related("recipient")
    messages = [
        message
        for delivery in deliveries
        if still_applies(delivery.subject_type, delivery.subject_id, delivery.recipient_id)
        and (message := build(delivery.subject_type, delivery.subject_id, delivery.recipient))
    ]
    if not messages:
        return None  # everything was withdrawn meanwhile
    return {"messages": messages}
