from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from vigie.accounts.models import EmailChange, User, UserSession
from vigie.accounts.tests.helpers import mailed_link
from vigie.audit.models import AuditEvent
from vigie.test import PASSWORD, Personas, log_in_as, run_tasks

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nouveau-mot-2027!"


def test_it_changes_the_password_knowing_the_current_one_and_ends_other_sessions(
    client: Client, personas: Personas
) -> None:
    other_device = log_in_as(Client(), personas.alice)
    log_in_as(client, personas.alice)

    response = client.post(
        "/compte/mot-de-passe/",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert client.get("/compte/").status_code == 200  # this session stays
    assert other_device.get("/compte/").status_code == 302  # the other one ended
    assert UserSession.objects.filter(user=personas.alice).count() == 1
    personas.alice.refresh_from_db()
    assert personas.alice.check_password(NEW_PASSWORD)
    run_tasks()
    assert mail.outbox[-1].to == ["alice@example.org"]


def test_it_refuses_a_password_change_with_a_wrong_current_password(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.alice)

    response = client.post(
        "/api/v1/me/password",
        {"current_password": "Wrong-password-1!", "new_password": NEW_PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "current_password"
    personas.alice.refresh_from_db()
    assert personas.alice.check_password(PASSWORD)


def test_it_changes_the_email_after_confirmation_and_tells_the_old_address(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.alice)

    response = client.post(
        "/compte/email/", {"new_email": "Alice.New@Example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    run_tasks()
    link = mailed_link(to="alice.new@example.org")
    personas.alice.refresh_from_db()
    assert personas.alice.email == "alice@example.org"  # nothing changes before the link

    client.get(link)
    confirmed = client.post("/compte/email/confirmer/")

    assert confirmed.status_code == 302
    personas.alice.refresh_from_db()
    assert personas.alice.email == "alice.new@example.org"
    run_tasks()
    notice = [message for message in mail.outbox if message.to == ["alice@example.org"]]
    assert len(notice) == 1
    assert "a•••@example.org" in notice[0].body
    assert AuditEvent.objects.filter(event_type="account.email_changed").count() == 1


def test_it_asks_for_the_password_before_an_email_change(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.alice)

    response = client.post(
        "/api/v1/me/email",
        {"new_email": "alice.new@example.org", "password": "Wrong-password-1!"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert not EmailChange.objects.exists()


def test_it_refuses_to_take_an_address_another_account_uses(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.alice)
    client.post("/compte/email/", {"new_email": "mallory@example.org", "password": PASSWORD})
    run_tasks()

    client.get(mailed_link(to="mallory@example.org"))
    response = client.post("/compte/email/confirmer/")

    assert response.status_code == 422
    assert User.objects.get(pk=personas.alice.pk).email == "alice@example.org"


def test_it_updates_the_profile_and_rejects_control_characters(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.alice)

    good = client.patch("/api/v1/me", {"nickname": "Alice du 12"}, content_type="application/json")
    bad = client.patch("/api/v1/me", {"first_name": "Al\u0007ice"}, content_type="application/json")
    too_long = client.patch("/api/v1/me", {"nickname": "x" * 41}, content_type="application/json")

    assert good.status_code == 200
    assert good.json()["display_name"] == "Alice du 12"
    assert bad.status_code == 422
    assert too_long.status_code == 422
    personas.alice.refresh_from_db()
    assert personas.alice.first_name == "Alice"


@pytest.mark.parametrize("persona", ["anonymous"])
def test_it_keeps_account_pages_and_api_for_logged_in_people(client: Client, persona: str) -> None:
    for path in ["/compte/", "/compte/sessions/", "/compte/jetons/", "/compte/mot-de-passe/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/connexion/")
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_it_limits_guesses_of_the_current_password(client: Client, personas: Personas) -> None:
    log_in_as(client, personas.alice)

    statuses = [
        client.post(
            "/api/v1/me/password",
            {"current_password": f"Guess-number-{n}!", "new_password": NEW_PASSWORD},
            content_type="application/json",
        ).status_code
        for n in range(11)
    ]

    assert statuses == [422] * 10 + [429]
