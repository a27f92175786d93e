"""Writers for outgoing messages."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import User
from vigie.audit import events as audit
from vigie.lib import id_runs, ratelimit
from vigie.lib.crypto import fingerprint
from vigie.lib.errors import Conflict, InvalidInput, Message
from vigie.lib.tasks import attempts_left, next_attempt_at
from vigie.notifications.models import (
    ChannelPreference,
    Delivery,
    DeliveryState,
    DeliveryStatus,
    InboxItem,
    NotificationSettings,
    OutgoingEmail,
    PhoneNumber,
    PushSubscription,
    SmsUsage,
    When,
)
from vigie.notifications.preferences import Plan
from vigie.privacy.consents import record_consent
from vigie.privacy.models import ConsentKind


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


def _digested_deliveries(email: OutgoingEmail) -> list[int]:
    """The deliveries a digest e-mail carries: its outcome is theirs."""
    if email.kind != "delivery_digest":
        return []
    return [int(value) for value in str(email.context.get("deliveries", "")).split(",") if value]


@transaction.atomic
def do_record_email_cancelled(email: OutgoingEmail, *, reason: str) -> None:
    email.status = DeliveryStatus.CANCELLED
    email.last_error = reason[:300]
    email.save(update_fields=["status", "last_error"])
    Delivery.objects.filter(pk__in=_digested_deliveries(email)).update(
        state=DeliveryState.CANCELLED
    )


@transaction.atomic
def do_record_email_failure(email: OutgoingEmail, *, error: str, temporary: bool = True) -> bool:
    """Record a failed attempt; schedule the next one if any is left. True if retrying.

    A permanent failure (the server refused the message for good) is the last attempt.
    """
    from vigie.notifications.tasks import send_email

    email.attempts += 1
    email.last_error = error[:300]
    retry = temporary and attempts_left(email.attempts)
    if retry:
        email.next_attempt_at = next_attempt_at(email.attempts)
        send_email.using(run_after=email.next_attempt_at).enqueue(email.pk)
    else:
        email.status = DeliveryStatus.FAILED
        email.next_attempt_at = None
        # The alerts of a digest that never left show as failed in their figures.
        Delivery.objects.filter(pk__in=_digested_deliveries(email)).update(
            state=DeliveryState.FAILED, last_error=email.last_error
        )
    email.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
    return retry


# --- Deliveries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A delivery taken for sending: what the sending needs, and the claim's own mark."""

    pk: int
    subject_type: str
    subject_id: int
    recipient_id: int
    channel: str
    attempts: int
    claimed_at: datetime


@dataclass(frozen=True)
class Outcome:
    delivery: Claim
    sent: bool = False
    cancelled: bool = False
    segments: int | None = None
    error: str = ""
    temporary: bool = False
    insee_code: str = ""


@transaction.atomic
def do_create_deliveries(subject_type: str, subject_id: int, plans: Sequence[Plan]) -> list[int]:
    """Create what is missing of these deliveries and queue the sending of the ready ones.

    The unique key (subject, recipient, channel) makes a second run create
    nothing; the deliveries still pending are queued again, which is harmless
    since a sending task claims its rows first. The sending tasks are rows
    written in this transaction: they run once the deliveries are committed.
    """
    from vigie.notifications.bulk import insert_deliveries

    ready = insert_deliveries(subject_type, subject_id, plans)
    queue_sending(ready)
    return ready


def queue_sending(delivery_ids: Sequence[int], *, run_after: datetime | None = None) -> None:
    """Queue the sending of these deliveries, inside the caller's transaction.

    One task a batch of ``DELIVERY_BATCH_SIZE``, its ids as runs (``lib/id_runs.py``:
    an urgent alert's batch is one pair), every task in one insert.
    """
    from vigie.lib.bulk_tasks import enqueue_many
    from vigie.notifications.tasks import send_deliveries

    task = send_deliveries if run_after is None else send_deliveries.using(run_after=run_after)
    size = settings.DELIVERY_BATCH_SIZE
    enqueue_many(
        task,
        [
            (id_runs.compress(delivery_ids[start : start + size]),)
            for start in range(0, len(delivery_ids), size)
        ],
    )


_DELIVERY_TABLE = Delivery._meta.db_table


