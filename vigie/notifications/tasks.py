from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django_tasks import task

from vigie.accounts.models import User
from vigie.lib import id_runs
from vigie.lib.tasks import message_task
from vigie.notifications import actions, emails
from vigie.notifications.channels import SENDERS, Parcel, Recipient, Result, Sent
from vigie.notifications.errors import PermanentFailure, TemporaryFailure
from vigie.notifications.messages import Message, build, still_applying
from vigie.notifications.models import DeliveryStatus, OutgoingEmail
from vigie.operations import periodic

logger = logging.getLogger(__name__)


@message_task
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
        # The error's type, code and text, never the message body: it may hold a link.
        failure = emails.smtp_failure(error)
        retrying = actions.do_record_email_failure(
            email, error=str(failure), temporary=isinstance(failure, TemporaryFailure)
        )
        logger.warning(
            "e-mail %s attempt %s failed (%s)",
            email.pk,
            email.attempts,
            "will retry" if retrying else "giving up",
        )
        return "retrying" if retrying else DeliveryStatus.FAILED
    actions.do_record_email_sent(email)
    return DeliveryStatus.SENT


# How many deliveries are claimed, sent and recorded together. The bigger, the fewer
# round trips to the database per message; the smaller, the fewer messages a worker
# killed mid-chunk leaves unknown, and the shorter a slow provider holds its claims.
SEND_CHUNK = 250
# A channel whose repeats reach the person (OVH's SMS) is sent this many at a time, each
# group recorded as soon as it left: the most a worker killed mid-chunk sends twice.
REPEATABLE_GROUP = 8


@message_task
def send_deliveries(delivery_ids: Sequence[int | Sequence[int]]) -> int:
    """Send a batch by chunks: claim a chunk, check it still applies, send it, record it.

    The batch's ids come as runs (``lib/id_runs.py``; a plain list of ids, as
    tasks queued before the runs carry, is read as it is).

    Each chunk is claimed in one update, checked in one query per subject, sent
    (pushes and SMS overlapping in a few threads, e-mails through one
    connection), and its outcomes committed right after its messages left. So a
    worker dying mid-batch leaves at most one chunk (``SEND_CHUNK`` deliveries)
    whose sending is unknown: claimed, some of its messages gone, none recorded.
    The stalled-claim requeue sends that chunk again, and every message carries
    its delivery's identity (the e-mail's Message-ID, the push's topic and tag,
    the SMS reference, one inbox notice per subject), for the receiving end to
    see each once: the inbox, the file SMS provider, push services (by topic) and
    mail clients (by Message-ID) keep one. A channel whose repeats would reach the
    person (OVH's SMS: no idempotency key) is sent a few at a time
    (``REPEATABLE_GROUP``), each group recorded as soon as it left: a kill leaves at
    most one such group, whose texts that had left are sent again (their tag tells
    them apart in OVH's history). The rest of the batch stays pending and is queued
    again.
    The subject is checked again before each chunk: an alert withdrawn, or a
    neighbour gone, while the batch runs stops every later chunk.
    """
    ids = id_runs.expand(delivery_ids)
    sent = 0
    # A batch is mostly one subject: its message is built once per language.
    built: dict[tuple[str, int, str], Message | None] = {}
    for start in range(0, len(ids), SEND_CHUNK):
        claims = actions.do_claim_deliveries(ids[start : start + SEND_CHUNK])
        if not claims:
            continue
        recorded = Recorded()
        try:
            outcomes = _send_chunk(claims, built, recorded=recorded)
        except Exception as error:
            # Before anything left (each channel's sending is guarded): retried later.
            logger.exception("a chunk of deliveries could not be prepared")
            outcomes = [
                actions.Outcome(claim, error=type(error).__name__, temporary=True)
                for claim in claims
                if claim.pk not in recorded.ids
            ]
        sent += recorded.sent + actions.do_record_outcomes(outcomes)
    return sent


@dataclass
class Recorded:
    """What a chunk recorded as it went (the channels whose repeats reach people)."""

    ids: set[int] = field(default_factory=set)
    sent: int = 0


def _send_chunk(
    claims: Sequence[actions.Claim],
    built: dict[tuple[str, int, str], Message | None],
    *,
    recorded: Recorded,
) -> list[actions.Outcome]:
    recipients = {
        pk: Recipient(pk, email, language)
        for pk, email, language in User.objects.filter(
            pk__in={claim.recipient_id for claim in claims}
        ).values_list("pk", "email", "language")
    }
    by_subject: dict[tuple[str, int], set[int]] = {}
    for claim in claims:
        by_subject.setdefault((claim.subject_type, claim.subject_id), set()).add(claim.recipient_id)
    applying = {
        subject: still_applying(*subject, recipient_ids)
        for subject, recipient_ids in by_subject.items()
    }
    outcomes: list[actions.Outcome] = []
    by_channel: dict[str, list[Parcel]] = {}
    for claim in claims:
        recipient = recipients.get(claim.recipient_id)
        if (
            recipient is None
            or claim.recipient_id not in applying[(claim.subject_type, claim.subject_id)]
        ):
            outcomes.append(actions.Outcome(claim, cancelled=True))
            continue
        message = _message(claim, recipient, built)
        if message is None:
            outcomes.append(actions.Outcome(claim, cancelled=True))
            continue
        by_channel.setdefault(claim.channel, []).append(Parcel(claim, message, recipient))
    for channel, parcels in by_channel.items():
        sender = SENDERS[channel]
        if sender.recognises_repeats:
            outcomes.extend(_send_group(channel, parcels))
            continue
        # A repeat would reach the person (OVH's SMS have no idempotency key): a few at
        # a time, each group recorded as soon as it left, so that a worker killed
        # mid-chunk leaves at most one group of these unknown, not the whole chunk.
        for start in range(0, len(parcels), REPEATABLE_GROUP):
            group = _send_group(channel, parcels[start : start + REPEATABLE_GROUP])
            recorded.sent += actions.do_record_outcomes(group)
            recorded.ids.update(outcome.delivery.pk for outcome in group)
    return outcomes


def _send_group(channel: str, parcels: Sequence[Parcel]) -> list[actions.Outcome]:
    try:
        results: Sequence[Result] = SENDERS[channel].send_many(parcels)
    except Exception as error:
        # Unknown: retried like a temporary failure, and logged for the team.
        logger.exception("%s deliveries failed unexpectedly", channel)
        results = [TemporaryFailure(type(error).__name__)] * len(parcels)
    return [_outcome(parcel, result) for parcel, result in zip(parcels, results, strict=True)]


def _message(
    claim: actions.Claim, recipient: Recipient, built: dict[tuple[str, int, str], Message | None]
) -> Message | None:
    key = (claim.subject_type, claim.subject_id, recipient.language)
    if key not in built:
        # The builder takes the person (for the language); the first of each language does.
        person = User.objects.get(pk=recipient.pk)
        built[key] = build(claim.subject_type, claim.subject_id, person)
    return built[key]


def _outcome(parcel: Parcel, result: Result) -> actions.Outcome:
    if isinstance(result, Sent):
        return actions.Outcome(
            parcel.delivery,
            sent=True,
            segments=result.segments,
            insee_code=parcel.message.insee_code,
        )
    if isinstance(result, TemporaryFailure):
        return actions.Outcome(parcel.delivery, error=str(result), temporary=True)
    if isinstance(result, PermanentFailure):
        return actions.Outcome(parcel.delivery, error=str(result))
    # Another SendError: not known to be final, so tried again.
    return actions.Outcome(parcel.delivery, error=str(result), temporary=True)


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


@message_task
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
