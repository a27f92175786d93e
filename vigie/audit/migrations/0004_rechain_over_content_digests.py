"""Re-chain the rows already there: hash = sha256(previous_hash + content_digest).

The old chain is verified first, with the old formula, and a broken one stops
the migration: re-chaining it would give a tampered row a valid new hash and
launder the tampering. Run ``manage.py verify_audit_log`` on the old code to
find the break, and restore the table from a backup before migrating.
"""

import hashlib
import json
from contextlib import contextmanager
from datetime import UTC

from django.db import migrations
from django.db.migrations.exceptions import IrreversibleError

GENESIS_HASH = "0" * 64
TABLE = "audit_auditevent"
TRIGGER = "audit_auditevent_append_only"
PAGE = 2000


class BrokenAuditChain(Exception):
    pass


# Frozen copies of the model's formulas as they stand at this migration: the
# model's methods may change later, what this migration computed must not.
def canonical_content(event):
    return json.dumps(
        {
            "position": event.position,
            "created_at": event.created_at.astimezone(UTC).isoformat(),
            "event_type": event.event_type,
            "actor_id": event.actor_id,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "data": event.data,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def old_link(event):
    return sha256(event.previous_hash + canonical_content(event))


def new_link(event):
    if event.redacted_at is None and sha256(canonical_content(event)) != event.content_digest:
        return None
    return sha256(event.previous_hash + event.content_digest)


def pages(AuditEvent):
    """In position order, a page at a time, each read afresh: rows are updated meanwhile."""
    after = 0
    while page := list(AuditEvent.objects.filter(position__gt=after).order_by("position")[:PAGE]):
        yield page
        after = page[-1].position


def check_chain(AuditEvent, link, formula):
    expected_previous, expected_position = GENESIS_HASH, 1
    for page in pages(AuditEvent):
        for event in page:
            if event.position != expected_position:
                reason = f"expected position {expected_position}, found {event.position}"
            elif event.previous_hash != expected_previous:
                reason = "its previous hash does not match the hash of the event before it"
            elif link(event) != event.hash:
                reason = "its content does not match its hash"
            else:
                expected_previous, expected_position = event.hash, expected_position + 1
                continue
            raise BrokenAuditChain(
                f"The audit log ({formula} formula) is broken at position {event.position} "
                f"(event id {event.pk}): {reason}. Refusing to re-chain it."
            )


@contextmanager
def trigger_disabled(schema_editor):
    # The trigger of 0002 refuses every UPDATE. No try/finally: if the body raises,
    # the migration's transaction rolls back, and with it the DISABLE.
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:
        schema_editor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}", params=None)
    yield
    if postgresql:
        schema_editor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}", params=None)


def rewrite(AuditEvent, schema_editor, *, forward):
    # In position order, each previous_hash taken from the row just rewritten. A new
    # hash cannot equal an old one still in the table (that would take a SHA-256
    # collision), so the unique constraint on hash holds at every step.
    previous = GENESIS_HASH
    with trigger_disabled(schema_editor):
        for page in pages(AuditEvent):
            for event in page:
                event.previous_hash = previous
                if forward:
                    event.content_digest = sha256(canonical_content(event))
                    event.hash = sha256(previous + event.content_digest)
                else:
                    event.content_digest = ""
                    event.hash = old_link(event)
                previous = event.hash
            AuditEvent.objects.bulk_update(page, ["content_digest", "previous_hash", "hash"])


def rechain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    check_chain(AuditEvent, old_link, "old")
    rewrite(AuditEvent, schema_editor, forward=True)


def unchain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    if AuditEvent.objects.filter(redacted_at__isnull=False).exists():
        raise IrreversibleError(
            "Redacted audit events cannot go back to the old chain: it hashed their content."
        )
    check_chain(AuditEvent, new_link, "new")
    rewrite(AuditEvent, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_content_digest_and_redaction")]

    operations = [migrations.RunPython(rechain, unchain, elidable=False)]
