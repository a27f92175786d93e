"""The alert's life under concurrency and faults: stale decisions, slow providers, withdrawals
in the middle of a batch, neighbours who leave while a message waits."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from vigie.alerts import actions
from vigie.alerts.models import Alert, State
from vigie.audit.models import AuditEvent
from vigie.communities.actions import do_suspend_member
from vigie.communities.models import Membership, MembershipState
from vigie.lib.errors import Conflict
from vigie.notifications import actions as notification_actions
from vigie.notifications import tasks as notification_tasks
from vigie.notifications.channels import SENDERS, Parcel, Result, Sent
from vigie.notifications.models import (
    Channel,
    Delivery,
    DeliveryState,
    InboxItem,
    NotificationSettings,
)
from vigie.notifications.sms.providers import FileSmsProvider
from vigie.notifications.sms.webhook import sign
from vigie.test import (
    Personas,
    Response,
    give_verified_phone,
    log_in_as,
    neighbourhood_a,
    run_tasks,
)

pytestmark = pytest.mark.django_db


def send(client: Client, **fields: Any) -> Response:
    body = {
        "category": "suspicious_vehicle",
        "happened_at": timezone.now().isoformat(),
        "place": "Rue des Lilas",
        "description": "Une camionnette blanche fait le tour du quartier depuis une heure.",
        **fields,
    }
    return client.post(
        f"/api/v1/communities/{neighbourhood_a().pk}/alerts", body, content_type="application/json"
    )


@pytest.fixture
def carol(personas: Personas) -> Client:
    return log_in_as(Client(), personas.carol, second_factor=True)


def test_it_refuses_a_stale_approval_of_an_alert_withdrawn_meanwhile(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)
    alert_id = send(alice).json()["id"]
    seen_by_the_team = Alert.objects.get(pk=alert_id)  # the page Carol opened

    alice.post(f"/api/v1/alerts/{alert_id}/withdraw", {}, "application/json")
    with pytest.raises(Conflict):
        actions.do_approve_alert(seen_by_the_team, acting_user=personas.carol)
    run_tasks()

    assert Alert.objects.get(pk=alert_id).state == State.WITHDRAWN
    assert not Delivery.objects.filter(subject_id=alert_id).exists()
    assert not AuditEvent.objects.filter(event_type="alert.approved").exists()


def test_it_lets_only_the_first_of_two_decisions_pass(personas: Personas) -> None:
    alert_id = send(log_in_as(Client(), personas.alice)).json()["id"]
    first_page, second_page = Alert.objects.get(pk=alert_id), Alert.objects.get(pk=alert_id)

    actions.do_approve_alert(first_page, acting_user=personas.carol)
    with pytest.raises(Conflict):
        actions.do_reject_alert(second_page, acting_user=personas.carol, reason="Doublon")

    assert Alert.objects.get(pk=alert_id).state == State.APPROVED
    assert (
        AuditEvent.objects.filter(event_type__startswith="alert.")
        .filter(event_type__in=["alert.approved", "alert.rejected"])
        .count()
        == 1
    )


def test_it_claims_one_chunk_at_a_time_so_a_slow_provider_never_holds_a_batch(
    personas: Personas,
) -> None:
    give_verified_phone(personas.alice)
    states_while_sending: list[set[str]] = []

    class SlowSms:
        recognises_repeats = True

        def send_many(self, parcels: Sequence[Parcel]) -> list[Result]:
            states_while_sending.append(
                set(
                    Delivery.objects.filter(subject_id=parcels[0].delivery.subject_id)
                    .exclude(pk__in=[parcel.delivery.pk for parcel in parcels])
                    .values_list("state", flat=True)
                )
            )
            return [Sent(segments=1) for _parcel in parcels]

    with (
        mock.patch.dict(SENDERS, {Channel.SMS: SlowSms()}),
        mock.patch.object(notification_tasks, "SEND_CHUNK", 1),
    ):
        alert_id = send(log_in_as(Client(), personas.dave), urgency="urgent").json()["id"]
        run_tasks()

    # While the SMS was leaving, no delivery of the batch outside its chunk was held.
    assert states_while_sending
    assert all(DeliveryState.SENDING not in states for states in states_while_sending)
    assert set(Delivery.objects.filter(subject_id=alert_id).values_list("state", flat=True)) == {
        DeliveryState.SENT
    }


def test_it_records_nothing_for_a_claim_taken_up_again_by_another_worker(
    personas: Personas,
) -> None:
    alert_id = send(log_in_as(Client(), personas.dave)).json()["id"]
    from vigie.alerts.tasks import fan_out_alert

    fan_out_alert.call(alert_id)  # the sending is queued, not run
    email = Delivery.objects.get(subject_id=alert_id, channel=Channel.EMAIL)

    [first_claim] = notification_actions.do_claim_deliveries([email.pk])
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        notification_actions.do_requeue_stalled_deliveries(older_than=timedelta(minutes=10))
        [second_claim] = notification_actions.do_claim_deliveries([email.pk])
        assert (
            notification_actions.do_record_outcomes(
                [notification_actions.Outcome(second_claim, sent=True)]
            )
            == 1
        )
    late = notification_actions.do_record_outcomes(
        [notification_actions.Outcome(first_claim, error="timeout", temporary=True)]
    )

    email.refresh_from_db()
    assert late == 0
    assert (email.state, email.attempts) == (DeliveryState.SENT, 1)


def test_it_stops_what_has_not_left_when_the_alert_is_withdrawn_mid_batch(
    personas: Personas,
) -> None:
    dave = log_in_as(Client(), personas.dave)
    real_in_app = SENDERS[Channel.IN_APP]
    withdrawn: list[int] = []

    class WithdrawingInbox:
        recognises_repeats = True

        def send_many(self, parcels: Sequence[Parcel]) -> list[Result]:
            sent = real_in_app.send_many(parcels)
            if not withdrawn:
                withdrawn.append(parcels[0].delivery.subject_id)
                dave.post(
                    f"/api/v1/alerts/{parcels[0].delivery.subject_id}/withdraw",
                    {"reason": "Erreur"},
                    "application/json",
                )
            return sent

    # A chunk of one: the inbox notice leaves first, the e-mail comes in a later chunk.
    with (
        mock.patch.dict(SENDERS, {Channel.IN_APP: WithdrawingInbox()}),
        mock.patch.object(notification_tasks, "SEND_CHUNK", 1),
    ):
        alert_id = send(dave).json()["id"]
        run_tasks()

    email = Delivery.objects.get(subject_type="alert", subject_id=alert_id, channel=Channel.EMAIL)
    assert email.state == DeliveryState.CANCELLED
    assert [message.subject for message in mail.outbox if "retir" not in message.subject] == []
    # The inbox notice of the alert is gone; the withdrawal notice took its place.
    assert not InboxItem.objects.filter(subject_type="alert", subject_id=alert_id).exists()
    assert InboxItem.objects.filter(
        recipient=personas.alice, subject_type="alert_withdrawn", subject_id=alert_id
    ).exists()


def test_it_shows_a_withdrawn_alert_to_neighbours_without_what_it_said(
    personas: Personas, carol: Client
) -> None:
    dave = log_in_as(Client(), personas.dave)
    alert_id = send(dave, place="Devant chez M. Martin, 12 rue des Lilas").json()["id"]
    run_tasks()
    carol.post(
        f"/api/v1/moderation/alerts/{alert_id}/decision",
        {"decision": "withdraw", "reason": "Une adresse personnelle"},
        content_type="application/json",
    )
    alice = log_in_as(Client(), personas.alice)

    seen = alice.get(f"/api/v1/alerts/{alert_id}").json()
    page = alice.get(f"/alertes/{alert_id}/").content.decode()
    listed = alice.get(f"/quartiers/{neighbourhood_a().pk}/alertes/").content.decode()
    own = dave.get(f"/api/v1/alerts/{alert_id}").json()

    assert (seen["state"], seen["place"], seen["description"]) == ("withdrawn", "", "")
    assert "M. Martin" not in page
    assert "M. Martin" not in listed
    assert own["place"] == "Devant chez M. Martin, 12 rue des Lilas"


def test_it_sends_nothing_held_to_a_neighbour_who_left_meanwhile(personas: Personas) -> None:
    NotificationSettings.objects.create(user=personas.alice, digest=True)
    dave = log_in_as(Client(), personas.dave)

    alert_id = send(dave).json()["id"]
    run_tasks()
    held = Delivery.objects.get(recipient=personas.alice, subject_id=alert_id, channel="email")
    Membership.objects.filter(user=personas.alice).update(state=MembershipState.LEFT)
    with time_machine.travel(held.send_after + timedelta(minutes=1)):  # type: ignore[operator]
        notification_actions.do_send_digests()
        run_tasks()

    assert held.state == DeliveryState.HELD  # as the fan-out left it
    held.refresh_from_db()
    assert held.state == DeliveryState.CANCELLED
    assert [message.to for message in mail.outbox] == []


def test_it_lets_the_team_withdraw_an_alert_its_author_closed_before_the_review(
    personas: Personas, carol: Client
) -> None:
    dave = log_in_as(Client(), personas.dave)
    alert_id = send(dave).json()["id"]
    dave.post(f"/api/v1/alerts/{alert_id}/close", {"resolution": "resolved"}, "application/json")

    answer = carol.post(
        f"/api/v1/moderation/alerts/{alert_id}/decision",
        {"decision": "withdraw", "reason": "Une plaque entière"},
        content_type="application/json",
    )

    assert answer.json()["state"] == "withdrawn"
    assert InboxItem.objects.filter(recipient=personas.dave, subject_type="decision").exists()


def test_it_tells_the_author_of_the_review_of_a_fast_path_alert(
    personas: Personas, carol: Client
) -> None:
    alert_id = send(log_in_as(Client(), personas.dave)).json()["id"]

    answer = carol.post(
        f"/api/v1/moderation/alerts/{alert_id}/decision",
        {"decision": "review"},
        content_type="application/json",
    )
    run_tasks()

    assert answer.json()["reviewed"] is True
    assert InboxItem.objects.filter(recipient=personas.dave, subject_type="alert_reviewed")
    assert any(message.to == ["dave@example.org"] for message in mail.outbox)


def test_it_lets_no_suspended_referent_close_an_alert(personas: Personas) -> None:
    alert_id = send(log_in_as(Client(), personas.alice), category="roads").json()["id"]
    actions.do_approve_alert(Alert.objects.get(pk=alert_id), acting_user=personas.carol)
    do_suspend_member(personas.dave, until=None, acting_user=personas.carol)

    answer = log_in_as(Client(), personas.dave).post(
        f"/api/v1/alerts/{alert_id}/close", {"resolution": "resolved"}, "application/json"
    )

    assert answer.status_code == 403
    assert Alert.objects.get(pk=alert_id).state == State.APPROVED


def test_it_lets_the_team_edit_the_place_and_plate_out_and_keeps_the_originals(
    personas: Personas, carol: Client
) -> None:
    alert_id = send(
        log_in_as(Client(), personas.alice),
        place="Devant le 14 rue des Lilas",
        vehicle={"kind": "camionnette", "colour": "blanche", "plate": "AB-12"},
    ).json()["id"]

    answer = carol.post(
        f"/api/v1/moderation/alerts/{alert_id}/decision",
        {
            "decision": "approve",
            "place": "Rue des Lilas",
            "vehicle": {"kind": "camionnette", "colour": "blanche"},
        },
        content_type="application/json",
    )

    assert (answer.json()["place"], answer.json()["vehicle"]) == (
        "Rue des Lilas",
        {"kind": "camionnette", "colour": "blanche"},
    )
    event = AuditEvent.objects.get(event_type="alert.approved")
    assert event.data["original_place"] == "Devant le 14 rue des Lilas"
    assert event.data["original_vehicle"]["plate"] == "AB-12"
    assert event.data["edited"] == ["place", "vehicle"]


@pytest.mark.parametrize("plate", ["AB-123-CD", "ab 123 cd", "AB123CD", "1234 AB 56", "123 ABC 2A"])
def test_it_refuses_a_whole_plate(personas: Personas, plate: str) -> None:
    answer = send(log_in_as(Client(), personas.alice), vehicle={"kind": "voiture", "plate": plate})

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "vehicle_plate"
    assert not Alert.objects.exists()


def test_it_takes_a_partial_plate(personas: Personas) -> None:
    answer = send(log_in_as(Client(), personas.alice), vehicle={"plate": "AB-1.. (fin en CD)"})

    assert answer.status_code == 201


def test_it_lets_a_missing_person_be_described_as_they_look(personas: Personas) -> None:
    answer = send(
        log_in_as(Client(), personas.alice),
        category="missing",
        place="Parc des Lilas",
        description="Garçon métis de 8 ans, manteau rouge, perdu depuis 16 h.",
    )

    assert answer.status_code == 201
    assert Alert.objects.get().profiling_terms == ["métis"]


def test_it_accepts_emoji_joined_by_a_zero_width_joiner(personas: Personas) -> None:
    answer = send(
        log_in_as(Client(), personas.alice),
        description="Une famille \U0001f468\u200d\U0001f469\u200d\U0001f467 a perdu son chien.",
        category="missing",
    )

    assert answer.status_code == 201


def inbound(text: str, *, identifier: str, secret: str) -> Response:
    raw = json.dumps(
        {
            "id": identifier,
            "from": "+33612345678",
            "text": text,
            "received_at": timezone.now().isoformat(),
        }
    ).encode()
    stamp = int(time.time())
    return Client().post(
        "/api/v1/sms/inbound",
        raw,
        content_type="application/json",
        HTTP_X_VIGIE_TIMESTAMP=str(stamp),
        HTTP_X_VIGIE_SIGNATURE=sign(raw, secret=secret, timestamp=stamp),
    )


def test_it_turns_a_short_text_into_an_alert_and_answers_one_over_the_limit(
    personas: Personas, settings: Settings
) -> None:
    settings.SMS_WEBHOOK_SECRET = "webhook-secret-for-tests"
    settings.ALERT_MAX_PER_DAY = 1
    give_verified_phone(personas.alice)

    short = inbound("Au feu !", identifier="sms-1", secret="webhook-secret-for-tests")
    over = inbound("Encore un feu", identifier="sms-2", secret="webhook-secret-for-tests")
    run_tasks()

    assert (short.json(), over.json()) == ({"outcome": "alert"}, {"outcome": "rate_limited"})
    [reply] = FileSmsProvider(settings.DATA_DIR / "sms" / "outbox").messages()
    assert reply["to"] == "+33612345678"
    assert "24" in reply["text"]
    assert "17" in reply["text"]


@pytest.mark.parametrize(
    ("timestamp", "received_at"),
    [("999999999999", None), (None, "0001-01-01T00:00:00+01:00")],
)
def test_it_answers_odd_webhook_dates_with_a_clear_refusal(
    personas: Personas, settings: Settings, timestamp: str | None, received_at: str | None
) -> None:
    settings.SMS_WEBHOOK_SECRET = "webhook-secret-for-tests"
    raw = json.dumps(
        {
            "id": "odd",
            "from": "+33612345678",
            "text": "x",
            "received_at": received_at or "2026-12-01T10:00:00+00:00",
        }
    ).encode()
    stamp = int(time.time())
    answer = Client().post(
        "/api/v1/sms/inbound",
        raw,
        content_type="application/json",
        HTTP_X_VIGIE_TIMESTAMP=timestamp or str(stamp),
        HTTP_X_VIGIE_SIGNATURE=sign(raw, secret="webhook-secret-for-tests", timestamp=stamp),
    )

    assert answer.status_code in (403, 422)
    assert answer.json()["code"] in ("bad_signature", "invalid")


def test_it_refuses_quiet_hours_with_a_time_zone_and_huge_notice_ids(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)

    zoned = alice.put(
        "/api/v1/me/notification-preferences",
        {"quiet_from": "22:00:00+05:00", "quiet_until": "07:00:00+05:00"},
        content_type="application/json",
    )
    huge = alice.post(
        "/api/v1/me/notifications/read", {"ids": [10**20]}, content_type="application/json"
    )

    assert zoned.status_code == huge.status_code == 422
    assert not NotificationSettings.objects.exists()


def test_it_queues_again_the_deliveries_of_a_batch_whose_worker_died(personas: Personas) -> None:
    from django_tasks_db.models import DBTaskResult

    from vigie.alerts.tasks import fan_out_alert

    alert_id = send(log_in_as(Client(), personas.dave)).json()["id"]
    fan_out_alert.call(alert_id)
    DBTaskResult.objects.all().delete()  # the batch's task died with its worker

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        queued = notification_actions.do_requeue_stalled_deliveries(
            older_than=timedelta(minutes=10)
        )
        run_tasks()

    assert queued == 2  # Alice's inbox and e-mail
    assert set(Delivery.objects.filter(subject_id=alert_id).values_list("state", flat=True)) == {
        DeliveryState.SENT
    }


def test_it_keeps_an_alerts_lines_in_the_list_and_the_inbox(personas: Personas) -> None:
    dave = log_in_as(Client(), personas.dave)
    send(
        dave, description="Une camionnette blanche <sans plaque>.\nElle repasse toutes les heures."
    )
    run_tasks()
    alice = log_in_as(Client(), personas.alice)

    listed = alice.get(f"/quartiers/{neighbourhood_a().pk}/alertes/").content.decode()
    inbox = alice.get("/boite/").content.decode()

    shown = "Une camionnette blanche &lt;sans plaque&gt;.<br>Elle repasse toutes les heures."
    assert shown in listed
    assert shown in inbox
