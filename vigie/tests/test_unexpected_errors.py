"""An unexpected failure is logged with its traceback and answered with a generic 500."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from vigie.lib.security_log import JsonFormatter
from vigie.test import Personas, log_in_as

pytestmark = pytest.mark.django_db

INTERNALS = "db-password=hunter2 at /srv/vigie/secret.py"


def explode(*args: object, **kwargs: object) -> None:
    raise RuntimeError(INTERNALS)


def leaks(body: bytes) -> list[str]:
    text = body.decode()
    return [word for word in (INTERNALS, "RuntimeError", "Traceback", "secret.py") if word in text]


def test_it_logs_a_page_failure_and_answers_a_generic_page(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("vigie.accounts.views.render_form", explode)
    alice = log_in_as(Client(raise_request_exception=False), personas.alice)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        answer = alice.get("/compte/")

    logged = [record for record in caplog.records if record.name == "django.request"]
    assert answer.status_code == 500
    assert answer["Content-Type"].startswith("text/html")
    assert leaks(answer.content) == []
    assert [record.levelno for record in logged] == [logging.ERROR]
    assert logged[0].exc_info is not None
    assert str(logged[0].exc_info[1]) == INTERNALS
    line = json.loads(JsonFormatter().format(logged[0]))
    assert INTERNALS in line["exception"]  # the traceback goes to the log, only there


def test_it_logs_an_api_failure_and_answers_generic_json(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("vigie.accounts.api._me", explode)
    alice = log_in_as(Client(raise_request_exception=False), personas.alice)

    with caplog.at_level(logging.ERROR):
        answer = alice.get("/api/v1/me")

    logged = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert answer.status_code == 500
    assert answer.json() == {"detail": answer.json()["detail"], "code": "server_error"}
    assert leaks(answer.content) == []
    # The API's handler logs the traceback; Django's request log records the 500 as well.
    assert [record.name for record in logged] == ["vigie.api", "django.request"]
    assert logged[0].exc_info is not None
    assert INTERNALS in json.loads(JsonFormatter().format(logged[0]))["exception"]