def _update_returning(
    assignments: Mapping[str, object],
    *,
    ids: Sequence[int],
    where: str,
    parameters: Sequence[object],
    returning: Sequence[str] = ("id",),
) -> list[tuple[Any, ...]]:
    """One ``UPDATE … WHERE id IN ids AND where … RETURNING`` on the deliveries.

    The ORM's update says how many rows changed, not which: the claim and the
    recording must know which, and one statement keeps each one round trip.
    PostgreSQL and SQLite (3.35+) both return the rows. ``assignments`` maps a
    column to a value, or to ``_Sql`` text for an expression of the row.
    """
    if not ids:
        return []
    quote = connection.ops.quote_name
    columns: list[str] = []
    values: list[Any] = []
    for column, value in assignments.items():
        if isinstance(value, _Sql):
            columns.append(f"{quote(column)} = {value.text}")
        else:
            columns.append(f"{quote(column)} = %s")
            values.append(_plain(value))
    placeholders = ", ".join(["%s"] * len(ids))
    # Only quoted names of this table's own columns go in the text; values are parameters.
    sql = (
        f"UPDATE {quote(_DELIVERY_TABLE)} SET {', '.join(columns)} "  # noqa: S608 # nosec B608 - quoted own column names
        f"WHERE {quote('id')} IN ({placeholders}) AND {where} "
        f"RETURNING {', '.join(quote(column) for column in returning)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *ids, *[_plain(value) for value in parameters]])
        return list(cursor.fetchall())


@dataclass(frozen=True)
class _Sql:
    text: str


def _plain(value: object) -> Any:
    # A choice is its value in the table; a driver could dump an Enum by its name.
    return value.value if isinstance(value, Enum) else value


def _moment(value: datetime) -> object:
    """A datetime as the database driver takes it in raw SQL (SQLite: naive UTC text)."""
    return connection.ops.adapt_datetimefield_value(value)


def do_claim_deliveries(delivery_ids: Sequence[int]) -> list[Claim]:
    """Take these deliveries for sending, in one conditional update; those not ours are left.

    The update is the lock: of two workers given the same ids, each row goes to
    the one whose update changes it (still pending and due); the other finds it
    claimed and skips it. Every row of one claim carries the same ``claimed_at``,
    the mark its outcome is recorded against (see ``do_record_outcomes``).
    The caller claims a bounded chunk just before sending it, so a slow
    provider holds no more than that chunk, far below the stall limit.
    """
    if not delivery_ids:
        return []
    now = timezone.now()
    quote = connection.ops.quote_name
    rows = _update_returning(
        {"state": DeliveryState.SENDING, "claimed_at": _moment(now)},
        ids=delivery_ids,
        where=(
            f"{quote('state')} = %s AND "
            f"({quote('send_after')} IS NULL OR {quote('send_after')} <= %s)"
        ),
        parameters=[DeliveryState.PENDING, _moment(now)],
        returning=("id", "subject_type", "subject_id", "recipient_id", "channel", "attempts"),
    )
    return sorted(
        (
            Claim(pk, subject_type, subject_id, recipient_id, channel, attempts, now)
            for pk, subject_type, subject_id, recipient_id, channel, attempts in rows
        ),
        key=lambda claim: claim.pk,
    )


@transaction.atomic
def do_record_outcomes(outcomes: Sequence[Outcome]) -> int:
    """What the sending of a chunk learnt, in a few grouped updates; returns how many were sent.

    Only the claim that sent may record: a delivery taken up again meanwhile
    (its worker judged dead) belongs to the newer claim, and is left as it is.
    Sent SMS are counted for their commune here, for the rows that were ours.
    Deliveries to try again go back to pending with their back-off, and one
    task per back-off sends them then.
    """
    now = timezone.now()
    quote = connection.ops.quote_name
    mine = f"{quote('state')} = %s AND {quote('claimed_at')} = %s"
    sent_groups: dict[tuple[datetime, int | None], list[Outcome]] = {}
    cancelled: dict[datetime, list[int]] = {}
    failed: dict[tuple[datetime, int, bool, str], list[int]] = {}
    for outcome in outcomes:
        claim = outcome.delivery
        if outcome.sent:
            sent_groups.setdefault((claim.claimed_at, outcome.segments), []).append(outcome)
        elif outcome.cancelled:
            cancelled.setdefault(claim.claimed_at, []).append(claim.pk)
        else:
            attempts = claim.attempts + 1
            retry = outcome.temporary and attempts_left(attempts)
            key = (claim.claimed_at, attempts, retry, outcome.error[:300])
            failed.setdefault(key, []).append(claim.pk)

    sent = 0
    for (claimed_at, segments), members in sent_groups.items():
        changed = {
            row[0]
            for row in _update_returning(
                {
                    "state": DeliveryState.SENT,
                    "sent_at": _moment(now),
                    "attempts": _Sql(f"{quote('attempts')} + 1"),
                    "last_error": "",
                    "segments": segments,
                },
                ids=[outcome.delivery.pk for outcome in members],
                where=mine,
                parameters=[DeliveryState.SENDING, _moment(claimed_at)],
            )
        }
        sent += len(changed)
        if segments is None:
            continue
        counted: dict[str, int] = {}
        for outcome in members:
            if outcome.delivery.pk in changed and outcome.insee_code:
                counted[outcome.insee_code] = counted.get(outcome.insee_code, 0) + 1
        for insee_code, messages in counted.items():
            _count_sms(
                insee_code,
                day=timezone.localdate(now),
                messages=messages,
                segments=messages * segments,
            )
    for claimed_at, ids in cancelled.items():
        _update_returning(
            {"state": DeliveryState.CANCELLED},
            ids=ids,
            where=mine,
            parameters=[DeliveryState.SENDING, _moment(claimed_at)],
        )
    for (claimed_at, attempts, retry, error), ids in failed.items():
        send_after = next_attempt_at(attempts) if retry else None
        again = sorted(
            row[0]
            for row in _update_returning(
                {
                    "state": DeliveryState.PENDING if retry else DeliveryState.FAILED,
                    "attempts": attempts,
                    "last_error": error,
                    "send_after": None if send_after is None else _moment(send_after),
                },
                ids=ids,
                where=mine,
                parameters=[DeliveryState.SENDING, _moment(claimed_at)],
            )
        )
        if retry:
            queue_sending(again, run_after=send_after)
    return sent


def _count_sms(insee_code: str, *, day: date, messages: int, segments: int) -> None:
    usage, _created = SmsUsage.objects.get_or_create(insee_code=insee_code, day=day)
    SmsUsage.objects.filter(pk=usage.pk).update(
        messages=F("messages") + messages, segments=F("segments") + segments
    )


@transaction.atomic
def do_cancel_deliveries(subject_type: str, subject_id: int) -> int:
    """The subject no longer applies: what has not left will not."""
    return Delivery.objects.filter(
        subject_type=subject_type,
        subject_id=subject_id,
        state__in=[DeliveryState.PENDING, DeliveryState.HELD],
    ).update(state=DeliveryState.CANCELLED)


@transaction.atomic
def do_resume_deliveries(subject_type: str, subject_id: int) -> int:
    """The subject applies again (an alert shown again after reports): what stopped, leaves.

    Each delivery checks again, before it leaves, that it still applies.
    """
    stopped = list(
        Delivery.objects.filter(
            subject_type=subject_type, subject_id=subject_id, state=DeliveryState.CANCELLED
        ).values_list("pk", flat=True)
    )
    Delivery.objects.filter(pk__in=stopped).update(state=DeliveryState.PENDING, send_after=None)
    queue_sending(stopped)
    return len(stopped)


@transaction.atomic
def do_release_held_deliveries(*, now: datetime | None = None) -> int:
    """Quiet hours over: the held messages (not those waiting for the digest) leave."""
    moment = now or timezone.now()
    due = list(
        Delivery.objects.filter(
            state=DeliveryState.HELD, digest=False, send_after__lte=moment
        ).values_list("pk", flat=True)
    )
    Delivery.objects.filter(pk__in=due).update(state=DeliveryState.PENDING)
    queue_sending(due)
    return len(due)


@transaction.atomic
def do_requeue_stalled_deliveries(*, older_than: timedelta) -> int:
    """Deliveries a dead worker left: claimed and never recorded, or due and never taken.

    A worker killed mid-batch leaves the row it was sending claimed (put back to
    pending here) and the rest of its batch pending with no task to send them
    (queued again here). Queuing a delivery twice is harmless: the sending claims
    it first. Each message carries its delivery's identity (stable e-mail
    Message-ID, push tag, one inbox notice per subject), so the rare message that
    did leave before its worker died is recognised as a repeat.
    """
    from django.db.models.functions import Coalesce

    limit = timezone.now() - older_than
    stalled = list(
        Delivery.objects.filter(state=DeliveryState.SENDING, claimed_at__lt=limit).values_list(
            "pk", flat=True
        )
    )
    Delivery.objects.filter(pk__in=stalled).update(state=DeliveryState.PENDING)
    overdue = list(
        Delivery.objects.filter(state=DeliveryState.PENDING)
        .annotate(due_since=Coalesce("send_after", "created_at"))
        .filter(due_since__lt=limit)
        .exclude(pk__in=stalled)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    again = stalled + overdue
    queue_sending(again)
    return len(again)


@transaction.atomic
def do_send_digests(*, now: datetime | None = None) -> int:
    """The daily digest: one e-mail per person for the non-urgent alerts held for it."""
    moment = now or timezone.now()
    held = Delivery.objects.filter(state=DeliveryState.HELD, digest=True, send_after__lte=moment)
    # A delivery keeps no foreign key in the database: one whose account is gone would
    # stay held for ever, unseen by the join below.
    held.filter(~Exists(User.objects.filter(pk=OuterRef("recipient_id")))).update(
        state=DeliveryState.CANCELLED
    )
    due = held.select_related("recipient")
    by_person: dict[int, list[Delivery]] = {}
    for delivery in due:
        by_person.setdefault(delivery.recipient_id, []).append(delivery)
    for deliveries in by_person.values():
        recipient = deliveries[0].recipient
        queue_email(
            "delivery_digest",
            to=recipient.email,
            language=recipient.language or "fr",
            user_id=recipient.pk,
            context={"deliveries": ",".join(str(delivery.pk) for delivery in deliveries)},
        )
    # The digest e-mail carries its own outcome (OutgoingEmail); these are in it.
    Delivery.objects.filter(
        pk__in=[delivery.pk for deliveries in by_person.values() for delivery in deliveries]
    ).update(state=DeliveryState.SENT, sent_at=moment, attempts=F("attempts") + 1)
    return len(by_person)


# --- Preferences, push subscriptions, the phone, the inbox -------------------------------


@dataclass(frozen=True)
class PreferencesInput:
    choices: Mapping[tuple[str, str], str]  # (category, channel) → when
    quiet_from: time | None
    quiet_until: time | None
    digest: bool


@transaction.atomic
def do_set_preferences(user: User, *, data: PreferencesInput, categories: Sequence[str]) -> None:
    """Store what differs from the defaults (a default is never written down)."""
    from vigie.notifications.preferences import CHOOSABLE, DEFAULT_WHEN

    errors: dict[str, list[Message]] = {}
    for (category, channel), when in data.choices.items():
        if category not in categories or channel not in CHOOSABLE or when not in When.values:
            errors.setdefault("channels", []).append(
                _("Unknown choice: %(category)s, %(channel)s.")
                % {"category": category[:30], "channel": channel[:10]}
            )
    if (data.quiet_from is None) != (data.quiet_until is None):
        errors["quiet_hours"] = [_("Give both ends of the quiet hours, or neither.")]
    elif any(
        moment is not None and moment.tzinfo is not None
        for moment in (data.quiet_from, data.quiet_until)
    ):
        # Quiet hours follow the local clock, whatever the season: no offset.
        errors["quiet_hours"] = [_("Give the quiet hours as local times, without a time zone.")]
    if errors:
        raise InvalidInput(errors)
    ChannelPreference.objects.filter(user=user).delete()
    ChannelPreference.objects.bulk_create(
        ChannelPreference(user=user, category=category, channel=channel, when=when)
        for (category, channel), when in data.choices.items()
        if when != DEFAULT_WHEN[channel]
    )
    NotificationSettings.objects.update_or_create(
        user=user,
        defaults={
            "quiet_from": data.quiet_from,
            "quiet_until": data.quiet_until,
            "digest": data.digest,
        },
    )


@transaction.atomic
def do_subscribe_push(
    user: User, *, endpoint: str, p256dh: str, auth: str, user_agent: str
) -> PushSubscription:
    """Keep a browser's subscription; the same browser moving to another account moves it."""
    from vigie.notifications.push import endpoint_allowed

    errors: dict[str, list[Message]] = {}
    if len(endpoint) > 1000 or not endpoint_allowed(endpoint):
        errors["endpoint"] = [_("This is not the address of a browser's push service.")]
    if len(_base64url_bytes(p256dh)) != 65:
        errors["keys.p256dh"] = [_("This key is not a browser's push key.")]
    if len(_base64url_bytes(auth)) != 16:
        errors["keys.auth"] = [_("This secret is not a browser's push secret.")]
    if errors:
        raise InvalidInput(errors)
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:200]},
    )
    record_consent(user, ConsentKind.PUSH, given=True)
    return subscription


