from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from vigie.audit.log import append, verify_chain
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
