"""Writers for outgoing messages."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import connection, transaction
from django.utils import timezone

from vigie.lib.tasks import attempts_left, next_attempt_at
from vigie.notifications.models import DeliveryStatus, OutgoingEmail


def queue_email(
    kind: str,
    *,
    to: str,
    language: str,
    user_id: int | None = None,
    context: Mapping[str, str | int] | None = None,
) -> OutgoingEmail:
    """Record an e-mail and enqueue its sending, inside the caller's transaction.

    The task row commits with the change that caused the message, so the worker
    sends it only if that change happened, and always if it did.
    """
    from vigie.notifications.emails import is_registered
    from vigie.notifications.tasks import send_email

    if not connection.in_atomic_block:
        raise RuntimeError("E-mails are queued inside the action's transaction.")
    if not is_registered(kind):
        raise ValueError(f"Unknown e-mail kind {kind!r}.")
    email = OutgoingEmail.objects.create(
        kind=kind, to_address=to, language=language, user_id=user_id, context=dict(context or {})
    )
    send_email.enqueue(email.pk)
    return email


@transaction.atomic
def do_record_email_sent(email: OutgoingEmail) -> None:
    email.status = DeliveryStatus.SENT
    email.attempts += 1
    email.sent_at = timezone.now()
    email.next_attempt_at = None
    email.save(update_fields=["status", "attempts", "sent_at", "next_attempt_at"])


@transaction.atomic
def do_record_email_cancelled(email: OutgoingEmail, *, reason: str) -> None:
    email.status = DeliveryStatus.CANCELLED
    email.last_error = reason[:300]
    email.save(update_fields=["status", "last_error"])


@transaction.atomic
def do_record_email_failure(email: OutgoingEmail, *, error: str) -> bool:
    """Record a failed attempt; schedule the next one if any is left. True if retrying."""
    from vigie.notifications.tasks import send_email

    email.attempts += 1
    email.last_error = error[:300]
    retry = attempts_left(email.attempts)
    if retry:
        email.next_attempt_at = next_attempt_at(email.attempts)
        send_email.using(run_after=email.next_attempt_at).enqueue(email.pk)
    else:
        email.status = DeliveryStatus.FAILED
        email.next_attempt_at = None
    email.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
    return retry
