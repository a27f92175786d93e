from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

import pytest
from django.conf import settings
from pytest_django.fixtures import Settings

from vigie.notifications.errors import PermanentFailure
from vigie.notifications.sms.providers import FileSmsProvider, OvhSmsProvider, sms_provider


def outbox() -> Path:
    return Path(settings.DATA_DIR) / "sms" / "outbox"


def test_it_writes_each_message_as_a_private_json_file_in_the_outbox() -> None:
    message_id = sms_provider().send(
        to="+33612345678",
        text="Votre code Vigie : 482913 (valable 15 min, 5 €)",
        reference="delivery-1",
    )

    path = outbox() / "delivery-1.json"
    record = json.loads(path.read_text())
    assert record["id"] == message_id
    assert record["to"] == "+33612345678"
    assert record["text"] == "Votre code Vigie : 482913 (valable 15 min, 5 €)"
    assert record["reference"] == "delivery-1"
    assert record["encoding"] == "GSM-7"
    assert record["segments"] == 1
    assert record["sent_at"].endswith("+00:00")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(outbox().stat().st_mode) == 0o700
    assert stat.S_IMODE(outbox().parent.stat().st_mode) == 0o700
    assert [p.name for p in outbox().iterdir()] == ["delivery-1.json"]  # no temporary left


def test_it_records_the_ucs2_encoding_and_segments_of_a_long_text() -> None:
    sms_provider().send(to="+33612345678", text="ça " * 30, reference="delivery-2")

    record = json.loads((outbox() / "delivery-2.json").read_text())
    assert (record["encoding"], record["segments"]) == ("UCS-2", 2)


def test_it_sends_a_reference_once_and_answers_the_first_id_again() -> None:
    provider = sms_provider()
    first = provider.send(to="+33612345678", text="Code 111111", reference="delivery-3")

    second = provider.send(to="+33612345678", text="Code 222222", reference="delivery-3")

    assert second == first
    assert len(list(outbox().glob("*.json"))) == 1
    assert json.loads((outbox() / "delivery-3.json").read_text())["text"] == "Code 111111"


def test_it_writes_a_reference_once_when_workers_send_it_at_the_same_time() -> None:
    provider = FileSmsProvider(outbox())
    start = threading.Barrier(8)
    ids: list[str] = []

    def send() -> None:
        start.wait()
        ids.append(provider.send(to="+33612345678", text="Code", reference="delivery-4"))

    workers = [threading.Thread(target=send) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert len(set(ids)) == 1
    assert [p.name for p in outbox().iterdir()] == ["delivery-4.json"]


@pytest.mark.parametrize("reference", ["", "../escape", "a/b", ".hidden", "delivery 5", "x" * 101])
def test_it_refuses_a_reference_that_cannot_name_a_file_safely(reference: str) -> None:
    with pytest.raises(ValueError, match="reference"):
        sms_provider().send(to="+33612345678", text="Code", reference=reference)


def test_it_refuses_a_number_not_in_e164_like_a_provider_would() -> None:
    with pytest.raises(PermanentFailure):
        sms_provider().send(to="06 12 34 56 78", text="Code", reference="delivery-6")

    assert not outbox().exists()


def test_it_refuses_an_empty_text() -> None:
    with pytest.raises(PermanentFailure):
        sms_provider().send(to="+33612345678", text="", reference="delivery-7")


def test_it_lists_the_outbox_oldest_first_for_demos_and_tests() -> None:
    provider = FileSmsProvider(outbox())
    assert provider.messages() == []
    provider.send(to="+33612345678", text="premier", reference="delivery-8")
    provider.send(to="+33698765432", text="second", reference="delivery-9")

    assert [message["text"] for message in provider.messages()] == ["premier", "second"]


def test_it_picks_the_provider_the_settings_name(settings: Settings) -> None:
    assert isinstance(sms_provider(), FileSmsProvider)

    settings.SMS_PROVIDER = "ovh"
    settings.OVH_ENDPOINT = "ovh-eu"
    settings.OVH_SMS_SERVICE = "sms-ab12345-1"
    settings.OVH_SMS_SENDER = "Vigie"

    provider = sms_provider()
    assert isinstance(provider, OvhSmsProvider)
    assert (provider.endpoint, provider.service, provider.sender) == (
        "ovh-eu",
        "sms-ab12345-1",
        "Vigie",
    )
