from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import DatabaseError
from django.test import Client
from django.utils import timezone

from vigie.accounts.models import User
from vigie.audit.log import append, redact, verify_chain
from vigie.audit.models import GENESIS_HASH, AuditEvent, AuditLogIsAppendOnly

pytestmark = pytest.mark.django_db


def record(count: int) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            append("test.event", actor_id=number, data={"number": number, "note": "é"})
            for number in range(count)
        ]


def test_it_chains_each_event_to_the_one_before() -> None:
    first, second, third = record(3)

    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.hash
    assert third.previous_hash == second.hash
    assert [event.position for event in (first, second, third)] == [1, 2, 3]
    assert verify_chain().broken is None
    assert verify_chain().checked == 3


def test_it_refuses_updates_and_deletes_through_the_model() -> None:
    (event,) = record(1)

    event.event_type = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        event.save()
    with pytest.raises(AuditLogIsAppendOnly):
        event.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(event_type="changed")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_write_outside_a_transaction() -> None:
    with pytest.raises(RuntimeError):
        append("test.event", actor_id=None)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the update")
def test_it_names_the_first_broken_link_after_tampering() -> None:
    events = record(5)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET data = %s WHERE id = %s",
            ['{"number": 99, "note": "é"}', events[2].pk],
        )

    report = verify_chain()

    assert report.broken is not None
    assert report.broken.position == 3
    assert report.broken.event_id == events[2].pk
    assert report.checked == 2
    with pytest.raises(CommandError, match="broken at position 3"):
        call_command("verify_audit_log")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the delete")
def test_it_notices_a_removed_event() -> None:
    events = record(4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])

    report = verify_chain()

    assert report.broken is not None
    assert report.broken.position == 3
    assert "expected position 2" in report.broken.reason


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_it_is_protected_by_a_postgresql_trigger() -> None:
    (event,) = record(1)

    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE audit_auditevent SET event_type = 'forged' WHERE id = %s", [event.pk]
        )
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.get(pk=event.pk).event_type == "test.event"


def test_it_reports_an_intact_log(capsys: pytest.CaptureFixture[str]) -> None:
    record(3)

    call_command("verify_audit_log")

    assert "3 events" in capsys.readouterr().out


@pytest.mark.usefixtures("address_reference")
def test_it_keeps_ids_and_never_names_in_account_events(client: Client) -> None:
    client.post(
        "/api/v1/auth/register",
        {
            "email": "jeanne@example.org",
            "password": "Tournesol-jaune-42!",
            "first_name": "Jeanne",
            "last_name": "Dupont",
            "address": {"ban_id": "99101_0001_00040"},
            "accept_terms": True,
        },
        content_type="application/json",
    )

    events = AuditEvent.objects.all()
    assert {event.event_type for event in events} >= {
        "account.registered",
        "address.home_set",
        "letter.requested",
    }
    for event in events:
        content = event.canonical_content()
        for personal in ("Jeanne", "Dupont", "jeanne@example.org", "Lilas", "99101_0001"):
            assert personal not in content


# --- Redaction -----------------------------------------------------------------------------


def redact_positions(*positions: int) -> int:
    with transaction.atomic():
        return redact(AuditEvent.objects.filter(position__in=positions))


def test_it_keeps_the_chain_valid_through_redacted_events_and_counts_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    record(5)

    redacted = redact_positions(2, 4)
    again = redact_positions(2, 3)  # 2 is already redacted: only 3 is new
    report = verify_chain()
    call_command("verify_audit_log")

    assert (redacted, again) == (2, 1)
    assert report.broken is None
    assert (report.checked, report.redacted) == (5, 3)
    assert report.last_hash == AuditEvent.objects.get(position=5).hash
    assert "5 events checked, 3 of them redacted" in capsys.readouterr().out


