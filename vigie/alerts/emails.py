"""The e-mail telling an alert's author what the team decided (the inbox says it too)."""

from __future__ import annotations

from vigie.alerts.messages import decision_notice
from vigie.alerts.models import Alert
from vigie.notifications.emails import register
from vigie.notifications.models import OutgoingEmail


@register("alert_decision", template="alerts/email/decision")
def alert_decision(email: OutgoingEmail) -> dict[str, object] | None:
    alert = (
        Alert.objects.select_related("author")
        .filter(pk=email.context.get("alert_id"), author_id=email.user_id, author__is_active=True)
        .first()
    )
    if alert is None:
        return None  # the alert or its author is gone
    notice = decision_notice(
        alert, str(email.context.get("notice", "")), edited=bool(email.context.get("edited"))
    )
    return {"first_name": alert.author.first_name, "notice": notice}
