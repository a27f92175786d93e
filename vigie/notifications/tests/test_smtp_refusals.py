"""A mail server's refusal: a 5xx is final (recorded with its code), a 4xx is tried again."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from pytest_django.fixtures import Settings

from vigie.alerts.tasks import fan_out_alert
from vigie.notifications.actions import queue_email
from vigie.notifications.emails import smtp_failure
from vigie.notifications.errors import PermanentFailure, TemporaryFailure
from vigie.notifications.models import (
    Channel,
    ChannelPreference,
    Delivery,
    DeliveryState,
    DeliveryStatus,
    OutgoingEmail,
)
from vigie.notifications.tasks import send_deliveries
from vigie.test import Personas, give_home, home, make_user, run_tasks, urgent_burglary_alert

pytestmark = pytest.mark.django_db


class Picky:
    """An SMTP server answering each recipient as told; the others get their message."""

    def __init__(self) -> None:
        self.replies: dict[str, str] = {}
        self.data_reply = "250 OK"
        self.received: list[str] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        reply = self.replies.get(address, "250 OK")
        if reply.startswith("250"):
            envelope.rcpt_tos.append(address)
        return reply

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.data_reply.startswith("250"):
            self.received.extend(envelope.rcpt_tos)
        return self.data_reply


@pytest.fixture
def smtp_server(settings: Settings) -> Iterator[Picky]:
    picky = Picky()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(picky, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    yield picky
    controller.stop()


def alert_emails(personas: Personas, count: int) -> list[int]:
    """An urgent alert whose neighbours all want it by e-mail; its deliveries, not sent yet."""
    for number in range(count):
        user = make_user(f"voisin{number}@example.org", f"Voisin{number}", "Lilas")
        give_home(
            user,
            home("Rue des Lilas", 300 + number, ban_street=1),
            verified=True,
            by=personas.carol,
        )
        ChannelPreference.objects.create(
            user=user, category="burglary", channel="email", when="always"
        )
    alert = urgent_burglary_alert(personas.dave)
    fan_out_alert.call(alert.pk)
    return sorted(
        Delivery.objects.filter(subject_id=alert.pk, channel=Channel.EMAIL).values_list(
            "pk", flat=True
        )
    )


@pytest.mark.usefixtures("address_reference")
def test_it_gives_up_an_alert_email_the_server_refuses_for_good_and_sends_the_others(
    personas: Personas, smtp_server: Picky
) -> None:
    ids = alert_emails(personas, 3)
    smtp_server.replies = {
        "voisin0@example.org": "550 5.1.1 No such mailbox",
        "voisin1@example.org": "452 4.2.2 Mailbox full, try later",
    }

    send_deliveries.call(ids)

    by_address = {
        delivery.recipient.email: delivery
        for delivery in Delivery.objects.filter(pk__in=ids).select_related("recipient")
    }
    refused, full = by_address["voisin0@example.org"], by_address["voisin1@example.org"]
    assert (refused.state, refused.attempts) == (DeliveryState.FAILED, 1)
    assert "550" in refused.last_error
    assert "voisin0" not in refused.last_error  # the code and the server's words, no address
    assert (full.state, full.attempts) == (DeliveryState.PENDING, 1)
    assert "452" in full.last_error
    assert by_address["voisin2@example.org"].state == DeliveryState.SENT
    # The refusals did not end the session: the message after them left.
    assert "voisin2@example.org" in smtp_server.received


@pytest.mark.usefixtures("address_reference")
def test_it_gives_up_a_message_the_server_refuses_after_reading_it(
    personas: Personas, smtp_server: Picky
) -> None:
    [delivery_id] = alert_emails(personas, 1)
    smtp_server.data_reply = "554 5.6.0 Message content rejected"

    send_deliveries.call([delivery_id])

    delivery = Delivery.objects.get(pk=delivery_id)
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 1)
    assert "SMTPDataError 554" in delivery.last_error


def queue_reset_for(user_id: int) -> OutgoingEmail:
    with transaction.atomic():
        return queue_email("password_reset", to="alice@example.org", language="fr", user_id=user_id)


def test_it_gives_up_a_queued_email_refused_for_good_without_retrying(
    personas: Personas, smtp_server: Picky
) -> None:
    smtp_server.replies = {"alice@example.org": "550 5.1.1 No such mailbox"}
    email = queue_reset_for(personas.alice.pk)

    run_tasks()

    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == (
        DeliveryStatus.FAILED,
        1,
        None,
    )
    assert "550" in email.last_error


def test_it_tries_a_queued_email_again_after_a_temporary_refusal(
    personas: Personas, smtp_server: Picky
) -> None:
    smtp_server.replies = {"alice@example.org": "451 4.3.2 Try again later"}
    email = queue_reset_for(personas.alice.pk)

    run_tasks()

    email.refresh_from_db()
    assert (email.status, email.attempts) == (DeliveryStatus.QUEUED, 1)
    assert email.next_attempt_at is not None
    assert "451" in email.last_error


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (smtplib.SMTPSenderRefused(553, b"5.7.1 Sender not allowed", "vigie@x"), PermanentFailure),
        (smtplib.SMTPSenderRefused(451, b"4.3.0 Local error", "vigie@x"), TemporaryFailure),
        (smtplib.SMTPDataError(552, b"5.3.4 Message too big"), PermanentFailure),
        (
            smtplib.SMTPRecipientsRefused({"a@x": (550, b"no"), "b@x": (451, b"later")}),
            TemporaryFailure,
        ),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), TemporaryFailure),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"), TemporaryFailure),
        (ConnectionRefusedError(111, "Connection refused"), TemporaryFailure),
    ],
)
def test_it_tells_a_final_smtp_refusal_from_one_worth_retrying(
    error: Exception, kind: type[Exception]
) -> None:
    failure = smtp_failure(error)

    assert type(failure) is kind


@pytest.mark.usefixtures("address_reference")
def test_it_leaves_the_rest_of_a_chunk_for_later_when_the_server_is_gone(
    personas: Personas, smtp_server: Picky
) -> None:
    ids = alert_emails(personas, 3)

    with mock.patch.object(
        smtplib.SMTP, "sendmail", side_effect=smtplib.SMTPServerDisconnected("gone")
    ) as sendmail:
        send_deliveries.call(ids)

    assert sendmail.call_count == 1  # not each in turn, each waiting for its timeout
    assert set(Delivery.objects.filter(pk__in=ids).values_list("state", "attempts")) == {
        (DeliveryState.PENDING, 1)
    }
