from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from vigie.accounts.models import AccessToken
from vigie.test import PASSWORD, Personas, Response, log_in_as, totp_code

pytestmark = pytest.mark.django_db


def create_token_with_password(client: Client, email: str, **extra: str) -> Response:
    return client.post(
        "/api/v1/auth/tokens",
        {"name": "Mon téléphone", "email": email, "password": PASSWORD, **extra},
        content_type="application/json",
    )


def test_it_creates_a_token_shown_once_and_stored_hashed(
    client: Client, personas: Personas
) -> None:
    response = create_token_with_password(client, "alice@example.org")

    assert response.status_code == 201
    secret = response.json()["token"]
    stored = AccessToken.objects.get(user=personas.alice)
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {stored.digest, stored.prefix, stored.name}
    listed = client.get("/api/v1/auth/tokens", headers={"Authorization": f"Bearer {secret}"})
    assert "token" not in listed.json()[0]


def test_it_accepts_a_good_token_and_refuses_a_wrong_or_revoked_one(
    client: Client, personas: Personas
) -> None:
    secret = create_token_with_password(client, "alice@example.org").json()["token"]
    bearer = {"Authorization": f"Bearer {secret}"}
    anonymous = Client()

    assert anonymous.get("/api/v1/me", headers=bearer).json()["id"] == personas.alice.pk
    wrong = anonymous.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}x"})
    assert wrong.status_code == 401
    token_id = AccessToken.objects.get().pk
    assert anonymous.delete(f"/api/v1/auth/tokens/{token_id}", headers=bearer).status_code == 204
    revoked = anonymous.get("/api/v1/me", headers=bearer)
    assert revoked.status_code == 401
    assert revoked.json()["code"] == "not_authenticated"


def test_it_creates_tokens_from_the_page_and_revokes_them(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.alice)

    created = client.post("/compte/jetons/", {"name": "Tablette"})

    assert created.status_code == 200
    secret = created.context["new_secret"]
    assert secret in created.content.decode()
    assert client.get("/compte/jetons/").content.decode().count(secret) == 0
    token = AccessToken.objects.get(user=personas.alice)
    client.post(f"/compte/jetons/{token.pk}/revoquer/")
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("intruder", ["mallory", "bob"])
def test_it_answers_404_when_someone_else_revokes_my_token(
    client: Client, personas: Personas, intruder: str
) -> None:
    create_token_with_password(Client(), "alice@example.org")
    token = AccessToken.objects.get(user=personas.alice)
    log_in_as(client, getattr(personas, intruder))

    page = client.post(f"/compte/jetons/{token.pk}/revoquer/")
    api = client.delete(f"/api/v1/auth/tokens/{token.pk}", headers={"X-CSRFToken": "x"})
    missing = client.post("/compte/jetons/999999/revoquer/")

    assert page.status_code == missing.status_code == 404
    assert api.status_code in (403, 404)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_refuses_token_operations_to_an_anonymous_visitor(
    client: Client, personas: Personas
) -> None:
    assert client.get("/api/v1/auth/tokens").status_code == 401
    assert client.delete("/api/v1/auth/tokens/1").status_code == 401
    response = client.post("/api/v1/auth/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 401


def test_it_needs_the_second_factor_for_a_token_of_an_account_that_has_one(
    client: Client, personas: Personas
) -> None:
    without = create_token_with_password(client, "carol@example.org")
    with_code = create_token_with_password(
        client, "carol@example.org", otp_code=totp_code(personas.carol)
    )

    assert without.status_code == 401
    assert without.json()["code"] == "second_factor_required"
    assert with_code.status_code == 201
    assert AccessToken.objects.get(user=personas.carol).with_second_factor


def test_it_requires_csrf_for_session_writes_on_the_api(
    personas: Personas,
) -> None:
    browser = Client(enforce_csrf_checks=True)
    log_in_as(browser, personas.alice)

    response = browser.post("/api/v1/auth/tokens", {"name": "x"}, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"


def test_it_revokes_every_token_when_the_password_changes(
    client: Client, personas: Personas
) -> None:
    secret = create_token_with_password(Client(), "alice@example.org").json()["token"]
    log_in_as(client, personas.alice)
    client.post(
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": "Nouveau-mot-2027!"},
        content_type="application/json",
    )

    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})

    assert response.status_code == 401


def test_it_revokes_the_calling_token_at_logout(personas: Personas) -> None:
    secret = create_token_with_password(Client(), "alice@example.org").json()["token"]
    bearer = {"Authorization": f"Bearer {secret}"}

    assert Client().post("/api/v1/auth/logout", headers=bearer).status_code == 204
    assert Client().get("/api/v1/me", headers=bearer).status_code == 401


def test_it_gives_staff_tokens_the_lifetime_of_a_staff_session(personas: Personas) -> None:
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        secret = create_token_with_password(
            Client(), "carol@example.org", otp_code=totp_code(personas.carol)
        ).json()["token"]
        bearer = {"Authorization": f"Bearer {secret}"}
        assert Client().get("/api/v1/me", headers=bearer).status_code == 200
        traveller.shift(timedelta(hours=12, minutes=1))
        assert Client().get("/api/v1/me", headers=bearer).status_code == 401
