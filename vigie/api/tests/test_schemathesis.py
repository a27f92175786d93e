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
from contextlib import contextmanager
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
from schemathesis.core import NOT_SET
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Ok

from vigie.accounts.actions import do_create_access_token
from vigie.accounts.models import TOTPDevice, User
from vigie.communities.models import Membership
from vigie.moderation import terms
from vigie.municipalities.models import Subscription
from vigie.test import (
    PASSWORD,
    TOTP_KEY_HEX,
    Personas,
    forget_shared_cache,
    make_personas,
    make_user,
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


class Caller:
    """A persona calling the API with a token of their own, each answer checked by schemathesis.

    The world is made this way, so the answers that create objects (201s, hard for random
    requests to reach) are held to the schema too.
    """

    def __init__(self, user: User, *, second_factor: bool = False) -> None:
        _, secret = do_create_access_token(
            user, name="schemathesis world", with_second_factor=second_factor
        )
        self.headers = {"Authorization": f"Bearer {secret}"}

    def send(self, method: str, path: str, body: Any = NOT_SET, **path_parameters: Any) -> Any:
        case = schema[f"/api/v1{path}"][method].Case(
            path_parameters=path_parameters,
            body=body,
            media_type="multipart/form-data" if path.endswith("/images") else None,
        )
        response = case.call_and_validate(headers=self.headers)
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json() if response.content else None


def _photo() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "#3a7").save(data, "JPEG")
    return data.getvalue()


