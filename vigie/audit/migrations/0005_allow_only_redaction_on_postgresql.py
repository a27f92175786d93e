"""On PostgreSQL, the trigger now lets one UPDATE through: an exact redaction.

DELETE is still refused, and so is any UPDATE that changes something else than
emptying data, actor and target and setting redacted_at once: the fields the
chain covers (position, time, type, digest, hashes) cannot change, so a
redaction can hide what an entry said but never that it was there, nor when.
Same trigger as 0002, only its function is replaced.
"""

from django.db import migrations

REFUSE_ALL = """
CREATE OR REPLACE FUNCTION vigie_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

ALLOW_REDACTION = """
CREATE OR REPLACE FUNCTION vigie_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND OLD.redacted_at IS NULL
        AND NEW.redacted_at IS NOT NULL
        AND NEW.data = '{}'::jsonb
        AND NEW.actor_id IS NULL
        AND NEW.target_type = ''
        AND NEW.target_id = ''
        AND NEW.id = OLD.id
        AND NEW.position = OLD.position
        AND NEW.created_at = OLD.created_at
        AND NEW.event_type = OLD.event_type
        AND NEW.content_digest = OLD.content_digest
        AND NEW.previous_hash = OLD.previous_hash
        AND NEW.hash = OLD.hash
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def allow_redaction(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_REDACTION, params=None)


def refuse_all(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REFUSE_ALL, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_rechain_over_content_digests")]

    operations = [migrations.RunPython(allow_redaction, refuse_all, elidable=False)]
