from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.test import Client
from django.utils import timezone

from vigie.alerts.models import Alert, State
from vigie.alerts.tasks import fan_out_alert
from vigie.audit.models import AuditEvent
from vigie.communities.demo import INSIDE_A
from vigie.notifications.models import Channel, Delivery, DeliveryState, InboxItem
from vigie.test import Personas, Response, log_in_as, neighbourhood_a, neighbourhood_b, run_tasks

pytestmark = pytest.mark.django_db

ALERT = {
    "category": "suspicious_vehicle",
    "happened_at": "",
    "place": "Rue des Lilas",
    "description": "Une camionnette blanche fait le tour du quartier depuis une heure.",
}


def send(client: Client, community_id: int, **fields: Any) -> Response:
    body = {**ALERT, "happened_at": timezone.now().isoformat(), **fields}
    return client.post(
        f"/api/v1/communities/{community_id}/alerts", body, content_type="application/json"
    )


def decide(carol: Client, alert_id: int, decision: str, **fields: Any) -> Response:
    return carol.post(
        f"/api/v1/moderation/alerts/{alert_id}/decision",
        {"decision": decision, **fields},
        content_type="application/json",
    )


def deliveries(alert_id: int, subject_type: str = "alert") -> set[tuple[str, str, str]]:
    return {
        (delivery.recipient.email, delivery.channel, delivery.state)
        for delivery in Delivery.objects.filter(
            subject_type=subject_type, subject_id=alert_id
        ).select_related("recipient")
    }


@pytest.fixture
def carol(personas: Personas) -> Client:
    return log_in_as(Client(), personas.carol, second_factor=True)


def test_it_holds_an_alert_for_the_team_then_tells_every_neighbour_once_approved(
    personas: Personas, carol: Client
) -> None:
    a = neighbourhood_a().pk
    alice = log_in_as(Client(), personas.alice)

    sent = send(alice, a)
    alert_id = sent.json()["id"]
    run_tasks()

    assert (sent.status_code, sent.json()["state"]) == (201, "pending")
    assert deliveries(alert_id) == set()  # pending alerts reach nobody
    assert decide(carol, alert_id, "approve").json()["state"] == "approved"
    run_tasks()
    # Dave, the only other active member of A: not alice (the author), nor sam
    # (suspended), nor mallory (another neighbourhood), nor bob (unverified).
    assert deliveries(alert_id) == {
        ("dave@example.org", Channel.IN_APP, DeliveryState.SENT),
        ("dave@example.org", Channel.EMAIL, DeliveryState.SENT),
    }
    # The author hears of the decision by e-mail too; the neighbour gets the alert.
    by_recipient = {message.to[0]: message.subject for message in mail.outbox}
    assert sorted(by_recipient) == ["alice@example.org", "dave@example.org"]
    assert "Rue des Lilas" in by_recipient["dave@example.org"]
    assert by_recipient["alice@example.org"].startswith("Votre alerte a été envoyée")
    assert InboxItem.objects.filter(recipient=personas.dave, subject_id=alert_id).exists()
    assert InboxItem.objects.get(recipient=personas.alice, subject_type="alert_approved")
    assert AuditEvent.objects.filter(event_type="alert.approved", target_id=str(alert_id))


def test_it_never_tells_anyone_of_a_rejected_alert(personas: Personas, carol: Client) -> None:
    alice = log_in_as(Client(), personas.alice)
    alert_id = send(alice, neighbourhood_a().pk).json()["id"]

    refused = decide(carol, alert_id, "reject", reason="Déjà signalé à la mairie.")
    run_tasks()

    assert refused.json()["state"] == "rejected"
    assert deliveries(alert_id) == set()
    # The author reads the decision, the clause of the terms it applies and how to appeal.
    notice = InboxItem.objects.get(recipient=personas.alice, subject_type="decision")
    assert "Déjà signalé" in notice.body
    assert "Article 7 des conditions d’utilisation" in notice.body  # noqa: RUF001
    assert "recours" in notice.body
    assert alice.get(f"/api/v1/alerts/{alert_id}").json()["reason"] == "Déjà signalé à la mairie."
    dave = log_in_as(Client(), personas.dave)
    assert dave.get(f"/api/v1/alerts/{alert_id}").status_code == 404


def test_it_keeps_the_original_in_the_audit_log_when_the_team_edits_it(
    personas: Personas, carol: Client
) -> None:
    alice = log_in_as(Client(), personas.alice)
    alert_id = send(alice, neighbourhood_a().pk, description="M. Dupont du 14 a vu un cambrioleur.")
    identifier = alert_id.json()["id"]

    decide(carol, identifier, "approve", description="Un voisin a vu un cambrioleur.")

    assert Alert.objects.get(pk=identifier).description == "Un voisin a vu un cambrioleur."
    event = AuditEvent.objects.get(event_type="alert.approved", target_id=str(identifier))
    assert event.data["original_description"] == "M. Dupont du 14 a vu un cambrioleur."