def _base64url_bytes(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, binascii.Error):
        return b""


@transaction.atomic
def do_unsubscribe_push(user: User, *, endpoint: str) -> int:
    count, _details = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    if not PushSubscription.objects.filter(user=user).exists():
        record_consent(user, ConsentKind.PUSH, given=False)
    return count


PHONE_CODE_LIFETIME = timedelta(minutes=15)
PHONE_CODE_ATTEMPTS = 5


@transaction.atomic
def do_set_phone(user: User, *, number: str) -> PhoneNumber:
    """A new mobile number: a code goes to it by SMS; until entered, it serves nothing."""
    from vigie.notifications.sms.phones import normalize_mobile
    from vigie.notifications.tasks import send_phone_code

    ratelimit.hit("phone-code", str(user.pk), rate=settings.RATE_PHONE_CODE)
    try:
        normalized = normalize_mobile(number)
    except ValueError:
        raise InvalidInput(
            {"number": [_("Enter a French mobile number, like 06 12 34 56 78.")]}
        ) from None
    PhoneNumber.objects.filter(user=user).delete()
    phone = PhoneNumber.objects.create(
        user=user, number=normalized, fingerprint=fingerprint("phone", normalized)
    )
    send_phone_code.enqueue(phone.pk)
    return phone


@transaction.atomic
def do_store_phone_code(phone: PhoneNumber, *, code_hash: str) -> None:
    phone.code_hash = code_hash
    phone.code_sent_at = timezone.now()
    phone.code_attempts = 0
    phone.save(update_fields=["code_hash", "code_sent_at", "code_attempts"])


