"""Alerts reaching people: preferences, quiet hours, the digest, and each channel for real."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from datetime import time as clock
from email import message_from_bytes
from email import policy as email_policy
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from vigie.notifications.emails import stable_message_id
from vigie.notifications.models import (
    Channel,
    ChannelPreference,
    Delivery,
    DeliveryState,
    NotificationSettings,
    PhoneNumber,
    PushSubscription,
)
from vigie.notifications.push_standin import PushStandIn
from vigie.notifications.sms.providers import FileSmsProvider
from vigie.notifications.sms.webhook import sign
from vigie.notifications.vapid import vapid_keys
from vigie.test import (
    Personas,
    Response,
    give_verified_phone,
    gone_account_id,
    log_in_as,
    neighbourhood_a,
    run_tasks,
)

pytestmark = pytest.mark.django_db


def send_alert(client: Client, **fields: Any) -> int:
    body = {
        "category": "scam",
        "happened_at": timezone.now().isoformat(),
        "place": "Rue des Lilas",
        "description": "Un faux agent des eaux sonne aux portes ce matin.",
        **fields,
    }
    answer = client.post(
        f"/api/v1/communities/{neighbourhood_a().pk}/alerts", body, content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    identifier: int = answer.json()["id"]
    return identifier


def channels_of(alert_id: int, email: str) -> dict[str, str]:
    """The deliveries the fan-out made for this person (sending them is not run here)."""
    from vigie.alerts.tasks import fan_out_alert

    fan_out_alert.call(alert_id)
    return {
        delivery.channel: delivery.state
        for delivery in Delivery.objects.filter(subject_id=alert_id, recipient__email=email)
    }


def test_it_follows_the_defaults_push_always_sms_urgent_email_otherwise(
    personas: Personas,
) -> None:
    give_verified_phone(personas.alice)
    PushSubscription.objects.create(
        user=personas.alice, endpoint="http://127.0.0.1:9/push/x", p256dh="k", auth="a"
    )
    dave = log_in_as(Client(), personas.dave)

    normal = send_alert(dave)
    urgent = send_alert(dave, urgency="urgent", place="Rue Neuve", category="fire")

    assert set(channels_of(normal, "alice@example.org")) == {"in_app", "push", "email"}
    assert set(channels_of(urgent, "alice@example.org")) == {"in_app", "push", "sms"}


def test_it_follows_a_persons_choices_per_category(personas: Personas) -> None:
    give_verified_phone(personas.alice)
    alice = log_in_as(Client(), personas.alice)
    saved = alice.put(
        "/api/v1/me/notification-preferences",
        {
            "channels": [
                {"category": "scam", "channel": "email", "when": "never"},
                {"category": "scam", "channel": "sms", "when": "always"},
            ]
        },
        content_type="application/json",
    )
    dave = log_in_as(Client(), personas.dave)

    alert_id = send_alert(dave)

    assert saved.status_code == 200
    chosen = {(c["category"], c["channel"]): c["when"] for c in saved.json()["channels"]}
    assert chosen[("scam", "sms")] == "always"
    assert chosen[("burglary", "sms")] == "urgent"  # untouched: the default
    assert set(channels_of(alert_id, "alice@example.org")) == {"in_app", "sms"}


def test_it_refuses_an_unknown_choice_and_changes_nothing(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)

    answer = alice.put(
        "/api/v1/me/notification-preferences",
        {"channels": [{"category": "dragons", "channel": "email", "when": "never"}]},
        content_type="application/json",
    )

    assert answer.status_code == 422
    assert not ChannelPreference.objects.exists()


def test_it_holds_non_urgent_pushes_in_quiet_hours_but_not_urgent_ones(
    personas: Personas,
) -> None:
    PushSubscription.objects.create(
        user=personas.alice, endpoint="http://127.0.0.1:9/push/x", p256dh="k", auth="a"
    )
    NotificationSettings.objects.create(
        user=personas.alice, quiet_from=clock(22, 0), quiet_until=clock(7, 0)
    )
    dave = log_in_as(Client(), personas.dave)
    night = datetime(2026, 11, 26, 23, 30, tzinfo=timezone.get_current_timezone())

    with time_machine.travel(night, tick=False):
        normal = send_alert(dave, happened_at=night.isoformat())
        urgent = send_alert(
            dave, urgency="urgent", place="Rue Neuve", happened_at=night.isoformat()
        )
        states = channels_of(normal, "alice@example.org")
        urgent_states = channels_of(urgent, "alice@example.org")
    held = Delivery.objects.get(subject_id=normal, recipient=personas.alice, channel="push")

    assert states["push"] == held.state == DeliveryState.HELD
    assert timezone.localtime(held.send_after).time() == clock(7, 0)
    assert urgent_states["push"] == DeliveryState.PENDING


def test_it_gathers_non_urgent_emails_in_a_daily_digest(
    personas: Personas, settings: Settings
) -> None:
    from vigie.notifications.actions import do_send_digests

    NotificationSettings.objects.create(user=personas.alice, digest=True)
    dave = log_in_as(Client(), personas.dave)
    first = send_alert(dave)
    second = send_alert(dave, place="Rue Neuve", category="vandalism")
    run_tasks()
    assert [m.to for m in mail.outbox] == []  # nothing yet: the digest's hour has not come

    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        do_send_digests()
        run_tasks()

    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert "Rue des Lilas" in mail.outbox[0].body
    assert "Rue Neuve" in mail.outbox[0].body
    for alert_id in (first, second):
        assert channels_of(alert_id, "alice@example.org")["email"] == DeliveryState.SENT


def test_it_cancels_a_held_digest_delivery_whose_account_is_gone(
    personas: Personas, settings: Settings
) -> None:
    from vigie.notifications.actions import do_send_digests

    NotificationSettings.objects.create(user=personas.alice, digest=True)
    send_alert(log_in_as(Client(), personas.dave))
    run_tasks()
    kept = Delivery.objects.get(recipient=personas.alice, channel="email")
    # No foreign key in the database: a delivery can outlive an account deleted behind
    # Django's back.
    nobody = gone_account_id()
    orphan = Delivery.objects.create(
        subject_type=kept.subject_type,
        subject_id=kept.subject_id,
        recipient_id=nobody,
        channel="email",
        state=DeliveryState.HELD,
        send_after=kept.send_after,
        digest=True,
    )

    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        do_send_digests()
        run_tasks()

    orphan.refresh_from_db()
    assert orphan.state == DeliveryState.CANCELLED
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp_server(settings: Settings) -> Iterator[Sink]:
    sink = Sink()
    with socket.socket() as probe:  # a free port: aiosmtpd checks it answers at start
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    yield sink
    controller.stop()


def test_it_speaks_smtp_to_a_real_server_with_a_stable_message_id(
    personas: Personas, smtp_server: Sink
) -> None:
    dave = log_in_as(Client(), personas.dave)
    alert_id = send_alert(dave)

    run_tasks()

    [(recipients, content)] = smtp_server.messages
    message = message_from_bytes(content, policy=email_policy.default)
    delivery = Delivery.objects.get(subject_id=alert_id, channel=Channel.EMAIL)
    assert recipients == ["alice@example.org"]
    # The same at every attempt, and no sequential id a recipient could count by.
    assert message["Message-ID"] == stable_message_id(delivery)
    assert re.fullmatch(r"<[0-9a-f]{32}@127\.0\.0\.1>", message["Message-ID"])
    # Python folds an encoded subject onto its own line: the unfolding leaves a space.
    subject = "Alerte : Tentative d’escroquerie, Rue des Lilas"  # noqa: RUF001 - French apostrophe
    assert message["Subject"].strip() == subject
    body = message.get_content()
    assert "Un faux agent des eaux sonne aux portes ce matin." in body
    assert f"/alertes/{alert_id}/" in body


@pytest.fixture
def push_service() -> Iterator[PushStandIn]:
    standin = PushStandIn(application_server_key=vapid_keys().public_key).start()
    yield standin
    standin.stop()


def test_it_pushes_an_alert_through_web_push_to_the_browsers_service(
    personas: Personas, push_service: PushStandIn
) -> None:
    target, subscription_id = push_service.new_subscription()
    alice = log_in_as(Client(), personas.alice)
    subscribed = alice.post(
        "/api/v1/me/push-subscriptions",
        {"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}},
        content_type="application/json",
    )
    dave = log_in_as(Client(), personas.dave)

    alert_id = send_alert(dave, urgency="urgent")
    run_tasks()

    assert subscribed.status_code == 201
    [received] = push_service.received
    assert received.subscription_id == subscription_id
    assert received.urgency == "high"
    assert received.payload["tag"] == f"alert-{alert_id}"
    assert received.payload["url"] == f"/alertes/{alert_id}/"
    assert "Rue des Lilas" in str(received.payload["title"])
    assert channels_of(alert_id, "alice@example.org")["push"] == DeliveryState.SENT


def test_it_forgets_a_push_subscription_the_browser_dropped(
    personas: Personas, push_service: PushStandIn
) -> None:
    target, subscription_id = push_service.new_subscription()
    PushSubscription.objects.create(
        user=personas.alice, endpoint=target.endpoint, p256dh=target.p256dh, auth=target.auth
    )
    push_service.expire(subscription_id)
    dave = log_in_as(Client(), personas.dave)

    alert_id = send_alert(dave)
    run_tasks()

    assert channels_of(alert_id, "alice@example.org")["push"] == DeliveryState.FAILED
    assert not PushSubscription.objects.exists()


def test_it_refuses_a_push_endpoint_that_is_no_push_service(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)

    answer = alice.post(
        "/api/v1/me/push-subscriptions",
        {"endpoint": "https://intranet.example.org/admin", "keys": {"p256dh": "x", "auth": "y"}},
        content_type="application/json",
    )

    assert answer.status_code == 422
    assert not PushSubscription.objects.exists()


def outbox(settings: Settings) -> list[dict[str, Any]]:
    return FileSmsProvider(settings.DATA_DIR / "sms" / "outbox").messages()


def test_it_proves_a_mobile_number_with_a_code_sent_by_sms(
    personas: Personas, settings: Settings
) -> None:
    alice = log_in_as(Client(), personas.alice)

    asked = alice.put("/api/v1/me/phone", {"number": "06 12 34 56 78"}, "application/json")
    run_tasks()
    [text] = outbox(settings)
    code = next(word for word in text["text"].split() if word.rstrip(".").isdigit()).rstrip(".")
    wrong = alice.post("/api/v1/me/phone/verify", {"code": "000000"}, "application/json")
    right = alice.post("/api/v1/me/phone/verify", {"code": code}, "application/json")

    assert asked.status_code == 202
    assert text["to"] == "+33612345678"
    assert (wrong.status_code, wrong.json()["code"]) == (422, "wrong_code")
    assert right.json() == {"number": "•• •• •• •• 78", "verified": True}
    phone = PhoneNumber.objects.get()
    assert phone.verified_at is not None
    assert phone.code_attempts == 1
    assert code not in phone.code_hash


def sent_code(settings: Settings) -> str:
    text = outbox(settings)[-1]["text"]
    return next(word.rstrip(".") for word in text.split() if word.rstrip(".").isdigit())


def test_it_gives_a_number_to_the_account_that_enters_its_code(
    personas: Personas, settings: Settings
) -> None:
    give_verified_phone(personas.dave)
    alice = log_in_as(Client(), personas.alice)

    asked = alice.put("/api/v1/me/phone", {"number": "06 12 34 56 78"}, "application/json")
    run_tasks()
    right = alice.post("/api/v1/me/phone/verify", {"code": sent_code(settings)}, "application/json")

    # Claiming a number someone holds says nothing about them; the code decides.
    assert asked.status_code == 202
    assert right.json()["verified"] is True
    assert list(PhoneNumber.objects.values_list("user", flat=True)) == [personas.alice.pk]


def test_it_refuses_a_landline_for_sms(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)

    answer = alice.put("/api/v1/me/phone", {"number": "01 23 45 67 89"}, "application/json")

    assert answer.status_code == 422
    assert not PhoneNumber.objects.exists()


def inbound(client: Client, body: dict[str, Any], *, secret: str) -> Response:
    raw = json.dumps(body).encode()
    stamp = int(time.time())
    return client.post(
        "/api/v1/sms/inbound",
        raw,
        content_type="application/json",
        HTTP_X_VIGIE_TIMESTAMP=str(stamp),
        HTTP_X_VIGIE_SIGNATURE=sign(raw, secret=secret, timestamp=stamp),
    )


def test_it_turns_a_text_from_a_verified_number_into_an_alert_for_the_team(
    personas: Personas, settings: Settings
) -> None:
    from vigie.alerts.models import Alert

    settings.SMS_WEBHOOK_SECRET = "webhook-secret-for-tests"
    give_verified_phone(personas.alice)
    text = {
        "id": "ovh-1",
        "from": "+33612345678",
        "text": "Deux hommes essaient d'ouvrir les voitures rue des Lilas",
        "received_at": timezone.now().isoformat(),
    }

    first = inbound(Client(), text, secret="webhook-secret-for-tests")
    again = inbound(Client(), text, secret="webhook-secret-for-tests")
    forged = inbound(Client(), {**text, "id": "ovh-2"}, secret="not-the-secret")
    stranger = inbound(
        Client(), {**text, "id": "ovh-3", "from": "+33699999999"}, secret="webhook-secret-for-tests"
    )

    assert first.json() == again.json() == {"outcome": "alert"}
    assert (forged.status_code, forged.json()["code"]) == (403, "bad_signature")
    assert stranger.json() == {"outcome": "unknown_number"}
    alert = Alert.objects.get()
    assert (alert.author, alert.state, alert.source) == (personas.alice, "pending", "sms")
    assert "ouvrir les voitures" in alert.description


def test_it_refuses_every_text_without_a_configured_secret(personas: Personas) -> None:
    give_verified_phone(personas.alice)
    text = {
        "id": "x",
        "from": "+33612345678",
        "text": "Bonjour",
        "received_at": "2026-11-26T10:00:00+00:00",
    }

    answer = inbound(Client(), text, secret="")

    assert answer.status_code == 403


def test_it_texts_a_long_french_alert_in_one_gsm_segment_with_its_link(
    personas: Personas, settings: Settings
) -> None:
    give_verified_phone(personas.alice)
    dave = log_in_as(Client(), personas.dave)

    alert_id = send_alert(
        dave,
        category="burglary",
        urgency="urgent",
        place="Rue des Lilas",
        description="Deux hommes ont forcé la fenêtre d'une maison à l'angle de la rue, "
        "puis sont repartis à pied vers la gare en emportant un sac.",
    )
    run_tasks()

    [text] = outbox(settings)
    assert text["encoding"] == "GSM-7"
    assert text["segments"] == 1
    assert text["text"].endswith(f"/alertes/{alert_id}/")
    assert "..." in text["text"]
