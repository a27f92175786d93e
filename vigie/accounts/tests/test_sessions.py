from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.test import Client
from django.utils import timezone

from vigie.accounts.models import UserSession
from vigie.accounts.session_store import SessionStore
from vigie.test import PASSWORD, Personas, log_in_as

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


def _security_events(caplog: pytest.LogCaptureFixture, name: str) -> list[dict[str, object]]:
    return [
        record.security  # type: ignore[attr-defined]
        for record in caplog.records
        if getattr(record, "security", {}).get("event") == name
    ]


def test_it_lets_the_team_end_every_session_of_a_member_without_closing_the_account(
    personas: Personas,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """ASVS 7.4.5, from the member's moderation page."""
    from vigie.audit.models import AuditEvent

    phone, laptop = log_in_as(Client(), personas.alice), log_in_as(Client(), personas.alice)
    secret = (
        Client()
        .post(
            "/api/v1/auth/tokens",
            {"name": "Téléphone", "email": "alice@example.org", "password": PASSWORD},
            content_type="application/json",
        )
        .json()["token"]
    )
    bearer = {"Authorization": f"Bearer {secret}"}
    assert phone.get("/compte/").status_code == 200  # read once: now in the cache too
    bob = log_in_as(Client(), personas.bob)
    team = log_in_as(Client(), personas.carol, second_factor=True)
    page = f"/equipe/moderation/membres/{personas.alice.pk}/"
    assert "/sessions/" in team.get(page).content.decode()  # the button is on the page

    with (
        caplog.at_level(logging.INFO, logger="vigie.security"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        answer = team.post(f"{page}sessions/")

    assert answer.status_code == 302
    assert answer["Location"] == page
    assert phone.get("/compte/").status_code == 302  # at once, cached copy or not
    assert laptop.get("/compte/").status_code == 302
    assert Client().get("/api/v1/me", headers=bearer).status_code == 401
    assert bob.get("/compte/").status_code == 200  # nobody else's
    assert team.get("/compte/").status_code == 200
    personas.alice.refresh_from_db()
    assert personas.alice.is_active  # the account stays open
    assert (
        Client()
        .post("/connexion/", {"email": "alice@example.org", "password": PASSWORD})
        .status_code
        == 302
    )
    event = AuditEvent.objects.get(event_type="account.sessions_ended")
    assert event.actor_id == personas.carol.pk
    assert event.target_id == str(personas.alice.pk)
    assert event.data == {"count": 2, "reason": "ended_by_team"}
    assert (
        AuditEvent.objects.filter(
            event_type="account.token_revoked", actor_id=personas.carol.pk
        ).count()
        == 1
    )
    [logged] = _security_events(caplog, "sessions_ended")
    assert logged["outcome"] == "ended_by_team"
    assert (logged["user_id"], logged["subject_id"]) == (personas.carol.pk, personas.alice.pk)
    assert (logged["count"], logged["tokens"]) == (2, 1)


def test_it_lets_the_team_end_a_members_sessions_through_the_api(personas: Personas) -> None:
    member = log_in_as(Client(), personas.alice)
    url = f"/api/v1/moderation/users/{personas.alice.pk}/sessions"

    for persona in (personas.mallory, personas.dave, personas.alice):
        refused = log_in_as(Client(), persona).delete(url)
        assert refused.status_code == 404  # the team's operations do not exist for others
    assert member.get("/compte/").status_code == 200
    unverified = log_in_as(Client(), personas.carol).delete(url)  # no second factor
    assert unverified.status_code == 404

    answer = log_in_as(Client(), personas.carol, second_factor=True).delete(url)

    assert answer.status_code == 200
    assert answer.json() == {"ended": 2}  # hers: the member's browser and her own try above
    assert member.get("/compte/").status_code == 302
    assert not UserSession.objects.filter(user=personas.alice).exists()
    missing = log_in_as(Client(), personas.carol, second_factor=True).delete(
        "/api/v1/moderation/users/999999/sessions"
    )
    assert missing.status_code == 404


def test_it_ends_every_session_from_the_command_line_after_a_dry_run(
    personas: Personas,
) -> None:
    """ASVS 7.4.5: `manage.py end_all_sessions` after a compromise."""
    from io import StringIO

    from django.core.management import call_command

    from vigie.audit.models import AuditEvent

    browsers = [log_in_as(Client(), user) for user in (personas.alice, personas.bob)]
    browsers.append(log_in_as(Client(), personas.carol, second_factor=True))
    browsers.append(log_in_as(Client(), personas.alice))
    for browser in browsers:
        assert browser.get("/compte/").status_code == 200

    dry = StringIO()
    call_command("end_all_sessions", "--dry-run", stdout=dry)

    assert "Would end 4 session(s)." in dry.getvalue()
    assert UserSession.objects.count() == 4
    assert all(browser.get("/compte/").status_code == 200 for browser in browsers)

    out = StringIO()
    call_command("end_all_sessions", stdout=out)

    assert "Ended 4 session(s)." in out.getvalue()
    assert UserSession.objects.count() == 0
    assert all(browser.get("/compte/").status_code == 302 for browser in browsers)
    ended = {
        event.target_id: event.data
        for event in AuditEvent.objects.filter(event_type="account.sessions_ended")
    }
    assert ended == {
        str(personas.alice.pk): {"count": 2, "reason": "ended_by_operator"},
        str(personas.bob.pk): {"count": 1, "reason": "ended_by_operator"},
        str(personas.carol.pk): {"count": 1, "reason": "ended_by_operator"},
    }
    assert (
        AuditEvent.objects.filter(event_type="account.sessions_ended", actor_id=None).count() == 3
    )