def do_verify_phone(user: User, *, code: str) -> PhoneNumber:
    """The code sent by SMS, entered: the number is the member's. Five tries per code."""
    with transaction.atomic():
        phone = PhoneNumber.objects.select_for_update().filter(user=user).first()
        if phone is None or phone.verified_at is not None:
            raise Conflict(_("There is no number waiting for its code."), code="no_code_waiting")
        sent_at = phone.code_sent_at
        if (
            sent_at is None
            or timezone.now() - sent_at > PHONE_CODE_LIFETIME
            or phone.code_attempts >= PHONE_CODE_ATTEMPTS
        ):
            raise InvalidInput(
                {"code": [_("This code is no longer valid: ask for a new one.")]},
                code="code_expired",
            )
        right = check_password(code.strip(), phone.code_hash)
        if not right:
            # Counted in this transaction, which commits: the error is raised after it.
            phone.code_attempts += 1
            phone.save(update_fields=["code_attempts"])
        else:
            # A number belongs to one account: verified here, it leaves any other.
            moved, _details = (
                PhoneNumber.objects.filter(fingerprint=phone.fingerprint)
                .exclude(pk=phone.pk)
                .delete()
            )
            phone.verified_at = timezone.now()
            phone.code_hash = ""
            phone.save(update_fields=["verified_at", "code_hash"])
            audit.phone_verified(user, replaced_other=bool(moved))
            record_consent(user, ConsentKind.SMS, given=True)
    if not right:
        raise InvalidInput({"code": [_("This code is not right.")]}, code="wrong_code")
    return phone


@transaction.atomic
def do_remove_phone(user: User) -> None:
    count, _details = PhoneNumber.objects.filter(user=user).delete()
    if count:
        audit.phone_removed(user)
    record_consent(user, ConsentKind.SMS, given=False)


@transaction.atomic
def do_mark_read(user: User, *, notice_ids: Sequence[int] | None) -> int:
    notices = InboxItem.objects.filter(recipient=user, read_at__isnull=True)
    if notice_ids is not None:
        notices = notices.filter(pk__in=notice_ids)
    return notices.update(read_at=timezone.now())
