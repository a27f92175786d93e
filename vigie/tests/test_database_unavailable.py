"""The database away (a restart, a failover): 503 with Retry-After, one warning, nothing done."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.db.utils import InterfaceError, OperationalError
from django.test import Client

from vigie.accounts.actions import do_create_access_token
from vigie.posts.models import Post
from vigie.test import Personas, log_in_as, neighbourhood_a

pytestmark = pytest.mark.django_db

REFUSED = "connection to server at 127.0.0.1, port 5432 failed: Connection refused"


@contextmanager
def database_away(when: Callable[[str], bool] = lambda sql: True) -> Iterator[None]:
    """Every statement ``when`` picks fails as it does while PostgreSQL restarts."""

    def refuse(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        if when(sql):
            raise OperationalError(REFUSED)
        return execute(sql, *args)

    with connection.execute_wrapper(refuse):
        yield


def logged(caplog: pytest.LogCaptureFixture) -> list[tuple[str, int, bool]]:
    return [(record.name, record.levelno, record.exc_info is not None) for record in caplog.records]


def test_it_answers_a_page_503_with_retry_after_and_logs_one_warning(
    personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    alice = log_in_as(Client(raise_request_exception=False), personas.alice)
    community = neighbourhood_a()

    with caplog.at_level(logging.INFO), database_away():
        answer = alice.get(f"/quartiers/{community.pk}/", headers={"accept-language": "en"})

    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    assert answer["Content-Type"].startswith("text/html")
    assert b"Service momentarily unavailable" in answer.content
    assert b"Traceback" not in answer.content
    assert REFUSED.encode() not in answer.content
    assert ("vigie.database", logging.WARNING, False) in logged(caplog)
    assert [entry for entry in logged(caplog) if entry[1] >= logging.ERROR] == []


def test_it_answers_the_api_503_unavailable_in_its_error_shape(
    personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    _token, secret = do_create_access_token(personas.alice, name="phone", with_second_factor=False)
    client = Client(raise_request_exception=False, headers={"authorization": f"Bearer {secret}"})
    community = neighbourhood_a()

    with caplog.at_level(logging.INFO), database_away():
        answer = client.get(f"/api/v1/communities/{community.pk}/posts")

    assert answer.status_code == 503
    assert answer["Retry-After"] == "5"
    assert answer.json() == {"detail": answer.json()["detail"], "code": "unavailable"}
    assert REFUSED not in answer.json()["detail"]
    assert ("vigie.database", logging.WARNING, False) in logged(caplog)
    assert [entry for entry in logged(caplog) if entry[1] >= logging.ERROR] == []


def test_it_refuses_a_write_cut_off_by_the_database_and_keeps_nothing_of_it(
    personas: Personas,
) -> None:
    _token, secret = do_create_access_token(personas.alice, name="phone", with_second_factor=False)
    client = Client(raise_request_exception=False, headers={"authorization": f"Bearer {secret}"})
    community = neighbourhood_a()
    before = Post.objects.count()

    # The post's row goes in, then the database goes before the audit row follows it.
    with database_away(when=lambda sql: "audit" in sql and sql.lstrip().startswith("INSERT")):
        answer = client.post(
            f"/api/v1/communities/{community.pk}/posts",
            {"kind": "information", "title": "Perceuse", "body": "À prêter samedi."},
            content_type="application/json",
        )

    assert answer.status_code == 503
    assert answer.json()["code"] == "unavailable"
    assert Post.objects.count() == before


def test_it_keeps_nothing_of_a_write_whose_answer_the_database_cut_off(
    personas: Personas,
) -> None:
    _token, secret = do_create_access_token(personas.alice, name="phone", with_second_factor=False)
    client = Client(raise_request_exception=False, headers={"authorization": f"Bearer {secret}"})
    community = neighbourhood_a()
    before = Post.objects.count()
    written: list[str] = []

    def after_the_post_is_in(sql: str) -> bool:
        # The action has written its post and its audit row, and ended; the database goes
        # as the view reads the post back for its answer.
        if sql.lstrip().startswith('INSERT INTO "audit_auditevent"'):
            written.append(sql)
        return bool(written) and sql.lstrip().startswith("SELECT") and "posts_post" in sql

    with database_away(when=after_the_post_is_in):
        answer = client.post(
            f"/api/v1/communities/{community.pk}/posts",
            {"kind": "information", "title": "Perceuse", "body": "À prêter samedi."},
            content_type="application/json",
        )

    assert written
    assert answer.status_code == 503
    assert Post.objects.count() == before  # refused, so not kept


def test_it_answers_503_when_a_middleware_meets_the_database_gone(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from vigie.moderation.middleware import TermsMiddleware

    def closed(self: object, request: object) -> None:
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(TermsMiddleware, "__call__", closed)
    alice = log_in_as(Client(raise_request_exception=False), personas.alice)

    with caplog.at_level(logging.INFO):
        page = alice.get("/compte/")
        api = alice.get("/api/v1/me")

    assert (page.status_code, api.status_code) == (503, 503)
    assert page["Retry-After"] == api["Retry-After"] == "5"
    assert api.json()["code"] == "unavailable"
    assert [entry for entry in logged(caplog) if entry[1] >= logging.ERROR] == []


def test_it_still_answers_500_with_its_traceback_logged_for_other_database_errors(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from django.db.utils import ProgrammingError

    def broken(*args: object, **kwargs: object) -> None:
        raise ProgrammingError('relation "posts_post" does not exist')

    monkeypatch.setattr("vigie.accounts.views.render_form", broken)
    alice = log_in_as(Client(raise_request_exception=False), personas.alice)

    with caplog.at_level(logging.ERROR):
        answer = alice.get("/compte/")

    assert answer.status_code == 500
    assert "Retry-After" not in answer
    assert ("django.request", logging.ERROR, True) in logged(caplog)
