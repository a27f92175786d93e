from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django_tasks import task

from vigie.notifications import actions, emails
from vigie.notifications.channels import SENDERS
from vigie.notifications.errors import PermanentFailure, TemporaryFailure
from vigie.notifications.messages import Message, build, still_applies
from vigie.notifications.models import Delivery, DeliveryStatus, OutgoingEmail
from vigie.operations import periodic

logger = logging.getLogger(__name__)


@task()
def send_email(outgoing_email_id: int) -> str:
    email = OutgoingEmail.objects.filter(pk=outgoing_email_id).first()
    if email is None or email.status != DeliveryStatus.QUEUED:
        return "skipped"
    # Not inside a transaction: an SMTP exchange may take seconds and must not
    # hold the database's write lock meanwhile.
    try:
        message = emails.render(email)
        if message is None:
            actions.do_record_email_cancelled(email, reason="no longer applicable")
            return DeliveryStatus.CANCELLED
        message.send()
    except Exception as error:
        # The error's type and text, never the message body: it may hold a link.
        retrying = actions.do_record_email_failure(email, error=f"{type(error).__name__}: {error}")
        logger.warning(
            "e-mail %s attempt %s failed (%s)",
            email.pk,
            email.attempts,
            "will retry" if retrying else "giving up",
        )
        return "retrying" if retrying else DeliveryStatus.FAILED
    actions.do_record_email_sent(email)
    return DeliveryStatus.SENT


@task()
def send_deliveries(delivery_ids: list[int]) -> int:
    """Send a batch, one delivery at a time: claim it, check it still applies, send, record.

    Each outcome is committed right after its message left, so that a worker
    dying mid-batch leaves at most one message whose sending is unknown (and
    that one carries its delivery's identity, for the receiver to recognise).
    The subject is checked again before each message: an alert withdrawn, or a
    neighbour gone, while the batch runs stops what has not left.
    """
    sent = 0
    # A batch is mostly one subject: its message is built once per language.
    built: dict[tuple[str, int, str], Message | None] = {}
    for delivery_id in delivery_ids:
        delivery = actions.do_claim_delivery(delivery_id)
        if delivery is None:
            continue
        outcome = _send_one(delivery, built)
        if actions.do_record_outcome(outcome) and outcome.sent:
            sent += 1
    return sent


def _send_one(
    delivery: Delivery, built: dict[tuple[str, int, str], Message | None]
) -> actions.Outcome:
    try:
        if not still_applies(delivery.subject_type, delivery.subject_id, delivery.recipient_id):
            return actions.Outcome(delivery, cancelled=True)
        key = (delivery.subject_type, delivery.subject_id, delivery.recipient.language)
        if key not in built:
            built[key] = build(delivery.subject_type, delivery.subject_id, delivery.recipient)
        message = built[key]
        if message is None:
            return actions.Outcome(delivery, cancelled=True)
        sent = SENDERS[delivery.channel].send(delivery, message)
    except TemporaryFailure as error:
        return actions.Outcome(delivery, error=str(error), temporary=True)
    except PermanentFailure as error:
        return actions.Outcome(delivery, error=str(error))
    except Exception as error:
        # Unknown: retried like a temporary failure, and logged for the team.
        logger.exception("delivery %s failed unexpectedly", delivery.pk)
        return actions.Outcome(delivery, error=type(error).__name__, temporary=True)
    return actions.Outcome(
        delivery, sent=True, segments=sent.segments, insee_code=message.insee_code
    )


@task()
def release_held_deliveries() -> int:
    return actions.do_release_held_deliveries()


@task()
def requeue_stalled_deliveries() -> int:
    return actions.do_requeue_stalled_deliveries(
        older_than=timedelta(seconds=settings.DELIVERY_STALL_SECONDS)
    )


@task()
def send_digests() -> int:
    return actions.do_send_digests()


periodic.register(
    "release_held_deliveries", every=timedelta(minutes=5), task=release_held_deliveries
)
periodic.register(
    "requeue_stalled_deliveries",
    every=timedelta(seconds=max(settings.DELIVERY_STALL_SECONDS // 2, 1)),
    task=requeue_stalled_deliveries,
)
periodic.register("send_digests", every=timedelta(minutes=30), task=send_digests)


@task()
def send_phone_code(phone_id: int, attempt: int = 1) -> str:
    """The code exists only here and in the text message; the database keeps its hash."""
    from django.contrib.auth.hashers import make_password
    from django.utils import translation
    from django.utils.translation import gettext

    from vigie.lib.tasks import attempts_left, next_attempt_at
    from vigie.notifications.models import PhoneNumber
    from vigie.notifications.sms.gsm import fold_to_gsm
    from vigie.notifications.sms.providers import sms_provider

    phone = PhoneNumber.objects.select_related("user").filter(pk=phone_id).first()
    if phone is None or phone.verified_at is not None:
        return "skipped"
    code = f"{secrets.randbelow(1_000_000):06d}"
    actions.do_store_phone_code(phone, code_hash=make_password(code))
    with translation.override(phone.user.language or "fr"):
        text = gettext("Vigie: your code is %(code)s. It proves this number is yours.") % {
            "code": code
        }
    try:
        sms_provider().send(
            to=phone.number,
            text=fold_to_gsm(text),
            reference=f"phone-{phone.pk}-{secrets.token_hex(4)}",
        )
    except TemporaryFailure:
        if attempts_left(attempt):
            send_phone_code.using(run_after=next_attempt_at(attempt)).enqueue(phone_id, attempt + 1)
            return "retrying"
        return "failed"
    except PermanentFailure:
        return "failed"
    return "sent"
