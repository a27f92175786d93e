"""Schemathesis against /api/v1/openapi.json: every operation, as Alice, Carol and nobody.

For each operation of the published schema, schemathesis generates requests (first from
the schema's bounds, then at random; valid and invalid ones) and sends them in-process to
the Django WSGI application with Alice's token (a verified member of A), Carol's (a
moderator whose token passed the second factor) or no credentials at all; Hélène (agent
of the town hall) takes the operations of her console. Every answer must be no server
error and have a documented status code, content type and body; an invalid request
must be refused; a request that succeeded with a token is sent again without it, and
with a wrong one, and must then be refused.

Most ids in a valid path are replaced by those of a small world of real objects (A and
B, Alice's post, Carol's breach…), so the checks go past "404 Not found". The world is
built once for the module, inside a transaction that each test's savepoint rolls back
to; the examples of one test share its savepoint.

Alone: VIGIE_ENV=test .venv/bin/pytest vigie/api/tests/test_schemathesis.py
"""

from __future__ import annotations

import io
import os
import zlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, settings
from PIL import Image
from pytest_django import DjangoDbBlocker
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Ok

from vigie.accounts.actions import do_create_access_token
from vigie.accounts.models import User
from vigie.communities.models import Membership
from vigie.moderation import terms
from vigie.test import (
    PASSWORD,
    Personas,
    forget_shared_cache,
    log_in_as,
    make_personas,
    neighbourhood_a,
    neighbourhood_b,
    run_tasks,
    town_hall,
)
from vigie.wsgi import application

CALLERS = ("alice", "carol", "anonymous")
# Random requests per operation and caller, after those drawn from the schema's bounds;
# more to search longer: VIGIE_SCHEMATHESIS_EXAMPLES=200 pytest vigie/api/tests/test_schemathesis.py
EXAMPLES = int(os.environ.get("VIGIE_SCHEMATHESIS_EXAMPLES", "10"))

CONFIG = schemathesis.Config.from_dict(
    {
        # Deterministic: the same requests on every run, so a failure is reproducible.
        "seed": 2026,
        "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True},
        "phases": {"stateful": {"enabled": False}},
        "checks": {
            # It expects any schema-valid request to succeed; Vigie's inputs are secrets
            # (codes, links, the current password) and references (BAN ids) that only
            # the server can judge, refused with a documented 400 or 422.
            "positive_data_acceptance": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)
town_hall_schema = schema.include(path_regex="^/api/v1/municipalities/")


@dataclass
class World:
    personas: Personas
    # Real ids for each name of a path parameter, used in place of most drawn ones.
    ids: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))


EXERCISED: dict[str, set[str]] = defaultdict(set)


def _json(client: Client, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = getattr(client, method)(path, body or {}, content_type="application/json")
    assert response.status_code < 300, (path, response.status_code, response.content)
    return response.json() if response.content else None


def _photo() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "#3a7").save(data, "JPEG")
    data.seek(0)
    data.name = "photo.jpg"
    return data


def build_world() -> World:
    """A few real objects of every kind a path names, made through the API."""
    personas = make_personas()
    world = World(personas)
    ids = world.ids
    a, b = neighbourhood_a(), neighbourhood_b()
    alice = log_in_as(Client(), personas.alice)
    dave = log_in_as(Client(), personas.dave)
    mallory = log_in_as(Client(), personas.mallory)
    carol = log_in_as(Client(), personas.carol, second_factor=True)

    ids["community_id"] += [a.pk, b.pk]
    post = {"kind": "information", "title": "Fête des voisins", "body": "Samedi, 18 h."}
    alice_post = _json(alice, "post", f"/api/v1/communities/{a.pk}/posts", post)["id"]
    removed_post = _json(alice, "post", f"/api/v1/communities/{a.pk}/posts", post)["id"]
    dave_post = _json(dave, "post", f"/api/v1/communities/{a.pk}/posts", post)["id"]
    mallory_post = _json(mallory, "post", f"/api/v1/communities/{b.pk}/posts", post)["id"]
    ids["post_id"] += [alice_post, dave_post, mallory_post, removed_post]
    comment = {"body": "Merci !"}
    ids["comment_id"] += [
        _json(alice, "post", f"/api/v1/posts/{dave_post}/comments", comment)["id"],
        _json(dave, "post", f"/api/v1/posts/{alice_post}/comments", comment)["id"],
    ]
    uploaded = alice.post(f"/api/v1/posts/{alice_post}/images", {"images": [_photo()]})
    assert uploaded.status_code == 201, uploaded.content
    ids["image_id"] += [image["id"] for image in uploaded.json()]

    alert = {
        "category": "vandalism",
        "happened_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "place": "Rue des Lilas",
        "description": "Une boîte aux lettres arrachée cette nuit.",
    }
    ids["alert_id"] += [
        _json(alice, "post", f"/api/v1/communities/{a.pk}/alerts", alert)["id"],
        _json(dave, "post", f"/api/v1/communities/{a.pk}/alerts", {**alert, "place": "Ici"})["id"],
    ]

    report = {"target_type": "post", "target_id": dave_post, "reason": "spam"}
    open_report = _json(alice, "post", "/api/v1/reports", report)["id"]
    ids["report_id"] += [open_report]
    # A decision about Alice, which she has appealed; Sam's suspension stands unappealed.
    removal = _json(
        dave, "post", "/api/v1/reports", {**report, "target_id": removed_post, "reason": "other"}
    )["id"]
    ids["report_id"] += [removal]
    decision = _json(
        carol,
        "post",
        f"/api/v1/moderation/reports/{removal}/decision",
        {"kind": "removed", "clause": "9", "explanation": "Annonce commerciale."},
    )["id"]
    appeal = _json(
        alice, "post", f"/api/v1/me/decisions/{decision}/appeal", {"text": "C'était un don."}
    )["id"]
    sam_decisions = log_in_as(Client(), personas.sam).get("/api/v1/me/decisions").json()
    ids["decision_id"] += [decision, *(found["id"] for found in sam_decisions)]
    ids["appeal_id"] += [appeal]

    ids["user_id"] += [
        personas.alice.pk,
        personas.sam.pk,
        personas.dave.pk,
        personas.mallory.pk,
    ]
    ids["membership_id"] += list(
        Membership.objects.filter(community=a).values_list("pk", flat=True)[:3]
    )
    ids["town_hall_id"] += [town_hall().pk]
    ids["version"] += [terms.CURRENT.number]
    ids["kind"] += ["sms", "push", "directory", "privacy_policy"]

    breach = {
        "discovered_at": timezone.now().isoformat(),
        "natures": ["confidentiality"],
        "description": "Un courriel envoyé au mauvais destinataire.",
        "people_categories": "membres",
        "data_categories": "adresse électronique",
    }
    ids["breach_id"] += [_json(carol, "post", "/api/v1/privacy/breaches", breach)["id"]]
    export = _json(alice, "post", "/api/v1/me/export", {"password": PASSWORD})["id"]
    run_tasks()
    ids["export_id"] += [export]
    return world


