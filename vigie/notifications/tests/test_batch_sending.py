"""Sending by chunks: one claim per chunk, one check per subject, outcomes recorded together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vigie.accounts.models import User
from vigie.alerts.tasks import fan_out_alert
from vigie.notifications import actions
from vigie.notifications import tasks as notification_tasks
from vigie.notifications.channels import SENDERS, Parcel, Result, Sent
from vigie.notifications.errors import PermanentFailure, TemporaryFailure
from vigie.notifications.models import Channel, Delivery, DeliveryState, SmsUsage
from vigie.notifications.tasks import send_deliveries
from vigie.test import (
    Personas,
    give_home,
    give_verified_phone,
    gone_account_id,
    home,
    make_user,
    run_tasks,
    urgent_burglary_alert,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("address_reference")]


def neighbours(personas: Personas, count: int) -> None:
    for number in range(count):
        user = make_user(f"voisin{number}@example.org", f"Voisin{number}", "Lilas")
        give_home(
            user,
            home("Rue des Lilas", 300 + number, ban_street=1),
            verified=True,
            by=personas.carol,
        )
        give_verified_phone(user, f"+336{number:08d}")


def fanned_out(personas: Personas) -> list[int]:
    """An urgent alert's deliveries, created and not sent yet."""
    alert = urgent_burglary_alert(personas.dave)
    fan_out_alert.call(alert.pk)
    return sorted(Delivery.objects.filter(subject_id=alert.pk).values_list("pk", flat=True))


def test_it_claims_a_chunk_in_one_update_leaving_what_is_not_due(personas: Personas) -> None:
    neighbours(personas, 2)
    ids = fanned_out(personas)
    held, later, *ready = ids
    Delivery.objects.filter(pk=held).update(state=DeliveryState.HELD)
    Delivery.objects.filter(pk=later).update(send_after=timezone.now() + timedelta(hours=1))

    with CaptureQueriesContext(connection) as queries:
        claims = actions.do_claim_deliveries(ids)

    assert [claim.pk for claim in claims] == ready
    assert len({claim.claimed_at for claim in claims}) == 1
    assert len([q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]) == 1
    assert set(Delivery.objects.filter(pk__in=ready).values_list("state", flat=True)) == {
        DeliveryState.SENDING
    }
    assert Delivery.objects.get(pk=held).state == DeliveryState.HELD
    assert Delivery.objects.get(pk=later).state == DeliveryState.PENDING


