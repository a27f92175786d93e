from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.test import Client
from django.utils import timezone

from vigie.accounts.models import UserSession
from vigie.accounts.session_store import SessionStore
from vigie.test import Personas, log_in_as

pytestmark = pytest.mark.django_db


def test_it_lists_my_sessions_without_their_secret_keys(client: Client, personas: Personas) -> None:
    log_in_as(Client(), personas.alice)
    log_in_as(client, personas.alice)

    listed = client.get("/api/v1/me/sessions").json()
    page = client.get("/compte/sessions/").content.decode()

    assert len(listed) == 2
    assert [row["current"] for row in listed].count(True) == 1
    for session in UserSession.objects.filter(user=personas.alice):
        assert session.session_key not in page
        assert session.session_key not in str(listed)


def test_it_ends_my_other_sessions(client: Client, personas: Personas) -> None:
    other = log_in_as(Client(), personas.alice)
    log_in_as(client, personas.alice)

    response = client.post("/compte/sessions/", {"scope": "others"})

    assert response.status_code == 302
    assert other.get("/compte/").status_code == 302
    assert client.get("/compte/").status_code == 200


def test_it_ends_one_session_by_its_public_id(client: Client, personas: Personas) -> None:
    other = log_in_as(Client(), personas.alice)
    log_in_as(client, personas.alice)
    other_id = next(
        row["id"] for row in client.get("/api/v1/me/sessions").json() if not row["current"]
    )

    response = client.delete(f"/api/v1/me/sessions/{other_id}")

    assert response.status_code == 204
    assert other.get("/compte/").status_code == 302


def test_it_answers_404_for_another_persons_session(client: Client, personas: Personas) -> None:
    alice_client = log_in_as(Client(), personas.alice)
    alice_id = alice_client.get("/api/v1/me/sessions").json()[0]["id"]
    log_in_as(client, personas.mallory)

    response = client.delete(f"/api/v1/me/sessions/{alice_id}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert alice_client.get("/compte/").status_code == 200


def test_it_ends_a_staff_session_after_thirty_idle_minutes(
    client: Client, personas: Personas
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        log_in_as(client, personas.carol, second_factor=True)
        traveller.shift(timedelta(minutes=29))
        assert client.get("/compte/").status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get("/compte/").status_code == 200  # activity kept it alive
        traveller.shift(timedelta(minutes=31))
        assert client.get("/compte/").status_code == 302


def test_it_ends_a_staff_session_after_twelve_hours_even_when_active(
    client: Client, personas: Personas
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        log_in_as(client, personas.carol, second_factor=True)
        for _step in range(30):
            traveller.shift(timedelta(minutes=25))
            client.get("/compte/")
        assert client.get("/compte/").status_code == 302


def test_it_keeps_a_resident_session_thirty_days_at_most(
    client: Client, personas: Personas
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        log_in_as(client, personas.alice)
        for _week in range(4):
            traveller.shift(timedelta(days=7))
            assert client.get("/compte/").status_code == 200
        traveller.shift(timedelta(days=3))
        assert client.get("/compte/").status_code == 302


def test_it_ends_a_resident_session_left_unused_for_fourteen_days(
    client: Client, personas: Personas
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        log_in_as(client, personas.alice)
        traveller.shift(timedelta(days=13))
        assert client.get("/compte/").status_code == 200  # used: the fortnight starts again
        traveller.shift(timedelta(days=13))
        assert client.get("/compte/").status_code == 200
        traveller.shift(timedelta(days=15))
        assert client.get("/compte/").status_code == 302


def test_it_logs_out_when_ending_the_current_session(client: Client, personas: Personas) -> None:
    log_in_as(client, personas.carol, second_factor=True)
    current = next(row["id"] for row in client.get("/api/v1/me/sessions").json() if row["current"])

    response = client.delete(f"/api/v1/me/sessions/{current}")

    assert response.status_code == 204
    assert client.get("/compte/").status_code == 302


def test_it_keeps_an_ended_session_dead_when_a_request_saved_it_meanwhile(
    personas: Personas,
) -> None:
    """A thief's request saving the session while its owner ends it cannot revive it."""
    owner = log_in_as(Client(), personas.alice)
    session_key = owner.cookies[settings.SESSION_COOKIE_NAME].value
    thief = Client()
    thief.cookies[settings.SESSION_COOKIE_NAME] = session_key
    assert thief.get("/api/v1/communities").status_code == 200  # cached now
    thiefs_request = SessionStore(session_key)
    thiefs_request.load()
    thiefs_request["seen"] = True
    DatabaseStore.save(thiefs_request)  # its row is written...

    UserSession.objects.filter(session_key=session_key).delete()  # ...the owner ends it...
    data = dict(thiefs_request.items())
    # ...and the request writes the cache, as cached_db does.
    thiefs_request._cache.set(thiefs_request.cache_key, data, thiefs_request.get_expiry_age())

    assert thief.get("/api/v1/communities").status_code == 401


def test_it_leaves_a_tombstone_when_logging_out(personas: Personas) -> None:
    browser = log_in_as(Client(), personas.alice)
    session_key = browser.cookies[settings.SESSION_COOKIE_NAME].value
    assert browser.get("/api/v1/communities").status_code == 200
    reader = SessionStore(session_key)
    read_before = reader.load()  # a request reading while the logout happens

    browser.post("/deconnexion/")
    reader._cache.add(reader.cache_key, read_before, 3600)  # ...then caching what it read

    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = session_key
    assert stolen.get("/api/v1/communities").status_code == 401