@pytest.fixture(scope="module")
def world(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, tmp_path_factory: Any
) -> Iterator[World]:
    """The world, kept for the whole module in an outer transaction rolled back at its end."""
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    files = {
        "DATA_DIR": folder,
        "LETTERS_DIR": folder / "letters",
        "LETTERS_OUTBOX": folder / "letters" / "outbox",
        "MEDIA_ROOT": folder / "media",
    }
    with django_db_blocker.unblock(), override_settings(**files):
        forget_shared_cache()
        with transaction.atomic():
            try:
                yield build_world()
            finally:
                transaction.set_rollback(True)
        forget_shared_cache()


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder() -> None:
    """The world's files (its photo, its export) stay where the world put them."""


@pytest.fixture
def _one_connection() -> Iterator[None]:
    """Requests reuse the test's connection, as Django's test client makes them do.

    The WSGI handler closes "old" connections when a request starts and ends, which
    inside the test's transaction would throw it away.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(world: World, db: None, caller: str) -> dict[str, str]:
    if caller == "anonymous":
        return {}
    user: User = getattr(world.personas, caller)
    token, secret = do_create_access_token(
        user, name="schemathesis", with_second_factor=caller != "alice"
    )
    world.ids["token_id"] = [token.pk]
    return {"Authorization": f"Bearer {secret}"}


def use_real_objects(case: schemathesis.Case, ids: dict[str, list[Any]]) -> None:
    """Most ids of a valid path become a real object's, chosen from the case itself.

    The choice depends only on what was drawn, so Hypothesis replays a case exactly;
    an invalid path (negative mode) is left as drawn, to be refused.
    """
    drawn = case.path_parameters or {}
    if not drawn or (case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)):
        return
    seed = zlib.crc32(repr((sorted(drawn.items()), case.query, case.body)).encode())
    for name in list(drawn):
        real = ids.get(name)
        if real:
            choice = (seed + zlib.crc32(name.encode())) % (len(real) + 1)
            if choice < len(real):
                drawn[name] = real[choice]


def _check(case: schemathesis.Case, world: World, credentials: dict[str, str], caller: str) -> None:
    use_real_objects(case, world.ids)
    case.call_and_validate(headers=credentials)
    EXERCISED[caller].add(case.operation.label)


@pytest.mark.usefixtures("_one_connection")
@pytest.mark.parametrize("caller", CALLERS)
@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_it_answers_every_operation_within_the_schema(
    case: schemathesis.Case, world: World, credentials: dict[str, str], caller: str
) -> None:
    _check(case, world, credentials, caller)


@pytest.mark.usefixtures("_one_connection")
@pytest.mark.parametrize("caller", ["townhall"])
@town_hall_schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_it_answers_the_town_hall_console_within_the_schema(
    case: schemathesis.Case, world: World, credentials: dict[str, str], caller: str
) -> None:
    """Hélène, agent of the town hall of A's commune, on the operations of her console."""
    _check(case, world, credentials, caller)


def test_it_exercised_every_operation_of_the_schema(request: pytest.FixtureRequest) -> None:
    """No operation is skipped silently: each one was called, by each caller.

    Checked when the whole module runs (pytest -k may pick a few operations).
    """
    published = Client().get("/api/v1/openapi.json").json()["paths"]
    operations = {
        f"{method.upper()} {path}" for path, methods in published.items() for method in methods
    }
    assert {_label(result) for result in schema.get_all_operations()} == operations
    console = {_label(result) for result in town_hall_schema.get_all_operations()}
    assert console == {label for label in operations if " /api/v1/municipalities/" in label}
    runs = {(operation, caller) for operation in operations for caller in CALLERS}
    runs |= {(operation, "townhall") for operation in console}
    names = {item.name for item in request.session.items}
    if not all(
        any(name.endswith(f"[{operation}][{caller}]") for name in names)
        for operation, caller in runs
    ):
        pytest.skip("only some of the operations were selected")
    for caller in CALLERS:
        assert EXERCISED[caller] == operations, caller
    assert EXERCISED["townhall"] == console


def _label(result: object) -> str:
    assert isinstance(result, Ok), result
    return result.ok().label
