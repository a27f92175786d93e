"""The town hall's console: its own commune only, official messages, the counter, référents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from vigie.alerts.models import Alert
from vigie.audit.models import AuditEvent
from vigie.communities.models import Membership
from vigie.municipalities.models import Subscription, TownHall
from vigie.notifications.models import Delivery, InboxItem
from vigie.test import (
    Personas,
    log_in_as,
    neighbourhood_a,
    run_tasks,
    town_hall,
)

pytestmark = pytest.mark.django_db


def helene(personas: Personas) -> Client:
    return log_in_as(Client(), personas.townhall, second_factor=True)


def subscribed() -> TownHall:
    commune = town_hall()
    assert isinstance(commune, TownHall)
    Subscription.objects.create(
        town_hall=commune, plan="bourg", period="yearly",
        paid_until=timezone.now() + timedelta(days=100),
    )  # fmt: skip
    return commune


def test_it_shows_the_commune_counts_and_alerts_but_never_addresses(personas: Personas) -> None:
    commune = town_hall()
    dave = log_in_as(Client(), personas.dave)
    dave.post(
        f"/api/v1/communities/{neighbourhood_a().pk}/alerts",
        {
            "category": "burglary",
            "happened_at": timezone.now().isoformat(),
            "place": "Rue des Lilas",
            "description": "Tentative d'effraction au 12 cette nuit.",
        },
        content_type="application/json",
    )

    overview = helene(personas).get(f"/api/v1/municipalities/{commune.pk}").json()
    seen = helene(personas).get(f"/api/v1/municipalities/{commune.pk}/alerts").json()
    page = helene(personas).get(f"/mairie/{commune.pk}/").content.decode()

    counts = {row["name"]: row["members"] for row in overview["neighbourhoods"]}
    assert counts == {"Quartier des Lilas": 3, "Hameau de la Forêt": 1}  # alice, dave, sam; mallory
    assert [alert["place"] for alert in seen] == ["Rue des Lilas"]
    assert "12 rue des Lilas" not in page.lower()
    assert "dave@example.org" not in page


def test_it_answers_another_communes_town_hall_like_a_missing_one(personas: Personas) -> None:
    elsewhere = TownHall.objects.create(
        insee_code="99102", commune_name="Val-Vigie", population=800,
        billing_name="Mairie de Val-Vigie", billing_address="2 rue de l'Église",
        billing_postcode="99110", billing_city="Val-Vigie", contact_email="m@val.example",
    )  # fmt: skip
    agent = helene(personas)
    without_second_factor = log_in_as(Client(), personas.townhall)

    answers = [
        agent.get(f"/api/v1/municipalities/{elsewhere.pk}").status_code,
        agent.get(f"/mairie/{elsewhere.pk}/").status_code,
        agent.get("/api/v1/municipalities/999999").status_code,
        without_second_factor.get(f"/api/v1/municipalities/{town_hall().pk}").status_code,
    ]

    assert answers == [404, 404, 404, 404]
    assert without_second_factor.get(f"/mairie/{town_hall().pk}/")["Location"] == (
        "/compte/double-authentification/requise/"
    )


def test_it_tells_the_chosen_neighbourhood_an_official_message(personas: Personas) -> None:
    commune = subscribed()

    answer = helene(personas).post(
        f"/api/v1/municipalities/{commune.pk}/messages",
        {
            "category": "roads",
            "place": "Rue des Lilas",
            "text": "Coupure d'eau demain de 9 h à 12 h pour travaux.",
            "neighbourhood_ids": [neighbourhood_a().pk],
        },
        content_type="application/json",
    )
    run_tasks()

    [alert] = Alert.objects.all()
    assert answer.status_code == 201
    assert (alert.town_hall, alert.state, alert.source) == (commune, "approved", "official")
    told = set(Delivery.objects.filter(subject_id=alert.pk).values_list("recipient", flat=True))
    assert told == {personas.alice.pk, personas.dave.pk}  # not mallory (B), not sam (suspended)
    notice = InboxItem.objects.get(recipient=personas.alice, subject_type="alert")
    assert "Bourg-lès-Vigies" in notice.title
    page = log_in_as(Client(), personas.alice).get(f"/alertes/{alert.pk}/").content.decode()
    assert "officiel" in page.lower() or "official" in page.lower()


def test_it_publishes_official_messages_only_with_a_subscription(personas: Personas) -> None:
    commune = town_hall()

    answer = helene(personas).post(
        f"/api/v1/municipalities/{commune.pk}/messages",
        {"category": "weather", "place": "Toute la commune", "text": "Vigilance orange orages."},
        content_type="application/json",
    )

    assert (answer.status_code, answer.json()["code"]) == (409, "no_subscription")
    assert not Alert.objects.exists()


def test_it_refuses_a_neighbourhood_of_another_commune(personas: Personas) -> None:
    from vigie.communities.actions import do_create_neighbourhood

    commune = subscribed()
    other = do_create_neighbourhood(
        name="Ailleurs", insee_code="99102", commune_name="Val-Vigie",
        boundary='{"type": "Polygon", "coordinates": [[[2.41, 46.81], [2.42, 46.81], '
        '[2.42, 46.82], [2.41, 46.82], [2.41, 46.81]]]}',
        acting_user=personas.carol,
    )  # fmt: skip

    answer = helene(personas).post(
        f"/api/v1/municipalities/{commune.pk}/messages",
        {
            "category": "weather",
            "place": "Partout",
            "text": "Vent fort.",
            "neighbourhood_ids": [other.pk],
        },
        content_type="application/json",
    )

    assert answer.status_code == 422
    assert not Alert.objects.exists()


def test_it_verifies_a_resident_seen_at_the_counter(personas: Personas) -> None:
    from vigie.addresses.models import Address

    commune = town_hall()
    agent = helene(personas)
    bob_address = Address.objects.get(user=personas.bob)

    listed = agent.get(f"/api/v1/municipalities/{commune.pk}/residents?q=Durand").json()
    checked = agent.post(
        f"/api/v1/municipalities/{commune.pk}/residence-checks",
        {"address_id": bob_address.pk},
        content_type="application/json",
    )
    again = agent.post(
        f"/api/v1/municipalities/{commune.pk}/residence-checks",
        {"address_id": bob_address.pk},
        content_type="application/json",
    )

    bob_address.refresh_from_db()
    assert [resident["full_name"] for resident in listed] == ["Bob Durand"]
    assert "street" not in listed[0]
    assert checked.status_code == 201
    assert (again.status_code, again.json()["code"]) == (409, "already_verified")
    assert bob_address.verification_method == "counter"
    assert Membership.objects.filter(user=personas.bob, community__kind="neighbourhood").exists()
    event = AuditEvent.objects.get(event_type="town_hall.residence_checked")
    assert event.actor_id == personas.townhall.pk


def test_it_names_and_unnames_a_referent_from_the_console(personas: Personas) -> None:
    commune = town_hall()
    alice = Membership.objects.get(user=personas.alice, community=neighbourhood_a())
    agent = helene(personas)

    named = agent.post(f"/mairie/{commune.pk}/roles/{alice.pk}/", {"role": "referent"})
    by_team = log_in_as(Client(), personas.carol, second_factor=True).put(
        f"/api/v1/municipalities/{commune.pk}/roles/{alice.pk}",
        {"role": "member"},
        content_type="application/json",
    )
    by_a_member = log_in_as(Client(), personas.dave).put(
        f"/api/v1/municipalities/{commune.pk}/roles/{alice.pk}",
        {"role": "referent"},
        content_type="application/json",
    )

    alice.refresh_from_db()
    assert named.status_code == 302
    assert by_team.json()["role"] == "member"
    assert by_a_member.status_code == 404
    assert alice.role == "member"
    assert set(
        AuditEvent.objects.filter(
            event_type="membership.role_changed", target_id=str(alice.pk)
        ).values_list("actor_id", flat=True)
    ) == {personas.townhall.pk, personas.carol.pk}


def test_it_exports_the_towns_data_as_csv_without_names(personas: Personas) -> None:
    commune = subscribed()
    helene(personas).post(
        f"/api/v1/municipalities/{commune.pk}/messages",
        {"category": "weather", "place": "Toute la commune", "text": '=HYPERLINK("x") orages'},
        content_type="application/json",
    )

    answer = helene(personas).get(f"/mairie/{commune.pk}/export.csv")
    body = answer.content.decode()

    assert answer["Content-Type"].startswith("text/csv")
    assert "official_message" in body
    assert "'=HYPERLINK" in body  # a formula cannot run in a spreadsheet
    assert "Alice" not in body
    assert "Martin" not in body


def test_it_invites_an_agent_who_sets_a_password_and_a_second_factor(personas: Personas) -> None:
    carol = log_in_as(Client(), personas.carol, second_factor=True)
    created = carol.post(
        "/api/v1/municipalities",
        {
            "insee_code": "99102", "commune_name": "Val-Vigie", "population": 800,
            "billing_name": "Mairie de Val-Vigie", "billing_address": "2 rue de l'Église",
            "billing_postcode": "99110", "billing_city": "Val-Vigie",
            "contact_email": "mairie@val-vigie.example", "siret": "21991020000015",
        },
        content_type="application/json",
    ).json()  # fmt: skip

    invited = carol.post(
        f"/api/v1/municipalities/{created['id']}/agents",
        {"email": "paul@val-vigie.example", "first_name": "Paul", "last_name": "Roux"},
        content_type="application/json",
    )
    run_tasks()

    from vigie.accounts.models import User

    paul = User.objects.get(email="paul@val-vigie.example")
    [email] = [message for message in mail.outbox if message.to == ["paul@val-vigie.example"]]
    assert invited.status_code == 201
    assert paul.is_town_hall_agent
    assert not paul.has_usable_password()
    assert "/lien/mot-de-passe/" in email.body
    # The terms of use first, then, without a second factor yet, the console asks for one.
    client = log_in_as(Client(), paul)
    first = client.get(f"/mairie/{created['id']}/")
    client.post("/api/v1/me/terms", {"version": 1}, content_type="application/json")
    then = client.get(f"/mairie/{created['id']}/")
    assert first["Location"].startswith("/conditions/accepter/")
    assert then["Location"] == "/compte/double-authentification/requise/"