def test_it_leaves_no_data_actor_or_target_in_a_redacted_event() -> None:
    with transaction.atomic():
        event = append("test.event", actor_id=7, target=User(pk=987654321), data={"note": "Lilas"})
    moment = timezone.now() + timedelta(days=400)

    with transaction.atomic():
        redact(AuditEvent.objects.filter(pk=event.pk), now=moment)

    kept = AuditEvent.objects.get(pk=event.pk)
    assert (kept.data, kept.actor_id, kept.target_type, kept.target_id) == ({}, None, "", "")
    assert kept.redacted_at == moment
    assert (
        kept.position, kept.created_at, kept.event_type,
        kept.content_digest, kept.previous_hash, kept.hash,
    ) == (
        event.position, event.created_at, event.event_type,
        event.content_digest, event.previous_hash, event.hash,
    )  # fmt: skip
    assert "Lilas" not in kept.canonical_content()
    assert "987654321" not in kept.canonical_content()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the update")
def test_it_still_notices_tampering_with_an_event_that_was_not_redacted() -> None:
    events = record(4)
    redact_positions(1, 2)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET data = %s WHERE id = %s",
            ['{"number": 99, "note": "é"}', events[2].pk],
        )

    report = verify_chain()

    assert report.broken is not None
    assert report.broken.position == 3
    assert "content does not match its digest" in report.broken.reason
    assert (report.checked, report.redacted) == (2, 2)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the update")
def test_it_notices_a_changed_digest_on_a_redacted_event() -> None:
    events = record(3)
    redact_positions(2)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET content_digest = %s WHERE id = %s",
            ["f" * 64, events[1].pk],
        )

    report = verify_chain()

    assert report.broken is not None
    assert report.broken.position == 2
    assert "digest does not match its hash" in report.broken.reason


@pytest.mark.skipif(connection.vendor == "postgresql", reason="PostgreSQL refuses the update")
def test_it_does_not_let_a_redaction_mark_cover_rewritten_content() -> None:
    events = record(3)
    # Marked redacted, the row's content is no longer checked against its digest: the
    # mark must then come with the content gone, or it would hide any rewrite.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET data = %s, redacted_at = %s WHERE id = %s",
            ['{"number": 99}', "2030-01-01 00:00:00", events[1].pk],
        )

    report = verify_chain()

    assert report.broken is not None
    assert report.broken.position == 2
    assert "marked redacted but still holds" in report.broken.reason


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_redact_outside_a_transaction() -> None:
    record(1)

    with pytest.raises(RuntimeError):
        redact(AuditEvent.objects.all())

    assert AuditEvent.objects.get().redacted_at is None


def raw_update(event: AuditEvent, assignments: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE audit_auditevent SET {assignments} WHERE id = %s",  # noqa: S608 (test constants)
            [event.pk],
        )


EXACT_REDACTION = (
    "data = '{}', actor_id = NULL, target_type = '', target_id = '', redacted_at = now()"
)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
@pytest.mark.parametrize(
    "assignments",
    [
        pytest.param("actor_id = NULL", id="emptied-not-marked"),
        pytest.param("redacted_at = now()", id="marked-not-emptied"),
        pytest.param(EXACT_REDACTION.replace("'{}'", "'{\"number\": 1}'"), id="data-kept"),
        pytest.param(EXACT_REDACTION + ", event_type = 'forged'", id="event-type"),
        pytest.param(EXACT_REDACTION + ", position = position + 100", id="position"),
        pytest.param(EXACT_REDACTION + ", created_at = created_at - interval '1 day'", id="time"),
        pytest.param(EXACT_REDACTION + ", content_digest = repeat('1', 64)", id="digest"),
        pytest.param(EXACT_REDACTION + ", previous_hash = repeat('1', 64)", id="previous-hash"),
        pytest.param(EXACT_REDACTION + ", hash = repeat('1', 64)", id="hash"),
        pytest.param(EXACT_REDACTION + ", id = id + 100", id="id"),
    ],
)
def test_it_is_refused_by_the_trigger_unless_exactly_a_redaction(assignments: str) -> None:
    (event,) = record(1)

    with pytest.raises(DatabaseError, match="append-only"):
        raw_update(event, assignments)

    assert AuditEvent.objects.get(pk=event.pk).data == event.data
    assert verify_chain().redacted == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_it_lets_an_exact_redaction_past_the_trigger_once_and_still_refuses_delete() -> None:
    (event,) = record(1)

    raw_update(event, EXACT_REDACTION)
    with pytest.raises(DatabaseError, match="append-only"):
        raw_update(event, EXACT_REDACTION)  # once redacted, a row never changes again
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])

    report = verify_chain()
    assert (report.broken, report.checked, report.redacted) == (None, 1, 1)


