from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from vigie.notifications.errors import PermanentFailure, RecipientGone, TemporaryFailure
from vigie.notifications.sms.ovh_standin import OvhStandIn
from vigie.notifications.sms.providers import OvhSmsProvider, SmsProvider, sms_provider


@pytest.fixture
def ovh_api(settings: Settings) -> Iterator[OvhStandIn]:
    standin = OvhStandIn().start()
    settings.SMS_PROVIDER = "ovh"
    settings.OVH_ENDPOINT = standin.endpoint
    settings.OVH_APPLICATION_KEY = standin.application_key
    settings.OVH_APPLICATION_SECRET = standin.application_secret
    settings.OVH_CONSUMER_KEY = standin.consumer_key
    settings.OVH_SMS_SERVICE = standin.service
    settings.OVH_SMS_SENDER = "Vigie"
    yield standin
    standin.stop()


def provider_for(
    standin: OvhStandIn,
    *,
    application_secret: str | None = None,
    consumer_key: str | None = None,
    service: str | None = None,
) -> OvhSmsProvider:
    return OvhSmsProvider(
        endpoint=standin.endpoint,
        application_key=standin.application_key,
        application_secret=(
            standin.application_secret if application_secret is None else application_secret
        ),
        consumer_key=consumer_key or standin.consumer_key,
        service=service or standin.service,
        sender="Vigie",
    )


def test_it_sends_a_signed_job_and_answers_the_ovh_message_id(ovh_api: OvhStandIn) -> None:
    message_id = sms_provider().send(
        to="+33612345678", text="Vigie : votre code est 482913", reference="delivery-123"
    )

    [sent] = ovh_api.sent
    assert message_id == str(sent.id)
    assert sent.receiver == "+33612345678"
    assert sent.message == "Vigie : votre code est 482913"
    assert sent.sender == "Vigie"
    assert (sent.coding, sent.charset, sent.priority) == ("7bit", "UTF-8", "high")
    assert sent.no_stop_clause is False
    assert sent.tag == "delivery-123"
    assert ovh_api.requests == [
        ("GET", "/1.0/auth/time"),
        ("POST", f"/1.0/sms/{ovh_api.service}/jobs"),
    ]


@pytest.mark.parametrize(
    ("text", "coding"),
    [
        ("Ça y est, réunion à 19h", "7bit"),  # Ç is in the GSM table
        ("Réunion à 19h, ça y est", "8bit"),  # ç is not
        ("Cotisation : 5 €", "7bit"),
        ("Fête des voisins", "8bit"),
    ],
)
def test_it_chooses_the_coding_from_the_text(ovh_api: OvhStandIn, text: str, coding: str) -> None:
    sms_provider().send(to="+33612345678", text=text, reference="delivery-1")

    assert ovh_api.sent[0].coding == coding
    assert ovh_api.sent[0].message == text


def test_it_keeps_the_first_20_characters_of_a_long_reference_as_the_tag(
    ovh_api: OvhStandIn,
) -> None:
    sms_provider().send(to="+33612345678", text="Code", reference="delivery-1234567890123")

    assert ovh_api.sent[0].tag == "delivery-12345678901"


def test_it_gives_up_when_the_secret_is_wrong_since_the_signature_cannot_match(
    ovh_api: OvhStandIn,
) -> None:
    provider = provider_for(ovh_api, application_secret="not-the-secret")

    with pytest.raises(PermanentFailure, match="400") as failure:
        provider.send(to="+33612345678", text="Code", reference="delivery-1")

    assert not isinstance(failure.value, RecipientGone)
    assert "Invalid signature" in str(failure.value)
    assert ovh_api.sent == []


def test_it_gives_up_when_the_consumer_key_is_unknown(ovh_api: OvhStandIn) -> None:
    provider = provider_for(ovh_api, consumer_key="revoked")

    with pytest.raises(PermanentFailure, match="403"):
        provider.send(to="+33612345678", text="Code", reference="delivery-1")


def test_it_gives_up_when_the_sms_service_does_not_exist(ovh_api: OvhStandIn) -> None:
    provider = provider_for(ovh_api, service="sms-zz99999-1")

    with pytest.raises(PermanentFailure, match="404"):
        provider.send(to="+33612345678", text="Code", reference="delivery-1")