def test_it_sends_a_referents_alert_at_once_and_follows_it_with_its_withdrawal(
    personas: Personas, carol: Client
) -> None:
    a = neighbourhood_a().pk
    dave = log_in_as(Client(), personas.dave)

    sent = send(dave, a, urgency="urgent")
    alert_id = sent.json()["id"]
    run_tasks()

    assert (sent.json()["state"], sent.json()["fast_path"]) == ("approved", True)
    assert ("alice@example.org", Channel.IN_APP, DeliveryState.SENT) in deliveries(alert_id)
    assert decide(carol, alert_id, "approve").status_code == 409  # already sent
    queue = carol.get("/api/v1/moderation/queue").json()
    assert [alert["id"] for alert in queue["alerts"]] == [alert_id]

    withdrawn = dave.post(
        f"/api/v1/alerts/{alert_id}/withdraw", {"reason": "Fausse alerte"}, "application/json"
    )
    run_tasks()

    assert withdrawn.json()["state"] == "withdrawn"
    assert deliveries(alert_id, "alert_withdrawn") == {
        ("alice@example.org", Channel.IN_APP, DeliveryState.SENT),
    }
    assert InboxItem.objects.filter(recipient=personas.alice, subject_type="alert_withdrawn")


def test_it_creates_no_second_delivery_when_a_fan_out_runs_again(
    personas: Personas, carol: Client
) -> None:
    dave = log_in_as(Client(), personas.dave)
    alert_id = send(dave, neighbourhood_a().pk).json()["id"]
    run_tasks()
    first = Delivery.objects.filter(subject_id=alert_id).count()

    fan_out_alert.call(alert_id)
    fan_out_alert.call(alert_id)
    run_tasks()

    assert Delivery.objects.filter(subject_id=alert_id).count() == first == 2
    assert len(mail.outbox) == 1


def test_it_ends_sent_with_three_attempts_after_failing_twice(personas: Personas) -> None:
    dave = log_in_as(Client(), personas.dave)
    with mock.patch.object(
        EmailMessage, "send", side_effect=[ConnectionRefusedError(), TimeoutError(), 1]
    ) as smtp:
        alert_id = send(dave, neighbourhood_a().pk).json()["id"]
        run_tasks()
        email = Delivery.objects.get(subject_id=alert_id, channel=Channel.EMAIL)
        assert (email.state, email.attempts) == (DeliveryState.PENDING, 1)
        with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
            run_tasks()
            with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
                run_tasks()

    email.refresh_from_db()
    assert (email.state, email.attempts, smtp.call_count) == (DeliveryState.SENT, 3, 3)


def test_it_refuses_an_alert_resting_on_origin_and_says_how_to_describe(
    personas: Personas,
) -> None:
    alice = log_in_as(Client(), personas.alice)
    a = neighbourhood_a().pk

    held = send(alice, a, description="Un homme noir rôde dans la rue depuis ce matin.")
    english = send(alice, a, description="A black man is hanging around the street today.")
    described = send(
        alice,
        a,
        category="suspicious_behaviour",
        description="Un homme noir rôde dans la rue depuis ce matin.",
        people={
            "behaviour": "essaie d'ouvrir les portières des voitures garées",
            "clothing": "k-way rouge",
        },
    )

    assert (held.status_code, held.json()["code"]) == (422, "profiling")
    assert (english.status_code, english.json()["code"]) == (422, "profiling")
    assert described.status_code == 201
    alert = Alert.objects.get(pk=described.json()["id"])
    assert alert.profiling_terms  # the team sees them, and no fast path
    assert Alert.objects.count() == 1


def test_it_asks_what_a_described_person_did(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)

    answer = send(alice, neighbourhood_a().pk, people={"clothing": "veste verte"})

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "people_behaviour"


def test_it_allows_three_alerts_a_day(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)
    a = neighbourhood_a().pk
    answers = [send(alice, a, place=f"Rue numéro {number}") for number in range(4)]

    assert [answer.status_code for answer in answers] == [201, 201, 201, 429]
    assert int(answers[-1]["Retry-After"]) > 23 * 3600
    assert Alert.objects.count() == 3


def test_it_suggests_joining_the_same_alert_in_the_same_street(personas: Personas) -> None:
    a = neighbourhood_a().pk
    alice, dave = log_in_as(Client(), personas.alice), log_in_as(Client(), personas.dave)
    first = send(dave, a).json()["id"]

    again = send(alice, a, place="rue des lilas ")
    joined = alice.post(f"/api/v1/alerts/{first}/support")
    anyway = send(alice, a, send_anyway=True)

    assert (again.status_code, again.json()["code"]) == (409, "similar_alert")
    assert again.json()["similar_alert_id"] == first
    assert joined.json()["supporters"] == 1
    assert anyway.status_code == 201
    assert Alert.objects.count() == 2


