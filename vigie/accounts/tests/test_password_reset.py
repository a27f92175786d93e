from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from vigie.accounts.models import UserSession
from vigie.accounts.tests.helpers import mailed_link
from vigie.test import Personas, Response, log_in_as, run_tasks

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Nouveau-mot-2027!"


def ask_reset(client: Client, email: str) -> Response:
    return client.post(
        "/api/v1/auth/password-reset", {"email": email}, content_type="application/json"
    )


def test_it_answers_the_same_whether_the_address_is_known_or_not(
    client: Client, personas: Personas
) -> None:
    known = ask_reset(client, "alice@example.org")
    unknown = ask_reset(client, "nobody@example.org")

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    run_tasks()
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]


def test_it_gives_the_same_page_whether_the_address_is_known_or_not(
    client: Client, personas: Personas
) -> None:
    known = client.post("/mot-de-passe-oublie/", {"email": "alice@example.org"})
    unknown = client.post("/mot-de-passe-oublie/", {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_it_resets_the_password_once_through_the_link_and_ends_every_session(
    client: Client, personas: Personas
) -> None:
    other_device = log_in_as(Client(), personas.alice)
    client.post("/mot-de-passe-oublie/", {"email": "alice@example.org"})
    run_tasks()
    link = mailed_link(to="alice@example.org")

    landing = client.get(link)
    assert landing["Location"] == "/mot-de-passe-oublie/nouveau/"
    response = client.post(
        "/mot-de-passe-oublie/nouveau/",
        {"new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )

    assert response.status_code == 302
    personas.alice.refresh_from_db()
    assert personas.alice.check_password(NEW_PASSWORD)
    assert not UserSession.objects.filter(user=personas.alice).exists()
    assert other_device.get("/compte/").status_code == 302
    # The same link cannot be used twice.
    client.get(link)
    assert client.get("/mot-de-passe-oublie/nouveau/").status_code == 404


def test_it_refuses_a_link_older_than_one_hour(client: Client, personas: Personas) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        ask_reset(client, "alice@example.org")
        run_tasks()
        link = mailed_link(to="alice@example.org")
        traveller.shift(timedelta(minutes=61))

        client.get(link)
        response = client.get("/mot-de-passe-oublie/nouveau/")

    assert response.status_code == 404


def test_it_resets_through_the_api_and_refuses_a_bad_token(
    client: Client, personas: Personas
) -> None:
    ask_reset(client, "alice@example.org")
    run_tasks()
    _prefix, _word, uid, token, _end = mailed_link(to="alice@example.org").split("/")[1:]
    bad = client.post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": uid, "token": "x" + token[1:], "new_password": NEW_PASSWORD},
        content_type="application/json",
    )
    weak = client.post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": "weak"},
        content_type="application/json",
    )
    good = client.post(
        "/api/v1/auth/password-reset/confirm",
        {"uid": uid, "token": token, "new_password": NEW_PASSWORD},
        content_type="application/json",
    )

    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_link"
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["field"] == "new_password"
    assert good.status_code == 200
    personas.alice.refresh_from_db()
    assert personas.alice.check_password(NEW_PASSWORD)


def test_it_rate_limits_reset_requests(client: Client, personas: Personas) -> None:
    statuses = [ask_reset(client, "alice@example.org").status_code for _ in range(6)]

    assert statuses == [202] * 5 + [429]
