"""Appending to the audit log and checking its chain."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, models, transaction
from django.utils import timezone

from vigie.audit.models import GENESIS_HASH, REDACTED_CONTENT, AuditEvent
from vigie.lib.security_log import log_security_event

# Any fixed 64-bit number: the PostgreSQL advisory lock that serialises appends.
_APPEND_LOCK_KEY = 7_341_902_115

JsonValue = str | int | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


def append(
    event_type: str,
    *,
    actor_id: int | None,
    target: models.Model | None = None,
    data: Mapping[str, JsonValue] | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction.

    The caller's action must be atomic so the event and the change it
    records commit together or not at all.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Audit events are written inside the action's transaction.")
    if connection.vendor == "postgresql":
        # Two writers reading the same tail would fork the chain; the unique
        # position would then fail one of them. The lock makes them queue instead.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_APPEND_LOCK_KEY])
    # On SQLite, IMMEDIATE transactions already hold the database's write lock.
    tail = AuditEvent.objects.order_by("-position").values_list("position", "hash").first()
    position, previous_hash = (tail[0] + 1, tail[1]) if tail else (1, GENESIS_HASH)
    event = AuditEvent(
        position=position,
        created_at=timezone.now(),
        event_type=event_type,
        actor_id=actor_id,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=dict(data or {}),
        previous_hash=previous_hash,
    )
    event.content_digest = event.compute_content_digest()
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    # Mirrored in the security log once it is true: account changes, the team's and the
    # town halls' actions reach the log collector too. Ids and the type only, never data.
    transaction.on_commit(
        lambda: log_security_event(
            "audit_event",
            outcome="recorded",
            user_id=actor_id,
            type=event_type,
            target_type=event.target_type or None,
            target_id=event.target_id or None,
            position=position,
        )
    )
    return event


def redact(events: models.QuerySet[AuditEvent], *, now: datetime | None = None) -> int:
    """Empty the data, actor and target of these events, inside the caller's transaction.

    Their position, time, type, digest and hashes stay, so the chain still
    verifies through them. Events already redacted are left as they are (their
    redaction date included); returns how many were redacted now.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Audit events are redacted inside the caller's transaction.")
    pending = events.filter(redacted_at__isnull=True)
    # The one sanctioned change to the log. AuditEventQuerySet.update refuses every
    # update, so this calls the base QuerySet.update past it, on these rows only and
    # with these values only: on PostgreSQL the trigger accepts no other UPDATE.
    return models.QuerySet.update(pending, **REDACTED_CONTENT, redacted_at=now or timezone.now())


@dataclass(frozen=True)
class BrokenLink:
    position: int
    event_id: int
    reason: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken: BrokenLink | None
    last_hash: str = GENESIS_HASH
    # Of the events checked, those whose content is gone: only their links were checked.
    redacted: int = 0


def _events() -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("position").iterator(chunk_size=2000)


def verify_chain() -> ChainReport:
    """Walk the whole chain in order and report the first broken link, if any.

    Not in a transaction: on SQLite that would hold the write lock for the
    whole walk. Rows appended meanwhile are checked if the walk reaches them.
    """
    expected_previous = GENESIS_HASH
    expected_position = 1
    checked = redacted = 0
    for event in _events():
        reason = None
        if event.position != expected_position:
            reason = f"expected position {expected_position}, found {event.position}"
        elif event.previous_hash != expected_previous:
            reason = "its previous hash does not match the hash of the event before it"
        elif event.is_redacted and event.holds_content():
            # Otherwise marking a row redacted would let its content be rewritten unchecked.
            reason = "it is marked redacted but still holds data, an actor or a target"
        elif not event.is_redacted and event.compute_content_digest() != event.content_digest:
            reason = "its content does not match its digest"
        elif event.compute_hash() != event.hash:
            reason = "its digest does not match its hash"
        if reason:
            return ChainReport(
                checked=checked,
                broken=BrokenLink(position=event.position, event_id=event.pk, reason=reason),
                redacted=redacted,
            )
        checked += 1
        if event.is_redacted:
            redacted += 1
        expected_previous = event.hash
        expected_position += 1
    return ChainReport(checked=checked, broken=None, last_hash=expected_previous, redacted=redacted)