def test_it_rounds_a_map_point_to_about_fifty_metres(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)
    longitude, latitude = INSIDE_A[0] + 0.000123, INSIDE_A[1] + 0.000071

    inside = send(alice, neighbourhood_a().pk, longitude=longitude, latitude=latitude)
    outside = send(alice, neighbourhood_a().pk, longitude=2.30, latitude=46.70, place="Ailleurs")

    body = inside.json()
    assert abs(body["latitude"] - latitude) < 0.00030  # within half a 50 m step
    assert abs(body["longitude"] - longitude) < 0.00045
    assert (body["latitude"] * 111_320 / 50) % 1 in (
        pytest.approx(0, abs=0.02),
        pytest.approx(1, abs=0.02),
    )
    assert outside.status_code == 422
    assert outside.json()["errors"][0]["field"] == "point"


def test_it_shows_delivery_figures_to_the_author_only(personas: Personas, carol: Client) -> None:
    dave = log_in_as(Client(), personas.dave)
    alert_id = send(dave, neighbourhood_a().pk).json()["id"]
    run_tasks()
    alice = log_in_as(Client(), personas.alice)

    mine = dave.get(f"/api/v1/alerts/{alert_id}").json()
    theirs = alice.get(f"/api/v1/alerts/{alert_id}").json()

    assert mine["deliveries"] == {
        "recipients": 1,
        "sent": {"in_app": 1, "email": 1},
        "pending": 0,
        "held": 0,
        "failed": 0,
    }
    assert theirs["deliveries"] is None
    page = dave.get(f"/alertes/{alert_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sent to 1 neighbour" in page


def test_it_closes_an_alert_and_tells_those_who_followed_it(personas: Personas) -> None:
    dave, alice = log_in_as(Client(), personas.dave), log_in_as(Client(), personas.alice)
    alert_id = send(dave, neighbourhood_a().pk).json()["id"]
    run_tasks()

    refused = alice.post(
        f"/api/v1/alerts/{alert_id}/close", {"resolution": "resolved"}, "application/json"
    )
    closed = dave.post(
        f"/api/v1/alerts/{alert_id}/close", {"resolution": "false_alarm"}, "application/json"
    )
    run_tasks()

    assert refused.status_code == 403
    assert (closed.json()["state"], closed.json()["resolution"]) == ("resolved", "false_alarm")
    assert (
        InboxItem.objects.filter(
            subject_type="alert_closed", recipient__in=[personas.alice, personas.dave]
        ).count()
        == 2
    )


def test_it_keeps_alerts_inside_their_neighbourhood(personas: Personas) -> None:
    dave = log_in_as(Client(), personas.dave)
    alert_id = send(dave, neighbourhood_a().pk).json()["id"]
    run_tasks()

    for persona in (personas.mallory, personas.bob):
        other = log_in_as(Client(), persona)
        assert other.get(f"/api/v1/alerts/{alert_id}").status_code == 404
        assert other.get(f"/alertes/{alert_id}/").status_code == 404
    assert Client().get(f"/api/v1/alerts/{alert_id}").status_code == 401
    mallory = log_in_as(Client(), personas.mallory)
    assert send(mallory, neighbourhood_a().pk).status_code == 404
    assert send(mallory, neighbourhood_b().pk, place="Route de la Forêt").status_code == 201
    sam = log_in_as(Client(), personas.sam)
    assert send(sam, neighbourhood_a().pk).status_code == 403
    assert not Delivery.objects.filter(recipient__in=[personas.sam, personas.mallory, personas.bob])


def test_it_shows_the_emergency_numbers_before_the_form(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)
    a = neighbourhood_a().pk

    first = alice.get(f"/quartiers/{a}/alerte/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    form = alice.get(f"/quartiers/{a}/alerte/?ecrire=1", HTTP_ACCEPT_LANGUAGE="en")

    assert "In an emergency call 17 (police), 18 (fire brigade) or 112." in first
    assert '<textarea name="description"' not in first
    assert '<textarea name="description"' in form.content.decode()


def test_it_sends_an_alert_from_the_page(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)
    a = neighbourhood_a().pk
    fields = {
        "category": "burglary",
        "urgency": "urgent",
        "happened_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "place": "Impasse du Moulin",
        "description": "Une fenêtre forcée au rez-de-chaussée cette nuit.",
        "people_behaviour": "",
    }

    answer = alice.post(f"/quartiers/{a}/alerte/?ecrire=1", fields)

    alert = Alert.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/alertes/{alert.pk}/"
    assert (alert.state, alert.urgency, alert.source) == (State.PENDING, "urgent", "web")
