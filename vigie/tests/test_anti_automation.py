"""Every business action has a limit: past it, 429 with Retry-After, and nothing changes.

One table of the actions a script would repeat (sign-up, log-in, reset, activation, letter
requests, posts, comments, alerts, reports, copies of one's data). Each limit is a setting;
here it is set to one, the action is done once, and the second time must be refused
before anything is written. The counters live in the default cache: Redis when
REDIS_URL is set (shared by every worker and server, as the PostgreSQL run of CI uses),
the database cache otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core import mail
from django.db.models import Model
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from vigie.accounts.models import User
from vigie.accounts.tests.test_sign_up import register_body
from vigie.alerts.models import Alert
from vigie.lib.environment import Rate
from vigie.moderation.models import Report
from vigie.posts.models import Comment, Post
from vigie.privacy.models import DataExport
from vigie.test import PASSWORD, Personas, Response, log_in_as, neighbourhood_a, run_tasks
from vigie.verification.models import Letter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("address_reference")]

ONE_AN_HOUR = Rate(count=1, seconds=3600)


@dataclass(frozen=True)
class Action:
    setting: str
    # The n-th attempt (0, 1), as a client of its own would make it.
    attempt: Callable[[Personas, int], Response]
    # What a refused attempt must leave unchanged.
    written: Callable[[], int]
    limit: object = ONE_AN_HOUR


def json_post(client: Client, url: str, body: dict[str, object] | None = None) -> Response:
    return client.post(url, body or {}, content_type="application/json")


def member(personas: Personas, name: str = "alice") -> Client:
    return log_in_as(Client(), getattr(personas, name))


def a_post(personas: Personas) -> Post:
    return Post.objects.create(
        community=neighbourhood_a(), author=personas.dave, kind="information", title="Vélo"
    )


def sign_up(personas: Personas, attempt: int) -> Response:
    return json_post(
        Client(), "/api/v1/auth/register", register_body(email=f"jeanne{attempt}@example.org")
    )


def log_in(personas: Personas, attempt: int) -> Response:
    # Two different accounts from one address: the per-account lockout sees one try each.
    email = ("alice@example.org", "dave@example.org")[attempt]
    return json_post(Client(), "/api/v1/auth/login", {"email": email, "password": "wrong"})


def reset(personas: Personas, attempt: int) -> Response:
    email = ("alice@example.org", "dave@example.org")[attempt]
    return json_post(Client(), "/api/v1/auth/password-reset", {"email": email})


def activate(personas: Personas, attempt: int) -> Response:
    return json_post(
        member(personas, "bob"), "/api/v1/verification/activate", {"code": "ABCDEFGHJK"}
    )


def ask_letter(personas: Personas, attempt: int) -> Response:
    return json_post(member(personas, "bob"), "/api/v1/verification/letters")


def write_post(personas: Personas, attempt: int) -> Response:
    return json_post(
        member(personas),
        f"/api/v1/communities/{neighbourhood_a().pk}/posts",
        {"kind": "information", "title": f"Perceuse {attempt}", "body": "À prêter."},
    )


def comment(personas: Personas, attempt: int) -> Response:
    post = Post.objects.first() or a_post(personas)
    return json_post(
        member(personas), f"/api/v1/posts/{post.pk}/comments", {"body": f"Oui {attempt}"}
    )


def send_alert(personas: Personas, attempt: int) -> Response:
    return json_post(
        member(personas),
        f"/api/v1/communities/{neighbourhood_a().pk}/alerts",
        {
            "category": "scam",
            "happened_at": timezone.now().isoformat(),
            "place": ("Rue des Lilas", "Place de la Mairie")[attempt],
            "description": "Un faux agent des eaux sonne aux portes.",
        },
    )


def report(personas: Personas, attempt: int) -> Response:
    post = a_post(personas)
    return json_post(
        member(personas),
        "/api/v1/reports",
        {"target_type": "post", "target_id": post.pk, "reason": "spam"},
    )


def export(personas: Personas, attempt: int) -> Response:
    # The first copy is built before the second is asked: one waiting copy is a 409 anyway.
    run_tasks()
    return json_post(member(personas), "/api/v1/me/export", {"password": PASSWORD})


def count(model: type[Model]) -> Callable[[], int]:
    return lambda: model.objects.count()  # type: ignore[attr-defined]


def emails() -> int:
    return len(mail.outbox)


def verified_homes() -> int:
    return User.objects.filter(addresses__verified_at__isnull=False).count()


ACTIONS: dict[str, Action] = {
    "sign-up": Action("RATE_SIGN_UP", sign_up, count(User)),
    "log-in": Action("RATE_LOGIN", log_in, emails),
    "password reset": Action("RATE_PASSWORD_RESET", reset, emails),
    "activation": Action("RATE_ACTIVATION", activate, verified_homes),
    "letter request": Action("LETTERS_PER_ACCOUNT", ask_letter, count(Letter), limit=1),
    "post": Action("RATE_POST", write_post, count(Post)),
    "comment": Action("RATE_COMMENT", comment, count(Comment)),
    "alert": Action("ALERT_MAX_PER_DAY", send_alert, count(Alert), limit=1),
    "report": Action("RATE_REPORT", report, count(Report)),
    "copy of one's data": Action("RATE_DATA_EXPORT", export, count(DataExport)),
}


@pytest.mark.parametrize("name", ACTIONS)
def test_it_refuses_an_action_past_its_limit_with_retry_after_and_changes_nothing(
    name: str, personas: Personas, settings: Settings
) -> None:
    action = ACTIONS[name]
    setattr(settings, action.setting, action.limit)

    first = action.attempt(personas, 0)
    before = action.written()
    second = action.attempt(personas, 1)

    assert first.status_code < 500, first.content
    assert first.status_code != 429, first.content
    assert second.status_code == 429, second.content
    assert int(second["Retry-After"]) > 0
    assert second.json()["code"] in {"rate_limited", "letter_limit"}
    assert action.written() == before
