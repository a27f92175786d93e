from __future__ import annotations

from collections import Counter
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from vigie.notifications.actions import queue_email
from vigie.notifications.models import DeliveryStatus, OutgoingEmail
from vigie.test import Personas, run_tasks

pytestmark = pytest.mark.django_db


def queue_reset_for(user_id: int) -> OutgoingEmail:
    with transaction.atomic():
        return queue_email("password_reset", to="alice@example.org", language="fr", user_id=user_id)


def test_it_sends_after_commit_through_the_worker(personas: Personas) -> None:
    email = queue_reset_for(personas.alice.pk)

    assert mail.outbox == []
    run_tasks()

    email.refresh_from_db()
    assert email.status == DeliveryStatus.SENT
    assert email.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_it_retries_a_failing_provider_then_records_success(personas: Personas) -> None:
    email = queue_reset_for(personas.alice.pk)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        with mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=ConnectionRefusedError("smtp down"),
        ):
            run_tasks()
        email.refresh_from_db()
        assert email.status == DeliveryStatus.QUEUED
        assert email.attempts == 1
        assert "ConnectionRefusedError" in email.last_error
        assert run_tasks() == 0  # not before its time

        traveller.shift(timedelta(minutes=2))
        run_tasks()

    email.refresh_from_db()
    assert email.status == DeliveryStatus.SENT
    assert email.attempts == 2
    assert len(mail.outbox) == 1


def test_it_gives_up_after_the_last_attempt_and_says_so(personas: Personas) -> None:
    email = queue_reset_for(personas.alice.pk)
    with (
        time_machine.travel(timezone.now(), tick=False) as traveller,
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=TimeoutError("timed out"),
        ),
    ):
        for _attempt in range(10):
            run_tasks()
            traveller.shift(timedelta(hours=2))

    email.refresh_from_db()
    assert email.status == DeliveryStatus.FAILED
    assert email.attempts == 6
    assert mail.outbox == []


def test_it_cancels_a_message_that_no_longer_applies(personas: Personas) -> None:
    email = queue_reset_for(personas.alice.pk)
    personas.alice.is_active = False
    personas.alice.save()

    run_tasks()

    email.refresh_from_db()
    assert email.status == DeliveryStatus.CANCELLED
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_queue_outside_a_transaction(personas: Personas) -> None:
    with pytest.raises(RuntimeError):
        queue_email("password_reset", to="alice@example.org", language="fr")


def test_it_sends_the_same_message_id_again_when_a_killed_worker_never_recorded_it(
    personas: Personas,
) -> None:
    from vigie.notifications.emails import stable_message_id
    from vigie.notifications.tasks import send_email

    email = queue_reset_for(personas.alice.pk)
    other = queue_reset_for(personas.alice.pk)
    # The server accepted the message; the worker died before writing it down.
    with mock.patch("vigie.notifications.actions.do_record_email_sent"):
        send_email.call(email.pk)
    run_tasks()

    email.refresh_from_db()
    assert email.status == DeliveryStatus.SENT
    sent = Counter(message.extra_headers["Message-ID"] for message in mail.outbox)
    assert sent[stable_message_id(email)] == 2  # the receiver keeps one
    assert sent[stable_message_id(other)] == 1
    assert len(sent) == 2
