"""The alert journeys through the web pages: the team's decisions, withdrawing, closing, joining."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from vigie.alerts.models import Alert, AlertSupport, State
from vigie.audit.models import AuditEvent
from vigie.notifications.models import InboxItem
from vigie.test import Personas, log_in_as, neighbourhood_a, run_tasks

pytestmark = pytest.mark.django_db


def send(client: Client, **fields: Any) -> Alert:
    body = {
        "category": "door_to_door",
        "happened_at": timezone.now().isoformat(),
        "place": "Rue des Lilas",
        "description": "Un démarcheur se dit envoyé par la mairie, M. Durand au 14.",
        **fields,
    }
    answer = client.post(
        f"/api/v1/communities/{neighbourhood_a().pk}/alerts", body, content_type="application/json"
    )
    assert answer.status_code == 201, answer.content
    return Alert.objects.get(pk=answer.json()["id"])


@pytest.fixture
def carol(personas: Personas) -> Client:
    return log_in_as(Client(), personas.carol, second_factor=True)


def test_it_lets_the_team_edit_out_a_name_and_approve_from_its_page(
    personas: Personas, carol: Client
) -> None:
    alert = send(log_in_as(Client(), personas.alice))

    queue = carol.get("/equipe/moderation/").content.decode()
    page = carol.get(f"/equipe/alertes/{alert.pk}/").content.decode()
    answer = carol.post(
        f"/equipe/alertes/{alert.pk}/",
        {
            "decision": "approve",
            "place": "Rue des Lilas",
            "description": "Un démarcheur se dit envoyé par la mairie.",
            "reason": "",
        },
    )
    run_tasks()

    alert.refresh_from_db()
    assert f"/equipe/alertes/{alert.pk}/" in queue
    assert "M. Durand au 14" in page
    assert answer.status_code == 302
    assert (alert.state, alert.description) == (
        State.APPROVED,
        "Un démarcheur se dit envoyé par la mairie.",
    )
    approved = AuditEvent.objects.get(event_type="alert.approved")
    assert "M. Durand au 14" in approved.data["original_description"]
    assert InboxItem.objects.filter(recipient=personas.dave, subject_type="alert").exists()
    assert InboxItem.objects.filter(
        recipient=personas.alice, subject_type="alert_approved"
    ).exists()


def test_it_asks_the_team_for_a_reason_to_reject_and_changes_nothing_without(
    personas: Personas, carol: Client
) -> None:
    alert = send(log_in_as(Client(), personas.alice))

    refused = carol.post(f"/equipe/alertes/{alert.pk}/", {"decision": "reject", "reason": ""})
    alert.refresh_from_db()
    state_after_refusal = alert.state
    rejected = carol.post(
        f"/equipe/alertes/{alert.pk}/", {"decision": "reject", "reason": "Déjà signalé hier."}
    )
    run_tasks()

    alert.refresh_from_db()
    assert refused.status_code == 422
    assert state_after_refusal == State.PENDING
    assert rejected.status_code == 302
    assert (alert.state, alert.reason) == (State.REJECTED, "Déjà signalé hier.")
    assert not InboxItem.objects.filter(recipient=personas.dave, subject_type="alert").exists()


def test_it_keeps_the_team_page_from_anyone_outside_the_team(personas: Personas) -> None:
    alert = send(log_in_as(Client(), personas.alice))
    without_second_factor = log_in_as(Client(), personas.carol)

    answers = [
        log_in_as(Client(), persona).post(f"/equipe/alertes/{alert.pk}/", {"decision": "approve"})
        for persona in (personas.dave, personas.mallory, personas.bob)
    ]
    anonymous = Client().post(f"/equipe/alertes/{alert.pk}/", {"decision": "approve"})
    unverified = without_second_factor.post(f"/equipe/alertes/{alert.pk}/", {"decision": "approve"})

    alert.refresh_from_db()
    assert alert.state == State.PENDING
    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert anonymous.status_code == 302
    assert unverified["Location"] == "/compte/double-authentification/requise/"


def test_it_lets_a_neighbour_join_and_the_referent_close_from_the_alert_page(
    personas: Personas,
) -> None:
    alert = send(log_in_as(Client(), personas.dave), category="roads", place="Impasse du Moulin")
    alice = log_in_as(Client(), personas.alice)
    dave = log_in_as(Client(), personas.dave)

    page = alice.get(f"/alertes/{alert.pk}/").content.decode()
    joined = alice.post(f"/alertes/{alert.pk}/rejoindre/")
    closed = dave.post(f"/alertes/{alert.pk}/cloturer/", {"resolution": "false_alarm"})
    run_tasks()

    alert.refresh_from_db()
    assert f"/alertes/{alert.pk}/rejoindre/" in page
    assert joined.status_code == closed.status_code == 302
    assert AlertSupport.objects.filter(alert=alert, user=personas.alice).exists()
    assert (alert.state, alert.resolution) == (State.RESOLVED, "false_alarm")
    assert InboxItem.objects.filter(recipient=personas.alice, subject_type="alert_closed").exists()


def test_it_refuses_joining_or_closing_to_others_from_the_pages(personas: Personas) -> None:
    alert = send(log_in_as(Client(), personas.dave), category="roads", place="Impasse du Moulin")

    mallory = log_in_as(Client(), personas.mallory)
    bob = log_in_as(Client(), personas.bob)
    alice = log_in_as(Client(), personas.alice)
    answers = {
        "mallory joins": mallory.post(f"/alertes/{alert.pk}/rejoindre/").status_code,
        "bob joins": bob.post(f"/alertes/{alert.pk}/rejoindre/").status_code,
        "mallory closes": mallory.post(
            f"/alertes/{alert.pk}/cloturer/", {"resolution": "resolved"}
        ).status_code,
        "anonymous closes": Client()
        .post(f"/alertes/{alert.pk}/cloturer/", {"resolution": "resolved"})
        .status_code,
    }
    alice_closes = alice.post(f"/alertes/{alert.pk}/cloturer/", {"resolution": "resolved"})

    alert.refresh_from_db()
    assert answers == {
        "mallory joins": 404,
        "bob joins": 404,
        "mallory closes": 404,
        "anonymous closes": 302,
    }
    assert alice_closes.status_code == 302  # back to the page, with the refusal said there
    assert alert.state == State.APPROVED
    assert not AlertSupport.objects.exists()


def test_it_lets_the_author_withdraw_from_the_alert_page_and_tells_those_reached(
    personas: Personas,
) -> None:
    dave = log_in_as(Client(), personas.dave)
    alert = send(dave, category="roads", place="Impasse du Moulin")
    run_tasks()

    answer = dave.post(f"/alertes/{alert.pk}/retirer/", {"reason": "C'était un exercice."})
    run_tasks()

    alert.refresh_from_db()
    assert answer.status_code == 302
    assert alert.state == State.WITHDRAWN
    assert InboxItem.objects.filter(
        recipient=personas.alice, subject_type="alert_withdrawn"
    ).exists()
