"""Personal data at rest: encrypted columns, key rotation, the authenticators' secrets."""

from __future__ import annotations

import dataclasses
import datetime
import importlib
import io

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from pytest_django.fixtures import Settings

from vigie.accounts.models import TOTPDevice
from vigie.addresses.actions import do_set_home_address
from vigie.addresses.models import Address
from vigie.alerts.actions import do_receive_sms
from vigie.alerts.models import Alert
from vigie.lib.crypto import encrypted_columns
from vigie.notifications.sms.webhook import InboundSms
from vigie.operations.key_rotation import rotate_model
from vigie.test import (
    TOTP_KEY_HEX,
    Personas,
    give_verified_phone,
    home,
    make_personas,
    totp_code,
)

legacy_totp = importlib.import_module("vigie.accounts.migrations.0006_copy_otp_totp_devices")

Cell = tuple[str, str, object]  # model label, column, primary key


def fill_every_encrypted_column(personas: Personas) -> None:
    """Alice's home with a suffix and a flat, her mobile; Carol's authenticator is there."""
    flat = dataclasses.replace(
        home("Rue des Lilas", 12, ban_street=1, suffix="bis"),
        complement="Bâtiment B, appartement 31",
    )
    do_set_home_address(personas.alice, flat, acting_user=personas.alice)
    give_verified_phone(personas.alice, "+33612345678")


def raw_cells() -> dict[Cell, str]:
    """What the database itself holds in every non-empty encrypted column."""
    quote = connection.ops.quote_name
    cells: dict[Cell, str] = {}
    with connection.cursor() as cursor:
        for model, fields in encrypted_columns():
            table, pk = model._meta.db_table, model._meta.pk
            assert pk is not None
            assert pk.column is not None
            for field in model._meta.local_concrete_fields:
                if field.name not in fields:
                    continue
                assert field.column is not None
                cursor.execute(
                    f"SELECT {quote(pk.column)}, {quote(field.column)} FROM {quote(table)}"  # noqa: S608
                )
                for key, value in cursor.fetchall():
                    if value:
                        cells[(model._meta.label, field.name, key)] = value
    return cells


def clear_cells() -> dict[Cell, str]:
    """The same cells as the application reads them."""
    cells: dict[Cell, str] = {}
    for model, fields in encrypted_columns():
        for row in model._base_manager.values("pk", *fields):
            for name in fields:
                if row[name]:
                    cells[(model._meta.label, name, row["pk"])] = row[name]
    return cells


def under(key: str, token: str) -> bool:
    try:
        Fernet(key).decrypt(token.encode())
    except Exception:
        return False
    return True


def test_it_keeps_every_encrypted_column_free_of_clear_text(
    personas: Personas, settings: Settings
) -> None:
    fill_every_encrypted_column(personas)

    raw, clear = raw_cells(), clear_cells()

    # Every encrypted column has a value to look at, or this test would prove nothing.
    assert {(label, name) for label, name, _pk in raw} == {
        (model._meta.label, name) for model, fields in encrypted_columns() for name in fields
    }
    assert {
        ("addresses.Address", "street"),
        ("addresses.Address", "complement"),
        ("notifications.PhoneNumber", "number"),
        ("accounts.TOTPDevice", "key"),
    } <= {(label, name) for label, name, _pk in raw}
    assert raw.keys() == clear.keys()
    reader = MultiFernet([Fernet(key) for key in settings.FIELD_KEYS])
    for cell, token in raw.items():
        assert token != clear[cell]
        assert reader.decrypt(token.encode()).decode() == clear[cell], cell
        # A short number may show up in base64 by chance; a longer text may not.
        if len(clear[cell]) >= 8:
            assert clear[cell] not in token, cell
    carols = TOTPDevice.objects.get(user=personas.carol)
    assert clear[("accounts.TOTPDevice", "key", carols.pk)] == TOTP_KEY_HEX
    complements = [value for (_label, name, _pk), value in clear.items() if name == "complement"]
    assert complements == ["Bâtiment B, appartement 31"]


def test_it_rewrites_every_value_under_a_new_key_and_forgets_the_old_one(
    db: None, settings: Settings
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_KEYS = [old]
    fill_every_encrypted_column(make_personas())
    before, clear = raw_cells(), clear_cells()

    settings.FIELD_KEYS = [new, old]
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)

    settings.FIELD_KEYS = [new]
    after = raw_cells()
    assert clear_cells() == clear
    assert after.keys() == before.keys()
    assert all(after[cell] != before[cell] for cell in before)
    assert all(under(new, token) and not under(old, token) for token in after.values())
    rows = len({(label, pk) for label, _name, pk in before})
    assert f"Total: re-encrypted {rows} rows." in out.getvalue()
    assert "addresses.Address (number, suffix, street, complement" in out.getvalue()