# --- The migration to content digests --------------------------------------------------------

BEFORE_DIGESTS = ("audit", "0002_refuse_changes_on_postgresql")
rechaining = importlib.import_module("vigie.audit.migrations.0004_rechain_over_content_digests")


def migrate_audit_to(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([target])


@pytest.fixture
def old_audit_log(transactional_db: None) -> Iterator[Any]:
    """The audit table as it was before content digests: its model, of that time."""
    migrate_audit_to(BEFORE_DIGESTS)
    yield (
        MigrationExecutor(connection)
        .loader.project_state([BEFORE_DIGESTS])
        .apps.get_model("audit", "AuditEvent")
    )
    # Whatever the test left, and wherever the migration stopped: back to the latest.
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE audit_auditevent"
            if connection.vendor == "postgresql"
            else "DELETE FROM audit_auditevent"
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def write_old_chain(old_model: Any, count: int, *, tampered: int | None = None) -> list[str]:
    """Rows hashed with the old formula, sha256(previous_hash + canonical content)."""
    previous, hashes = GENESIS_HASH, []
    for position in range(1, count + 1):
        fields: dict[str, Any] = {
            "position": position,
            "created_at": timezone.now(),
            "event_type": "test.event",
            "actor_id": position,
            "target_type": "accounts.user",
            "target_id": str(position),
            "data": {"number": position, "note": "é"},
        }
        content = AuditEvent(**fields).canonical_content()
        old_hash = hashlib.sha256((previous + content).encode()).hexdigest()
        if position == tampered:
            fields["data"] = {"number": 99, "note": "é"}
        old_model.objects.create(**fields, previous_hash=previous, hash=old_hash)
        previous = old_hash
        hashes.append(old_hash)
    return hashes


def test_it_rechains_the_old_log_over_content_digests_when_migrating(old_audit_log: Any) -> None:
    old_hashes = write_old_chain(old_audit_log, 3)

    migrate_audit_to(("audit", "0005_allow_only_redaction_on_postgresql"))

    events = list(AuditEvent.objects.order_by("position"))
    report = verify_chain()
    assert (report.broken, report.checked) == (None, 3)
    assert [event.content_digest for event in events] == [
        event.compute_content_digest() for event in events
    ]
    assert [event.previous_hash for event in events] == [
        GENESIS_HASH, events[0].hash, events[1].hash
    ]  # fmt: skip
    assert not {event.hash for event in events} & set(old_hashes)
    if connection.vendor == "postgresql":  # the trigger is back on after the re-chain
        with pytest.raises(DatabaseError, match="append-only"):
            raw_update(events[0], "event_type = 'forged'")


def test_it_refuses_to_migrate_an_old_log_whose_chain_is_broken(old_audit_log: Any) -> None:
    old_hashes = write_old_chain(old_audit_log, 3, tampered=2)

    with pytest.raises(rechaining.BrokenAuditChain, match="broken at position 2"):
        migrate_audit_to(("audit", "0005_allow_only_redaction_on_postgresql"))

    # Nothing re-chained: the tampered row did not get a valid hash.
    rows = list(AuditEvent.objects.order_by("position").values_list("hash", "content_digest"))
    assert rows == [(old_hash, "") for old_hash in old_hashes]
