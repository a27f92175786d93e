"""The e-mail telling a person of a decision about them, with the clause and how to appeal."""

from __future__ import annotations

from vigie.moderation.access import can_appeal
from vigie.moderation.messages import appeal_url, decision_notice
from vigie.moderation.models import Decision
from vigie.notifications.emails import register
from vigie.notifications.models import OutgoingEmail


@register("moderation_decision", template="moderation/email/decision")
def moderation_decision(email: OutgoingEmail) -> dict[str, object] | None:
    decision = (
        Decision.objects.select_related("subject")
        .filter(pk=email.context.get("decision_id"), subject_id=email.user_id)
        .first()
    )
    if decision is None:
        return None
    return {
        "first_name": decision.subject.first_name,
        "notice": decision_notice(decision, language=email.language),
        # A signed link: a closed account cannot log in, and may still appeal its ban.
        "appeal_url": appeal_url(decision) if can_appeal(decision) else "",
    }