def test_it_counts_what_a_dry_run_would_rewrite_and_changes_nothing(
    db: None, settings: Settings
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_KEYS = [old]
    fill_every_encrypted_column(make_personas())
    before = raw_cells()
    settings.FIELD_KEYS = [new, old]

    out = io.StringIO()
    call_command("rotate_field_keys", "--dry-run", stdout=out)

    assert raw_cells() == before
    rows = len({(label, pk) for label, _name, pk in before})
    assert f"Total: would re-encrypt {rows} rows." in out.getvalue()
    phones = len({pk for label, _name, pk in before if label == "notifications.PhoneNumber"})
    assert f"notifications.PhoneNumber (number): would re-encrypt {phones} of {phones} rows" in (
        out.getvalue()
    )


def test_it_does_nothing_more_when_run_again(db: None, settings: Settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_KEYS = [old]
    fill_every_encrypted_column(make_personas())
    settings.FIELD_KEYS = [new, old]
    call_command("rotate_field_keys", stdout=io.StringIO())
    rotated = raw_cells()

    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)

    assert raw_cells() == rotated
    assert "Total: re-encrypted 0 rows." in out.getvalue()


def test_it_goes_on_where_an_interrupted_rotation_stopped(db: None, settings: Settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_KEYS = [old]
    make_personas()
    settings.FIELD_KEYS = [new, old]

    def interrupt(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotate_model(Address, ("street",), batch_size=2, progress=interrupt)

    halfway = raw_cells()
    streets = {
        cell: token
        for cell, token in halfway.items()
        if cell[:2] == ("addresses.Address", "street")
    }
    done_first = {cell for cell, token in streets.items() if under(new, token)}
    assert len(done_first) == 2  # the first batch was kept
    outcome = rotate_model(Address, ("street",), batch_size=2)
    assert outcome.rewritten == len(streets) - 2
    assert all(under(new, token) for cell, token in raw_cells().items() if cell in streets)
    assert all(raw_cells()[cell] == halfway[cell] for cell in done_first)


def test_it_stops_and_names_the_table_when_a_value_has_lost_its_key(
    db: None, settings: Settings
) -> None:
    settings.FIELD_KEYS = [Fernet.generate_key().decode()]
    make_personas()
    settings.FIELD_KEYS = [Fernet.generate_key().decode()]  # the old key removed too early

    with pytest.raises(CommandError, match=r"^accounts\.TOTPDevice: .* cannot be read"):
        call_command("rotate_field_keys", stdout=io.StringIO())


def test_it_still_checks_an_authenticator_code_after_rotation_and_refuses_it_twice(
    db: None, settings: Settings
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_KEYS = [old]
    personas = make_personas()
    settings.FIELD_KEYS = [new, old]
    call_command("rotate_field_keys", stdout=io.StringIO())
    settings.FIELD_KEYS = [new]

    code = totp_code(personas.carol)

    assert TOTPDevice.objects.get(user=personas.carol).verify_token(code)
    assert not TOTPDevice.objects.get(user=personas.carol).verify_token(code)


def test_it_still_knows_who_sent_a_text_after_rotation_without_decrypting_numbers(
    db: None, settings: Settings
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_KEYS = [old]
    personas = make_personas()
    give_verified_phone(personas.alice, "+33612345678")
    settings.FIELD_KEYS = [new, old]
    call_command("rotate_field_keys", stdout=io.StringIO())
    settings.FIELD_KEYS = [new]

    received = do_receive_sms(
        InboundSms(
            provider_id="ovh-1",
            sender="+33612345678",
            text="Un portail ouvert rue des Lilas",
            received_at=timezone.now(),
        )
    )

    # The keyed fingerprint finds the sender; rotation leaves it as it was.
    assert received.outcome == "alert"
    assert Alert.objects.get(author=personas.alice).pk == received.alert_id


def create_legacy_totp_table() -> None:
    """django-otp's otp_totp_totpdevice, as its migrations left it on databases made before."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE otp_totp_totpdevice ("
            " id integer PRIMARY KEY, user_id bigint NOT NULL, name varchar(64) NOT NULL,"
            " confirmed bool NOT NULL, key varchar(80) NOT NULL, step smallint NOT NULL,"
            " t0 bigint NOT NULL, digits smallint NOT NULL, tolerance smallint NOT NULL,"
            " drift smallint NOT NULL, last_t bigint NOT NULL,"
            " throttling_failure_timestamp timestamp NULL,"
            " throttling_failure_count integer NOT NULL,"
            " created_at timestamp NULL, last_used_at timestamp NULL)"
        )


def test_it_moves_authenticators_out_of_django_otps_clear_table(personas: Personas) -> None:
    TOTPDevice.objects.all().delete()
    create_legacy_totp_table()
    created = connection.ops.adapt_datetimefield_value(
        datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO otp_totp_totpdevice VALUES "
            "(7, %s, 'authenticator', %s, %s, 30, 0, 6, 1, 0, -1, NULL, 0, %s, NULL)",
            [personas.carol.pk, True, TOTP_KEY_HEX, created],
        )
    MigrationRecorder(connection).record_applied("otp_totp", "0003_add_timestamps")

    assert legacy_totp.copy_legacy_devices(connection, TOTPDevice) == 1

    device = TOTPDevice.objects.get(user=personas.carol)
    assert (device.name, device.confirmed, device.key) == ("authenticator", True, TOTP_KEY_HEX)
    assert device.created_at == datetime.datetime(2026, 3, 1, 9, 30, tzinfo=datetime.UTC)
    assert TOTP_KEY_HEX not in raw_cells()[("accounts.TOTPDevice", "key", device.pk)]
    assert device.verify_token(totp_code(personas.carol))
    assert "otp_totp_totpdevice" not in connection.introspection.table_names()
    assert not MigrationRecorder(connection).migration_qs.filter(app="otp_totp").exists()


def test_it_has_nothing_to_move_on_a_database_that_never_had_django_otps_table(
    personas: Personas,
) -> None:
    assert legacy_totp.copy_legacy_devices(connection, TOTPDevice) == 0
    assert TOTPDevice.objects.filter(user=personas.carol).count() == 1