def build_world() -> World:
    """A few real objects of every kind a path names, made through the API."""
    personas = make_personas()
    world = World(personas)
    ids = world.ids
    a, b = neighbourhood_a().pk, neighbourhood_b().pk
    alice, dave, mallory, sam = (
        Caller(personas.alice),
        Caller(personas.dave),
        Caller(personas.mallory),
        Caller(personas.sam),
    )
    carol = Caller(personas.carol, second_factor=True)

    ids["community_id"] += [a, b]
    post = {"kind": "information", "title": "Fête des voisins", "body": "Samedi, 18 h."}
    alice_post = alice.send("POST", "/communities/{community_id}/posts", post, community_id=a)
    removed_post = alice.send("POST", "/communities/{community_id}/posts", post, community_id=a)
    dave_post = dave.send("POST", "/communities/{community_id}/posts", post, community_id=a)
    mallory_post = mallory.send("POST", "/communities/{community_id}/posts", post, community_id=b)
    ids["post_id"] += [found["id"] for found in (alice_post, dave_post, mallory_post, removed_post)]
    comment = {"body": "Merci !"}
    ids["comment_id"] += [
        alice.send("POST", "/posts/{post_id}/comments", comment, post_id=dave_post["id"])["id"],
        dave.send("POST", "/posts/{post_id}/comments", comment, post_id=alice_post["id"])["id"],
    ]
    images = alice.send(
        "POST", "/posts/{post_id}/images", {"images": [_photo()]}, post_id=alice_post["id"]
    )
    ids["image_id"] += [image["id"] for image in images]

    alert = {
        "category": "vandalism",
        "happened_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "place": "Rue des Lilas",
        "description": "Une boîte aux lettres arrachée cette nuit.",
    }
    ids["alert_id"] += [
        # Alice's waits for the team; Dave's, a référent's, has gone at once.
        alice.send("POST", "/communities/{community_id}/alerts", alert, community_id=a)["id"],
        dave.send(
            "POST", "/communities/{community_id}/alerts", {**alert, "place": "Ici"}, community_id=a
        )["id"],
    ]

    report = {"target_type": "post", "target_id": dave_post["id"], "reason": "spam"}
    ids["report_id"] += [alice.send("POST", "/reports", report)["id"]]
    # A decision about Alice, which she has appealed; Sam's suspension stands unappealed.
    removal = dave.send(
        "POST", "/reports", {**report, "target_id": removed_post["id"], "reason": "other"}
    )["id"]
    ids["report_id"] += [removal]
    decision = carol.send(
        "POST",
        "/moderation/reports/{report_id}/decision",
        {"kind": "removed", "clause": "9", "explanation": "Annonce commerciale."},
        report_id=removal,
    )["id"]
    appeal = alice.send(
        "POST",
        "/me/decisions/{decision_id}/appeal",
        {"text": "C'était un don."},
        decision_id=decision,
    )["id"]
    ids["decision_id"] += [decision, *(found["id"] for found in sam.send("GET", "/me/decisions"))]
    ids["appeal_id"] += [appeal]

    ids["user_id"] += [
        personas.alice.pk,
        personas.sam.pk,
        personas.dave.pk,
        personas.mallory.pk,
    ]
    ids["membership_id"] += list(
        Membership.objects.filter(community_id=a).values_list("pk", flat=True)[:3]
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
    ids["breach_id"] += [carol.send("POST", "/privacy/breaches", breach)["id"]]
    ids["export_id"] += [alice.send("POST", "/me/export", {"password": PASSWORD})["id"]]
    run_tasks()
    _team_and_town_hall_at_work(world, carol, alert)
    return world


def _team_and_town_hall_at_work(world: World, carol: Caller, alert: dict[str, Any]) -> None:
    """The answers of the team's and the town hall's decisions, checked once each."""
    personas, ids = world.personas, world.ids
    a = neighbourhood_a().pk
    dave, helene = Caller(personas.dave), Caller(personas.townhall, second_factor=True)
    erin = make_user("erin@example.org", "Erin", "Garnier", is_staff=True)
    TOTPDevice.objects.create(user=erin, name="authenticator", key=TOTP_KEY_HEX, confirmed=True)
    erin_calls = Caller(erin, second_factor=True)

    approved = Caller(personas.alice).send(
        "POST",
        "/communities/{community_id}/alerts",
        {**alert, "category": "scam", "send_anyway": True},
        community_id=a,
    )["id"]
    carol.send(
        "POST", "/moderation/alerts/{alert_id}/decision", {"decision": "approve"}, alert_id=approved
    )
    dave.send(
        "POST", "/alerts/{alert_id}/close", {"resolution": "resolved"}, alert_id=ids["alert_id"][1]
    )
    draft = dave.send(
        "POST",
        "/communities/{community_id}/alerts",
        {**alert, "category": "roads", "submit": False},
        community_id=a,
    )["id"]
    dave.send("POST", "/alerts/{alert_id}/submit", {}, alert_id=draft)
    ids["alert_id"] += [approved, draft]
    carol.send(
        "POST",
        "/moderation/users/{user_id}/sanctions",
        {"kind": "warned", "clause": "4", "explanation": "Propos blessants."},
        user_id=personas.mallory.pk,
    )
    erin_calls.send(
        "POST",
        "/moderation/appeals/{appeal_id}/decision",
        {"outcome": "upheld", "answer": "La décision reste."},
        appeal_id=ids["appeal_id"][0],
    )
    carol.send(
        "PUT",
        "/privacy/restrictions/{user_id}",
        {"reason": "Contestation."},
        user_id=personas.mallory.pk,
    )
    carol.send("DELETE", "/privacy/restrictions/{user_id}", user_id=personas.mallory.pk)

    commune = town_hall().pk
    helene.send(
        "POST",
        "/municipalities/{town_hall_id}/orders",
        {"plan": "bourg", "period": "yearly"},
        town_hall_id=commune,
    )
    Subscription.objects.create(
        town_hall_id=commune,
        plan="bourg",
        period="yearly",
        paid_until=timezone.now() + timedelta(days=100),
    )
    helene.send(
        "POST",
        "/municipalities/{town_hall_id}/messages",
        {"category": "roads", "place": "Rue des Lilas", "text": "Travaux lundi."},
        town_hall_id=commune,
    )
    # Alice a deputy for a moment: she stays a plain member for the tests.
    membership = Membership.objects.get(user=personas.alice, community_id=a).pk
    for role in ("deputy", "member"):
        helene.send(
            "PUT",
            "/municipalities/{town_hall_id}/roles/{membership_id}",
            {"role": role},
            town_hall_id=commune,
            membership_id=membership,
        )
    carol.send(
        "POST",
        "/municipalities/{town_hall_id}/agents",
        {"email": "agent@bourg-les-vigies.example", "first_name": "Paul", "last_name": "Marin"},
        town_hall_id=commune,
    )


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
                with one_connection():
                    built = build_world()
                yield built
            finally:
                transaction.set_rollback(True)
        forget_shared_cache()


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder() -> None:
    """The world's files (its photo, its export) stay where the world put them."""


@contextmanager
def one_connection() -> Iterator[None]:
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
def _one_connection() -> Iterator[None]:
    with one_connection():
        yield


@pytest.fixture
def credentials(world: World, db: None, caller: str) -> dict[str, str]:
    """The caller's own token for this test (rolled back with it), which DELETE may revoke."""
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