def test_it_gives_up_without_calling_when_the_secret_is_missing(ovh_api: OvhStandIn) -> None:
    provider = provider_for(ovh_api, application_secret="")

    with pytest.raises(PermanentFailure, match="misconfigured"):
        provider.send(to="+33612345678", text="Code", reference="delivery-1")

    assert ovh_api.requests == []


def test_it_reports_a_server_error_as_temporary_then_sends_on_the_next_attempt(
    ovh_api: OvhStandIn,
) -> None:
    provider = sms_provider()
    ovh_api.fail_next(1, status=500)

    with pytest.raises(TemporaryFailure, match="500"):
        provider.send(to="+33612345678", text="Code", reference="delivery-1")
    assert ovh_api.sent == []

    provider.send(to="+33612345678", text="Code", reference="delivery-1")
    assert len(ovh_api.sent) == 1


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_it_reports_throttling_and_gateway_errors_as_temporary(
    ovh_api: OvhStandIn, status: int
) -> None:
    ovh_api.fail_next(1, status=status)

    with pytest.raises(TemporaryFailure):
        sms_provider().send(to="+33612345678", text="Code", reference="delivery-1")


@pytest.mark.parametrize("status", [400, 403, 409])
def test_it_reports_other_client_errors_as_permanent(ovh_api: OvhStandIn, status: int) -> None:
    ovh_api.fail_next(1, status=status)

    with pytest.raises(PermanentFailure):
        sms_provider().send(to="+33612345678", text="Code", reference="delivery-1")


def test_it_reports_a_number_ovh_lists_as_invalid_as_gone(ovh_api: OvhStandIn) -> None:
    ovh_api.invalid_numbers.add("+33612345678")

    with pytest.raises(RecipientGone):
        sms_provider().send(to="+33612345678", text="Code", reference="delivery-1")

    assert ovh_api.sent == []


def test_it_reports_an_unreachable_api_as_temporary(settings: Settings) -> None:
    standin = OvhStandIn().start()
    provider = provider_for(standin)
    standin.stop()  # nothing listens on its port any more

    with pytest.raises(TemporaryFailure, match="unreachable"):
        provider.send(to="+33612345678", text="Code", reference="delivery-1")


def test_it_reports_an_api_that_never_answers_as_temporary() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # connections wait in the backlog; nothing ever answers
        port = silent.getsockname()[1]
        provider: SmsProvider = OvhSmsProvider(
            endpoint=f"http://127.0.0.1:{port}/1.0",
            application_key="key",
            application_secret="secret",
            consumer_key="consumer",
            service="sms-ab12345-1",
            sender="Vigie",
            timeout=(0.5, 0.5),
        )

        with pytest.raises(TemporaryFailure, match="unreachable"):
            provider.send(to="+33612345678", text="Code", reference="delivery-1")


def test_it_reuses_the_server_time_it_asked_once(ovh_api: OvhStandIn) -> None:
    provider = sms_provider()

    provider.send(to="+33612345678", text="Code", reference="delivery-1")
    provider.send(to="+33698765432", text="Code", reference="delivery-2")

    assert [path for _method, path in ovh_api.requests].count("/1.0/auth/time") == 1
    assert [sent.receiver for sent in ovh_api.sent] == ["+33612345678", "+33698765432"]


def test_it_never_follows_a_redirect_from_ovh() -> None:
    """ASVS 15.3.2: the signed request is not carried elsewhere; the redirect is a failure."""
    from vigie.lib.standin import Redirector

    redirector = Redirector(302).start()
    try:
        provider = OvhSmsProvider(
            endpoint=f"{redirector.base_url}/1.0",
            application_key="key",
            application_secret="secret",
            consumer_key="consumer",
            service="sms-ab12345-1",
            sender="Vigie",
        )
        with pytest.raises(PermanentFailure, match="redirected"):
            provider.send(to="+33612345678", text="Code", reference="delivery-1")
    finally:
        redirector.stop()

    assert redirector.requests == [("GET", "/1.0/auth/time")]
    assert not redirector.followed