def test_it_never_lets_two_workers_send_the_same_delivery(personas: Personas) -> None:
    neighbours(personas, 2)
    ids = fanned_out(personas)
    texts = list(
        Delivery.objects.filter(pk__in=ids, channel=Channel.SMS).values_list("pk", flat=True)
    )
    # Another worker holds the first SMS, mid-sending, when this one runs the same batch.
    [theirs] = actions.do_claim_deliveries(texts[:1])

    sent_here = send_deliveries.call(ids)
    again = send_deliveries.call(ids)  # a second task for the same batch (a requeue)

    assert sent_here == len(ids) - 1
    assert again == 0
    assert Delivery.objects.get(pk=theirs.pk).state == DeliveryState.SENDING
    assert actions.do_record_outcomes([actions.Outcome(theirs, sent=True, segments=1)]) == 1
    assert set(Delivery.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == {1}


def test_it_sends_a_bigger_batch_with_no_more_queries(personas: Personas) -> None:
    neighbours(personas, 8)
    ids = fanned_out(personas)
    recipients = sorted(
        set(Delivery.objects.filter(pk__in=ids).values_list("recipient", flat=True))
    )
    few = list(
        Delivery.objects.filter(pk__in=ids, recipient__in=recipients[:2]).values_list(
            "pk", flat=True
        )
    )
    many = list(
        Delivery.objects.filter(pk__in=ids, recipient__in=recipients[2:]).values_list(
            "pk", flat=True
        )
    )

    with CaptureQueriesContext(connection) as for_few:
        send_deliveries.call(few)
    with CaptureQueriesContext(connection) as for_many:
        send_deliveries.call(many)

    assert len(many) >= 3 * len(few)
    assert len(for_many.captured_queries) <= len(for_few.captured_queries)
    assert set(Delivery.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        DeliveryState.SENT
    }


def test_it_counts_the_sms_of_a_chunk_for_their_commune(personas: Personas) -> None:
    neighbours(personas, 3)
    ids = fanned_out(personas)
    texts = Delivery.objects.filter(pk__in=ids, channel=Channel.SMS).count()

    send_deliveries.call(ids)

    usage = SmsUsage.objects.get()
    assert usage.messages == texts == 3
    segments = Delivery.objects.filter(pk__in=ids, channel=Channel.SMS).values_list(
        "segments", flat=True
    )
    assert None not in segments
    assert usage.segments == sum(count or 0 for count in segments)


def test_it_retries_a_temporary_failure_and_gives_up_a_permanent_one(personas: Personas) -> None:
    neighbours(personas, 2)
    ids = fanned_out(personas)
    texts = sorted(
        Delivery.objects.filter(pk__in=ids, channel=Channel.SMS).values_list("pk", flat=True)
    )

    class HalfBroken:
        recognises_repeats = True

        def send_many(self, parcels: Sequence[Parcel]) -> list[Result]:
            answers: dict[int, Result] = {
                texts[0]: TemporaryFailure("provider busy"),
                texts[1]: PermanentFailure("number refused"),
            }
            return [answers.get(parcel.delivery.pk, Sent(segments=1)) for parcel in parcels]

    with mock.patch.dict(SENDERS, {Channel.SMS: HalfBroken()}):
        send_deliveries.call(ids)

    busy, refused = Delivery.objects.get(pk=texts[0]), Delivery.objects.get(pk=texts[1])
    assert (busy.state, busy.attempts, busy.last_error) == (
        DeliveryState.PENDING,
        1,
        "provider busy",
    )
    assert busy.send_after is not None
    assert busy.send_after > timezone.now()
    assert (refused.state, refused.attempts, refused.last_error) == (
        DeliveryState.FAILED,
        1,
        "number refused",
    )
    others = Delivery.objects.filter(pk__in=ids).exclude(pk__in=texts[:2])
    assert set(others.values_list("state", flat=True)) == {DeliveryState.SENT}
    run_tasks()  # what is queued now: the retry waits for its back-off
    busy.refresh_from_db()
    assert (busy.state, busy.attempts) == (DeliveryState.PENDING, 1)


def test_it_retries_a_whole_chunk_whose_preparation_failed(personas: Personas) -> None:
    ids = fanned_out(personas)

    with mock.patch.object(
        notification_tasks, "still_applying", side_effect=RuntimeError("bug in a check")
    ):
        assert send_deliveries.call(ids) == 0

    assert set(Delivery.objects.filter(pk__in=ids).values_list("state", "attempts")) == {
        (DeliveryState.PENDING, 1)
    }
    assert mail.outbox == []


def test_it_records_texts_a_few_at_a_time_when_a_repeat_would_reach_the_person(
    personas: Personas,
) -> None:
    neighbours(personas, notification_tasks.REPEATABLE_GROUP + 3)
    ids = fanned_out(personas)
    texts = set(
        Delivery.objects.filter(pk__in=ids, channel=Channel.SMS).values_list("pk", flat=True)
    )
    states_seen: list[set[str]] = []

    class NoIdempotencyKey:
        """Like OVH: a text sent twice reaches its recipient twice."""

        recognises_repeats = False

        def send_many(self, parcels: Sequence[Parcel]) -> list[Result]:
            # What a worker killed now would leave: the texts already recorded as sent.
            states_seen.append(
                set(Delivery.objects.filter(pk__in=texts).values_list("state", flat=True))
            )
            return [Sent(segments=1) for _parcel in parcels]

    with mock.patch.dict(SENDERS, {Channel.SMS: NoIdempotencyKey()}):
        assert send_deliveries.call(ids) == len(ids)

    # Two groups: the second left once the first was recorded, within one chunk.
    assert len(texts) > notification_tasks.REPEATABLE_GROUP
    assert len(ids) <= notification_tasks.SEND_CHUNK
    assert states_seen == [{DeliveryState.SENDING}, {DeliveryState.SENT, DeliveryState.SENDING}]
    assert set(Delivery.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        DeliveryState.SENT
    }
    assert SmsUsage.objects.get().messages == len(texts)


def test_it_says_which_sms_providers_recognise_a_repeat() -> None:
    from vigie.notifications.sms.providers import FileSmsProvider, OvhSmsProvider

    assert FileSmsProvider.recognises_repeats is True
    assert OvhSmsProvider.recognises_repeats is False


def test_it_cancels_a_delivery_whose_recipient_is_gone(personas: Personas) -> None:
    # No foreign key holds a delivery to its recipient in the database (a fan-out's
    # commit would check every row): one whose account went behind Django's back is
    # cancelled, and the rest of its batch still leaves.
    neighbours(personas, 1)
    ids = fanned_out(personas)
    first = Delivery.objects.get(pk=ids[0])
    nobody = gone_account_id()
    orphan = Delivery.objects.create(
        subject_type=first.subject_type,
        subject_id=first.subject_id,
        recipient_id=nobody,
        channel=Channel.IN_APP,
    )

    send_deliveries.call([*ids, orphan.pk])

    orphan.refresh_from_db()
    assert orphan.state == DeliveryState.CANCELLED
    assert set(Delivery.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        DeliveryState.SENT
    }


def test_it_takes_an_account_deleted_through_django_with_its_deliveries(
    personas: Personas,
) -> None:
    neighbours(personas, 1)
    fanned_out(personas)
    neighbour = User.objects.get(email="voisin0@example.org")
    assert Delivery.objects.filter(recipient=neighbour).count() == 2  # the inbox and an SMS

    neighbour.delete()

    assert not Delivery.objects.filter(recipient_id=neighbour.pk).exists()
    assert Delivery.objects.filter(recipient=personas.alice).exists()
