from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from vigie.accounts.models import User
from vigie.accounts.tests.helpers import mailed_link
from vigie.audit.models import AuditEvent
from vigie.notifications.models import OutgoingEmail
from vigie.test import PASSWORD, Personas, run_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("address_reference")]

GOOD_PASSWORD = "Tournesol-jaune-42!"


def sign_up_form(**changes: str) -> dict[str, str]:
    data = {
        "first_name": "Jeanne",
        "last_name": "Dupont",
        "nickname": "",
        "email": "jeanne@example.org",
        "password": GOOD_PASSWORD,
        "password_again": GOOD_PASSWORD,
        "ban_id": "99101_0001_00040",
        "accept_terms": "on",
    }
    data.update(changes)
    return data


def register_body(**changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "email": "jeanne@example.org",
        "password": GOOD_PASSWORD,
        "first_name": "Jeanne",
        "last_name": "Dupont",
        "address": {"ban_id": "99101_0001_00040"},
        "accept_terms": True,
    }
    data.update(changes)
    return data


def test_it_creates_an_unconfirmed_account_and_mails_its_confirmation(client: Client) -> None:
    response = client.post("/inscription/", sign_up_form())

    assert response.status_code == 302
    assert response["Location"] == "/inscription/envoyee/"
    user = User.objects.get(email="jeanne@example.org")
    assert user.email_confirmed_at is None
    assert user.display_name == "Jeanne D."
    assert user.password.startswith("argon2$argon2id$")
    assert AuditEvent.objects.filter(event_type="account.registered", actor_id=user.pk).exists()
    assert mail.outbox == []  # nothing leaves before the transaction and the worker

    assert run_tasks() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jeanne@example.org"]
    assert OutgoingEmail.objects.get().status == "sent"


def test_it_confirms_the_address_through_the_mailed_link(client: Client) -> None:
    client.post("/inscription/", sign_up_form())
    run_tasks()
    link = mailed_link(to="jeanne@example.org")

    landing = client.get(link)
    # The token leaves the address bar before any page shows.
    assert landing.status_code == 302
    assert landing["Location"] == "/inscription/confirmer/"
    assert client.get("/inscription/confirmer/").status_code == 200
    confirmed = client.post("/inscription/confirmer/")

    assert confirmed.status_code == 302
    assert User.objects.get(email="jeanne@example.org").email_confirmed_at is not None


def test_it_refuses_a_tampered_confirmation_link(client: Client) -> None:
    client.post("/inscription/", sign_up_form())
    run_tasks()
    link = mailed_link(to="jeanne@example.org")

    client.get(link[:-3] + "xx/")
    response = client.post("/inscription/confirmer/")

    assert response.status_code == 404
    assert User.objects.get(email="jeanne@example.org").email_confirmed_at is None


def test_it_answers_the_same_for_an_existing_address_and_mails_its_owner(
    client: Client, personas: Personas
) -> None:
    new = client.post("/api/v1/auth/register", register_body(), content_type="application/json")
    existing = client.post(
        "/api/v1/auth/register",
        register_body(email="ALICE@example.org"),
        content_type="application/json",
    )

    assert new.status_code == existing.status_code == 202
    assert new.json() == existing.json()
    assert User.objects.filter(email="alice@example.org").count() == 1
    run_tasks()
    to_alice = [message for message in mail.outbox if message.to == ["alice@example.org"]]
    assert len(to_alice) == 1
    assert "already have an account" in to_alice[0].body or "déjà un compte" in to_alice[0].body


def test_it_gives_the_same_page_for_an_existing_address(client: Client, personas: Personas) -> None:
    new = client.post("/inscription/", sign_up_form())
    existing = client.post("/inscription/", sign_up_form(email="alice@example.org"))

    assert new.status_code == existing.status_code == 302
    assert new["Location"] == existing["Location"]


@pytest.mark.parametrize(
    ("field", "value", "code_fragment"),
    [
        ("email", "not-an-email", "email"),
        ("email", "a" * 250 + "@example.org", "email"),
        ("first_name", "Jean\u202ene", "first_name"),
        ("first_name", "Jean\u200bne", "first_name"),
        ("last_name", "Du\u2028pont", "last_name"),
        ("last_name", "x" * 151, "last_name"),
        ("last_name", "1234", "last_name"),
        ("password", "short", "password"),
        ("nickname", "Bad\nName", "nickname"),
        ("nickname", "Mairie officielle", "nickname"),
        ("nickname", "jo@example.org", "nickname"),
        ("nickname", "appelez 06 12 34 56 78", "nickname"),
    ],
)
def test_it_rejects_bad_input_on_the_api_and_changes_nothing(
    client: Client, field: str, value: str, code_fragment: str
) -> None:
    response = client.post(
        "/api/v1/auth/register", register_body(**{field: value}), content_type="application/json"
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert any(error["field"] == code_fragment for error in body["errors"])
    assert not User.objects.exists()
    assert not OutgoingEmail.objects.exists()


def test_it_refuses_a_nul_character_anywhere_in_the_body(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/register",
        register_body(first_name="Jean\u0000ne"),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_characters"
    assert not User.objects.exists()


def test_it_rejects_bad_input_on_the_page_with_messages_by_field(client: Client) -> None:
    response = client.post(
        "/inscription/", sign_up_form(first_name="", password="abc", password_again="abd")
    )

    assert response.status_code == 422
    form = response.context["form"]
    assert "first_name" in form.errors
    assert "password_again" in form.errors
    assert not User.objects.exists()


def test_it_explains_in_french_what_a_weak_password_lacks(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/register",
        register_body(password="motdepasse"),
        content_type="application/json",
        headers={"Accept-Language": "fr"},
    )

    messages = [error["message"] for error in response.json()["errors"]]
    assert any("majuscule" in message and "chiffre" in message for message in messages), messages


def test_it_rate_limits_sign_ups_from_one_address(client: Client, settings: object) -> None:
    for number in range(10):
        client.post(
            "/api/v1/auth/register",
            register_body(email=f"person{number}@example.org"),
            content_type="application/json",
        )
    response = client.post(
        "/api/v1/auth/register",
        register_body(email="one-too-many@example.org"),
        content_type="application/json",
    )

    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0
    assert not User.objects.filter(email="one-too-many@example.org").exists()


def test_it_lets_a_confirmed_person_log_in_afterwards(client: Client) -> None:
    client.post("/api/v1/auth/register", register_body(), content_type="application/json")
    response = client.post(
        "/api/v1/auth/login",
        {"email": "jeanne@example.org", "password": GOOD_PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["email_confirmed"] is False
    assert PASSWORD != GOOD_PASSWORD
