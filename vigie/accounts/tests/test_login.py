from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from vigie.accounts.models import User, UserSession
from vigie.test import PASSWORD, Personas, Response, log_in_as, totp_code

pytestmark = pytest.mark.django_db


def api_login(client: Client, email: str, password: str, **extra: str) -> Response:
    return client.post(
        "/api/v1/auth/login",
        {"email": email, "password": password, **extra},
        content_type="application/json",
    )


def test_it_logs_in_with_the_api_and_opens_a_session(client: Client, personas: Personas) -> None:
    response = api_login(client, "Alice@Example.org", PASSWORD)

    assert response.status_code == 200
    assert response.json()["id"] == personas.alice.pk
    assert response.json()["second_factor_enabled"] is False
    assert client.get("/api/v1/me").json()["email"] == "alice@example.org"
    session = UserSession.objects.get(user=personas.alice)
    assert session.ip_address == "127.0.0.1"
    assert session.authenticated_at is not None


def test_it_logs_in_with_the_page_and_rotates_the_session_key(
    client: Client, personas: Personas
) -> None:
    client.get("/connexion/")
    client.cookies["vigie-session"] = "attacker-chosen-key"
    response = client.post("/connexion/", {"email": "alice@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert client.cookies["vigie-session"].value != "attacker-chosen-key"
    assert client.get("/compte/").status_code == 200


def test_it_answers_the_same_for_an_unknown_address_and_a_wrong_password(
    client: Client, personas: Personas
) -> None:
    unknown = api_login(client, "nobody@example.org", PASSWORD)
    wrong = api_login(client, "alice@example.org", "Wrong-password-2026!")

    assert unknown.status_code == wrong.status_code == 401
    assert (
        unknown.json()
        == wrong.json()
        == {
            "detail": unknown.json()["detail"],
            "code": "invalid_credentials",
        }
    )


def test_it_answers_the_same_page_for_an_unknown_address_and_a_wrong_password(
    client: Client, personas: Personas
) -> None:
    unknown = client.post("/connexion/", {"email": "nobody@example.org", "password": PASSWORD})
    wrong = client.post("/connexion/", {"email": "alice@example.org", "password": "Nope-2026!!"})

    assert unknown.status_code == wrong.status_code == 422
    assert unknown.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()


def test_it_locks_an_account_and_ip_out_after_five_failures(
    client: Client, personas: Personas
) -> None:
    for _attempt in range(4):
        assert api_login(client, "alice@example.org", "Wrong-password-2026!").status_code == 401

    fifth = api_login(client, "alice@example.org", "Wrong-password-2026!")
    locked = api_login(client, "alice@example.org", PASSWORD)

    assert fifth.status_code == 429
    assert locked.status_code == 429
    assert locked.json()["code"] == "rate_limited"
    assert 0 < int(locked["Retry-After"]) <= 15 * 60 + 1


def test_it_does_not_lock_the_same_account_from_another_address(
    client: Client, personas: Personas
) -> None:
    for _attempt in range(5):
        api_login(client, "alice@example.org", "Wrong-password-2026!")

    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert api_login(elsewhere, "alice@example.org", PASSWORD).status_code == 200


def test_it_releases_the_lock_after_the_cool_off(client: Client, personas: Personas) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _attempt in range(5):
            api_login(client, "alice@example.org", "Wrong-password-2026!")
        assert api_login(client, "alice@example.org", PASSWORD).status_code == 429

        traveller.shift(timedelta(minutes=16))
        assert api_login(client, "alice@example.org", PASSWORD).status_code == 200


def test_it_shows_the_lockout_on_the_page_with_retry_after(
    client: Client, personas: Personas
) -> None:
    for _attempt in range(5):
        client.post("/connexion/", {"email": "alice@example.org", "password": "Nope-2026!!"})
    response = client.post("/connexion/", {"email": "alice@example.org", "password": PASSWORD})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session


def test_it_logs_every_attempt_without_the_password(
    client: Client, personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="vigie.security"):
        api_login(client, "alice@example.org", "Wrong-password-2026!")
        api_login(client, "alice@example.org", PASSWORD)

    events = [record.security for record in caplog.records if hasattr(record, "security")]
    logins = [event for event in events if event["event"] == "login"]
    assert [event["outcome"] for event in logins] == ["failure", "success"]
    assert logins[1]["user_id"] == personas.alice.pk
    assert "email_digest" in logins[0]
    text = json.dumps(events)
    assert "Wrong-password" not in text
    assert PASSWORD not in text
    assert "alice@example.org" not in text


def test_it_upgrades_an_older_hash_at_login(client: Client, personas: Personas) -> None:
    User.objects.filter(pk=personas.alice.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )

    assert api_login(client, "alice@example.org", PASSWORD).status_code == 200
    personas.alice.refresh_from_db()
    assert personas.alice.password.startswith("argon2$argon2id$v=19$m=32768,t=2,p=1$")


def test_it_asks_for_the_second_factor_before_opening_the_session(
    client: Client, personas: Personas
) -> None:
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        without = api_login(client, "carol@example.org", PASSWORD)
        wrong = api_login(client, "carol@example.org", PASSWORD, otp_code="000000")
        # After a wrong code the authenticator is throttled for a second.
        throttled = api_login(
            client, "carol@example.org", PASSWORD, otp_code=totp_code(personas.carol)
        )
        traveller.shift(timedelta(seconds=2))
        right = api_login(client, "carol@example.org", PASSWORD, otp_code=totp_code(personas.carol))

    assert without.status_code == 401
    assert without.json()["code"] == "second_factor_required"
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_second_factor"
    assert throttled.status_code == 401
    assert right.status_code == 200
    assert right.json()["second_factor_enabled"] is True


def test_it_logs_in_with_the_second_factor_page(client: Client, personas: Personas) -> None:
    first = client.post("/connexion/", {"email": "carol@example.org", "password": PASSWORD})
    assert first.status_code == 302
    assert first["Location"].startswith("/connexion/second-facteur/")
    assert "_auth_user_id" not in client.session

    second = client.post("/connexion/second-facteur/", {"code": totp_code(personas.carol)})

    assert second.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.carol.pk)
    assert client.session["otp_device_id"]


def test_it_logs_out_and_ends_the_session_on_the_server(client: Client, personas: Personas) -> None:
    client.post("/connexion/", {"email": "alice@example.org", "password": PASSWORD})
    assert UserSession.objects.filter(user=personas.alice).count() == 1

    client.post("/deconnexion/")

    assert UserSession.objects.filter(user=personas.alice).count() == 0
    assert client.get("/compte/").status_code == 302


def test_it_tells_the_browser_to_clear_its_cache_and_storage_at_logout(
    client: Client, personas: Personas
) -> None:
    """ASVS 14.3.1, on the page, the API (session and token) and ending this session."""
    clear = '"cache", "storage"'  # not "cookies": see vigie.lib.http.CLEAR_SITE_DATA
    log_in_as(client, personas.alice)
    assert "Clear-Site-Data" not in client.get("/compte/")  # only when the session ends

    page = client.post("/deconnexion/")
    assert page.status_code == 302
    assert page["Clear-Site-Data"] == clear
    # The "you are logged out" message, kept in a cookie, reaches the next page.
    assert len(list(client.get(page["Location"]).context["messages"])) == 1

    log_in_as(client, personas.alice)
    api = client.post("/api/v1/auth/logout")
    assert api.status_code == 204
    assert api["Clear-Site-Data"] == clear
    assert client.get("/api/v1/me").status_code == 401

    log_in_as(client, personas.alice)
    current = next(row["id"] for row in client.get("/api/v1/me/sessions").json() if row["current"])
    ended = client.delete(f"/api/v1/me/sessions/{current}")
    assert ended.status_code == 204
    assert ended["Clear-Site-Data"] == clear

    secret = (
        Client()
        .post(
            "/api/v1/auth/tokens",
            {"name": "Mon téléphone", "email": "alice@example.org", "password": PASSWORD},
            content_type="application/json",
        )
        .json()["token"]
    )
    token = Client().post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {secret}"})
    assert token.status_code == 204
    assert token["Clear-Site-Data"] == clear


def test_it_refuses_a_deactivated_account_like_a_wrong_password(
    client: Client, personas: Personas
) -> None:
    User.objects.filter(pk=personas.sam.pk).update(is_active=False)

    response = api_login(client, "sam@example.org", PASSWORD)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_it_refuses_a_malformed_address_like_a_wrong_password(
    client: Client, personas: Personas
) -> None:
    response = api_login(client, "not an address", PASSWORD)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_it_keeps_no_address_in_the_failed_login_records(
    client: Client, personas: Personas
) -> None:
    from axes.models import AccessAttempt

    client.post("/connexion/", {"email": "alice@example.org", "password": "Nope-2026!!"})

    attempt = AccessAttempt.objects.get()
    assert "alice" not in attempt.username
    assert "alice" not in attempt.post_data
    assert "Nope" not in attempt.post_data
