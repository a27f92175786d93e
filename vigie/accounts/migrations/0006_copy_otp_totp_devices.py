"""Move the authenticators of django-otp's TOTP plugin into accounts.TOTPDevice.

That plugin kept the shared secrets in clear; its app is no longer installed.
A database that had it still holds its table: every device is copied here
(the secret gets encrypted on the way), then the table is dropped so that no
clear secret stays behind, and the plugin's migration records go with it.
On a new database there is nothing to copy.

Devices get new ids, so a session that had passed its second factor with an
old device asks for a code once more; nobody loses an enrolled authenticator.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import migrations
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

LEGACY_TABLE = "otp_totp_totpdevice"
# Present in every version of the plugin but the timestamps (added in its 0003).
COPIED_COLUMNS = (
    "user_id",
    "name",
    "confirmed",
    "key",
    "step",
    "t0",
    "digits",
    "tolerance",
    "drift",
    "last_t",
    "throttling_failure_timestamp",
    "throttling_failure_count",
    "created_at",
    "last_used_at",
)
DATETIME_COLUMNS = ("throttling_failure_timestamp", "created_at", "last_used_at")


def copy_legacy_devices(connection: BaseDatabaseWrapper, device_model: Any) -> int:
    """Copy every legacy device into ``device_model``, drop the legacy table; how many."""
    if LEGACY_TABLE not in connection.introspection.table_names():
        return 0
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        present = {
            column.name
            for column in connection.introspection.get_table_description(cursor, LEGACY_TABLE)
        }
        columns = [column for column in COPIED_COLUMNS if column in present]
        # Identifiers come from the constants above, quoted; no value is interpolated.
        cursor.execute(
            f"SELECT {', '.join(quote(column) for column in columns)} "  # noqa: S608  # nosec B608
            f"FROM {quote(LEGACY_TABLE)} ORDER BY {quote('id')}"
        )
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        for column in DATETIME_COLUMNS:
            row[column] = _aware(row.get(column))
    for row in rows:
        created_at = row.pop("created_at", None)
        device = device_model.objects.create(**row)
        # created_at fills itself on insert (auto_now_add); the device's own date is kept.
        device_model.objects.filter(pk=device.pk).update(created_at=created_at)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {quote(LEGACY_TABLE)}")
    MigrationRecorder(connection).migration_qs.filter(app="otp_totp").delete()
    return len(rows)


def _aware(value: object) -> datetime.datetime | None:
    """SQLite hands back naive UTC datetimes (or text); the model wants aware ones."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    assert isinstance(value, datetime.datetime)
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def forwards(apps: Any, schema_editor: Any) -> None:
    copy_legacy_devices(schema_editor.connection, apps.get_model("accounts", "TOTPDevice"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_totp_device_encrypted"),
    ]

    operations = [
        # Going back cannot bring the clear secrets back; the devices stay here.
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False),
    ]
