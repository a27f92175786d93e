from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client
from django.utils import timezone

from vigie.notifications.models import OutgoingEmail
from vigie.privacy.export import _value
from vigie.privacy.models import DataExport, ExportState
from vigie.privacy.registry import holdings_owned_by_a_person, owner_filter
from vigie.privacy.tests.helpers import live, zephyrine
from vigie.test import PASSWORD, Personas, log_in_as, run_tasks, totp_code

pytestmark = pytest.mark.django_db


def ask(client: Client, **fields: str) -> Any:
    return client.post("/api/v1/me/export", fields, content_type="application/json")


def archive_of(client: Client, export_id: int) -> zipfile.ZipFile:
    response = client.get(f"/api/v1/me/export/{export_id}/download")
    assert response.status_code == 200, response.content[:200]
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return zipfile.ZipFile(io.BytesIO(content))


def normalised(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def test_it_exports_every_declared_field_of_the_person_and_nothing_of_anyone_else(
    personas: Personas,
) -> None:
    life = live(zephyrine(personas), personas)
    live(personas.alice, personas)  # a neighbour with a life of her own

    export_id = ask(life.client, password=PASSWORD).json()["id"]
    run_tasks()
    archive = archive_of(life.client, export_id)

    names = set(archive.namelist())
    checked = 0
    for holding in holdings_owned_by_a_person():
        stem = f"data/{holding.model.lower()}"
        assert {f"{stem}.json", f"{stem}.csv"} <= names
        exported = {row["id"]: row for row in json.loads(archive.read(f"{stem}.json"))}
        model = holding.model_class
        rows = model._default_manager.filter(**owner_filter(holding, life.person.pk))
        # What the build itself wrote after the snapshot: the copy's own row, its e-mail.
        if holding.model == "privacy.DataExport":
            continue
        if holding.model == "notifications.OutgoingEmail":
            rows = rows.exclude(kind="data_export_ready")
        if holding.model == "audit.AuditEvent":
            rows = rows.exclude(event_type="privacy.export_downloaded")
        if holding.model != "audit.AuditEvent":
            # Every row is the person's: no one else's row slipped in.
            assert set(exported) == set(rows.values_list("pk", flat=True)), holding.model
        for row in rows:
            for name in holding.fields:
                expected = normalised(_value(row, model._meta.get_field(name)))  # type: ignore[arg-type]
                if name == "data" and not about_her_account(row, life.person.pk):
                    expected = {}  # what she did to others' things: when and what only
                assert exported[row.pk][name] == expected, (holding.model, name)
                checked += 1
    assert checked > 150
    everything = b"".join(archive.read(name) for name in names)
    assert "Allée des Hirondelles".encode() in everything  # her address, in clear
    assert f"+336987{life.person.pk:05d}".encode() in everything
    assert f"files/{life.image_name}" in names
    for other in (personas.alice, personas.mallory, personas.dave):
        assert other.email.encode() not in everything
    assert b"Martin" not in everything  # Alice's last name
    summary = archive.read("index.html").decode()
    assert "Zézé977" in summary
    assert "Allée des Hirondelles" in summary


def about_her_account(row: Any, user_id: int) -> bool:
    return bool(row.target_type == "accounts.user" and row.target_id == str(user_id))


def test_it_keeps_out_of_a_moderator_s_copy_the_words_she_edited_out_of_an_alert(
    personas: Personas,
) -> None:
    live(zephyrine(personas), personas)  # Carol approved her alert without its house number
    carol = log_in_as(Client(), personas.carol, second_factor=True)

    export_id = ask(carol, password=PASSWORD, second_factor_code=totp_code(personas.carol)).json()[
        "id"
    ]
    run_tasks()
    archive = archive_of(carol, export_id)

    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"alert.approved" in everything  # what Carol did is there
    assert "977 Allée des Hirondelles".encode() not in everything  # not what the author wrote


def test_it_records_no_copy_and_tells_no_one_when_the_account_goes_during_the_build(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vigie.privacy import export
    from vigie.privacy.actions import do_erase_account, exports_dir
    from vigie.privacy.erasure import Contributions

    client = log_in_as(Client(), personas.alice)
    export_id = ask(client, password=PASSWORD).json()["id"]
    write_archive = export.write_archive

    def erased_meanwhile(user: Any, target: Any) -> int:
        size = write_archive(user, target)
        do_erase_account(
            personas.alice, acting_user=None, contributions=Contributions.DELETE, reason="test"
        )
        return size

    monkeypatch.setattr(export, "write_archive", erased_meanwhile)
    mail.outbox.clear()
    run_tasks()

    assert not DataExport.objects.filter(pk=export_id).exists()
    assert not OutgoingEmail.objects.filter(kind="data_export_ready").exists()
    assert list(exports_dir().glob("*.zip")) == []
    assert all(personas.alice.email not in message.to for message in mail.outbox)


def test_it_lets_only_its_owner_download_it_once_within_a_day(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)
    export_id = ask(alice, password=PASSWORD).json()["id"]
    run_tasks()
    found = DataExport.objects.get(pk=export_id)
    path = found.file_name

    strangers = [
        log_in_as(Client(), personas.mallory).get(f"/api/v1/me/export/{export_id}/download"),
        log_in_as(Client(), personas.bob).get(f"/api/v1/me/export/{export_id}/download"),
        Client().get(f"/api/v1/me/export/{export_id}/download"),
        log_in_as(Client(), personas.mallory).post(
            f"/compte/donnees/copies/{export_id}/telecharger/"
        ),
    ]
    first = alice.post(f"/compte/donnees/copies/{export_id}/telecharger/")
    b"".join(first.streaming_content)  # type: ignore[attr-defined]
    second = alice.get(f"/api/v1/me/export/{export_id}/download")

    assert [answer.status_code for answer in strangers] == [404, 404, 401, 404]
    assert first.status_code == 200
    assert first["Content-Disposition"].startswith("attachment")
    assert second.status_code == 404
    found.refresh_from_db()
    assert found.state == ExportState.DOWNLOADED
    from vigie.privacy.actions import exports_dir

    assert not (exports_dir() / path).exists()
    assert len(mail.outbox) == 1
    assert "/compte/donnees/" in mail.outbox[0].body


def test_it_expires_a_copy_not_downloaded_within_a_day(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    from vigie.privacy.actions import exports_dir
    from vigie.privacy.retention import purge_exports

    alice = log_in_as(Client(), personas.alice)
    export_id = ask(alice, password=PASSWORD).json()["id"]
    run_tasks()
    file_name = DataExport.objects.get(pk=export_id).file_name
    assert (exports_dir() / file_name).exists()

    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        late = alice.get(f"/api/v1/me/export/{export_id}/download")
        with django_capture_on_commit_callbacks(execute=True):
            purge_exports(timezone.now(), dry_run=False)

    assert late.status_code == 404
    assert DataExport.objects.get(pk=export_id).state == ExportState.EXPIRED
    assert not (exports_dir() / file_name).exists()


def test_it_asks_again_for_the_password_and_the_second_factor(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)
    carol = log_in_as(Client(), personas.carol, second_factor=True)

    answers = [
        ask(alice),
        ask(alice, password="wrong password"),
        ask(carol, password=PASSWORD),
        ask(carol, password=PASSWORD, second_factor_code="000000"),
        alice.post("/compte/donnees/", {"password": "wrong"}),
    ]

    assert [answer.status_code for answer in answers] == [422, 422, 422, 422, 422]
    assert answers[1].json()["code"] == "reauthentication_failed"
    assert "second_factor_code" in json.dumps(answers[2].json())
    assert not DataExport.objects.exists()


def test_it_builds_a_copy_asked_for_on_the_page_and_offers_it_there(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)

    asked = alice.post("/compte/donnees/", {"password": PASSWORD})
    twice = ask(alice, password=PASSWORD)
    run_tasks()
    page = alice.get("/compte/donnees/").content.decode()

    assert asked.status_code == 302
    assert twice.status_code == 409
    assert twice.json()["code"] == "export_pending"
    export = DataExport.objects.get()
    assert export.state == ExportState.READY
    assert f"/compte/donnees/copies/{export.pk}/telecharger/" in page
    listed = alice.get("/api/v1/me/export").json()
    assert listed[0]["download_url"] == f"/api/v1/me/export/{export.pk}/download"
