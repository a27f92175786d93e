"""Security events: every refused access and every staff action, as JSON lines without secrets."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from vigie.lib.security_log import JsonFormatter, log_security_event
from vigie.posts.models import Post
from vigie.test import PASSWORD, Personas, log_in_as, neighbourhood_a

pytestmark = pytest.mark.django_db


def events(caplog: pytest.LogCaptureFixture, name: str) -> list[dict[str, Any]]:
    return [
        record.security  # type: ignore[attr-defined]
        for record in caplog.records
        if getattr(record, "security", {}).get("event") == name
    ]


def dave_post(personas: Personas) -> Post:
    return Post.objects.create(
        community=neighbourhood_a(), author=personas.dave, kind="information", title="Vélo"
    )


def test_it_logs_the_404_another_neighbourhood_gets_like_a_missing_object(
    personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    post = dave_post(personas)
    mallory = log_in_as(Client(), personas.mallory)

    with caplog.at_level(logging.INFO, logger="vigie.security"):
        page = mallory.get(f"/publications/{post.pk}/")
        api = mallory.get(f"/api/v1/posts/{post.pk}")
        missing = mallory.get("/api/v1/posts/999999")

    assert (page.status_code, api.status_code, missing.status_code) == (404, 404, 404)
    refused = events(caplog, "access_refused")
    assert [(event["view"], event["status"]) for event in refused] == [
        ("posts:post", 404),
        ("api:post", 404),
        ("api:post", 404),
    ]
    assert {event["user_id"] for event in refused} == {personas.mallory.pk}
    # Hidden and missing are one and the same, in the log as in the answer.
    assert refused[1]["code"] == refused[2]["code"] == "not_found"


def test_it_logs_refusals_to_an_unverified_member_and_to_a_visitor(
    personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    community = neighbourhood_a().pk
    bob = log_in_as(Client(), personas.bob)

    with caplog.at_level(logging.INFO, logger="vigie.security"):
        by_bob = bob.get(f"/api/v1/communities/{community}/posts")
        by_visitor_page = Client().get("/compte/")
        by_visitor_api = Client().get("/api/v1/me")

    assert by_bob.status_code == 404
    assert by_visitor_page.status_code == 302
    assert by_visitor_api.status_code == 401
    refused = events(caplog, "access_refused")
    assert [(event.get("user_id"), event["outcome"]) for event in refused] == [
        (personas.bob.pk, "not_found"),
        (None, "unauthenticated"),
        (None, "unauthenticated"),
    ]


def test_it_logs_every_request_of_the_team_with_its_second_factor(
    personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    carol = log_in_as(Client(), personas.carol, second_factor=True)

    with caplog.at_level(logging.INFO, logger="vigie.security"):
        carol.get("/equipe/moderation/")
        carol.post(
            f"/api/v1/moderation/users/{personas.dave.pk}/sanctions",
            {"kind": "warned", "clause": "4", "explanation": "Restez courtois."},
            content_type="application/json",
        )
        log_in_as(Client(), personas.alice).get("/voisinage/")

    actions = events(caplog, "staff_action")
    assert [(event["method"], event["view"]) for event in actions] == [
        ("GET", "moderation:team_queue"),
        ("POST", "api:sanction"),
    ]
    assert all(event["user_id"] == personas.carol.pk for event in actions)
    assert all(event["second_factor"] is True for event in actions)


def test_it_keeps_passwords_addresses_and_tokens_out_of_the_log(
    personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    with caplog.at_level(logging.INFO):
        client.post(
            "/api/v1/auth/login",
            {"email": "alice@example.org", "password": "Wrong-password-2026!"},
            content_type="application/json",
        )
        client.post(
            "/api/v1/auth/login",
            {"email": "alice@example.org", "password": PASSWORD},
            content_type="application/json",
        )
        client.get("/lien/confirmer/not-a-real-token-but-secret-looking/")
        client.get(f"/publications/{dave_post(personas).pk}/")

    formatter = JsonFormatter()
    written = "\n".join(formatter.format(record) for record in caplog.records)
    for secret in ("Wrong-password", PASSWORD, "alice@example.org", "secret-looking", "Martin"):
        assert secret not in written
    session = client.cookies.get("sessionid") or next(iter(client.cookies.values()), None)
    if session is not None:
        assert session.value not in written


def test_it_writes_one_line_per_event_whatever_the_fields_hold(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="vigie.security"):
        log_security_event(
            "login", outcome='failure"\n{"event": "login", "outcome": "success"}', reason="\r\n"
        )

    [record] = caplog.records
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert "\r" not in line
    assert json.loads(line)["outcome"].startswith("failure")


def test_it_mirrors_each_committed_audit_entry_in_the_log_without_its_data(
    personas: Personas, caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
) -> None:
    alice = log_in_as(Client(), personas.alice)

    with (
        caplog.at_level(logging.INFO, logger="vigie.security"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        alice.post(
            f"/api/v1/communities/{neighbourhood_a().pk}/posts",
            {"kind": "information", "title": "Perceuse", "body": "À prêter au 12."},
            content_type="application/json",
        )

    [mirrored] = [
        event for event in events(caplog, "audit_event") if event["type"] == "post.created"
    ]
    post = Post.objects.get(title="Perceuse")
    assert (mirrored["user_id"], mirrored["target_id"]) == (personas.alice.pk, str(post.pk))
    assert "Perceuse" not in json.dumps(mirrored)


def test_it_stamps_every_event_in_utc_whatever_the_local_time_zone(
    caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    # Paris summer time, two hours ahead of UTC: a local stamp would read 14:30.
    moment = datetime.fromisoformat("2027-07-14T12:30:00+00:00")
    with (
        time_machine.travel(moment, tick=False),
        caplog.at_level(logging.INFO, logger="vigie.security"),
    ):
        log_security_event("login", outcome="failure", user_id=7)
    line = JsonFormatter().format(caplog.records[-1])
    stamp = datetime.fromisoformat(json.loads(line)["time"])

    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "Europe/Paris"  # pages show French time, the logs do not
    assert json.loads(line)["time"].endswith("+00:00")
    assert stamp.utcoffset() == timedelta(0)
    assert stamp == moment
