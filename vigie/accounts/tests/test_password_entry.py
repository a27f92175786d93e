"""Entering a password: real password fields, password managers welcome, checked as typed."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from vigie.accounts.models import User
from vigie.accounts.tests.helpers import mailed_link
from vigie.test import PASSWORD, Personas, log_in_as, run_tasks

pytestmark = pytest.mark.django_db


class Inputs(HTMLParser):
    """Every <input> of a page, and any attribute that could block pasting anywhere."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str]] = []
        self.paste_blockers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        self.paste_blockers += [
            name for name in found if name in {"onpaste", "oncopy", "oncut", "ondrop"}
        ]
        if tag == "input":
            self.inputs.append(found)


def password_inputs(html: bytes) -> tuple[list[dict[str, str]], list[str]]:
    parser = Inputs()
    parser.feed(html.decode())
    named = [found for found in parser.inputs if "password" in found.get("name", "")]
    return named, parser.paste_blockers


def reset_page(personas: Personas) -> bytes:
    client = Client()
    client.post("/mot-de-passe-oublie/", {"email": "alice@example.org"})
    run_tasks()
    client.get(mailed_link(to="alice@example.org"))
    return client.get("/mot-de-passe-oublie/nouveau/").content


@pytest.mark.usefixtures("address_reference")
def test_it_gives_password_managers_real_password_fields_on_every_page_that_asks(
    personas: Personas,
) -> None:
    alice = log_in_as(Client(), personas.alice)
    pages = {
        "/connexion/": {"password": "current-password"},
        "/inscription/": {"password": "new-password", "password_again": "new-password"},
        "/compte/mot-de-passe/": {
            "current_password": "current-password",
            "new_password": "new-password",
            "new_password_again": "new-password",
        },
        "/mot-de-passe-oublie/nouveau/": {
            "new_password": "new-password",
            "new_password_again": "new-password",
        },
        "/compte/email/": {"password": "current-password"},
        "/compte/donnees/": {"password": "current-password"},
        "/compte/supprimer/": {"password": "current-password"},
    }
    for path, expected in pages.items():
        if path == "/mot-de-passe-oublie/nouveau/":
            html = reset_page(personas)
        elif path in {"/connexion/", "/inscription/"}:
            html = Client().get(path).content
        else:
            html = alice.get(path).content
        fields, blockers = password_inputs(html)

        assert {field["name"]: field["autocomplete"] for field in fields} == expected, path
        assert all(field["type"] == "password" for field in fields), path
        assert all(int(field.get("maxlength", "1024")) >= 64 for field in fields), path
        assert blockers == [], path


def test_it_checks_the_password_exactly_as_typed(personas: Personas) -> None:
    def log_in(password: str) -> int:
        return (
            Client()
            .post(
                "/api/v1/auth/login",
                {"email": "alice@example.org", "password": password},
                content_type="application/json",
            )
            .status_code
        )

    near_misses = [f"{PASSWORD} ", f" {PASSWORD}", PASSWORD.swapcase(), PASSWORD.upper()]

    assert [log_in(password) for password in near_misses] == [401] * len(near_misses)
    assert log_in(PASSWORD) == 200


@pytest.mark.usefixtures("address_reference")
def test_it_keeps_spaces_around_a_password_chosen_at_sign_up(client: Client) -> None:
    from vigie.accounts.tests.test_sign_up import sign_up_form

    spaced = "  Tournesol-jaune-42!  "
    client.post("/inscription/", sign_up_form(password=spaced, password_again=spaced))

    stripped = Client().post(
        "/connexion/", {"email": "jeanne@example.org", "password": spaced.strip()}
    )
    exact = Client().post("/connexion/", {"email": "jeanne@example.org", "password": spaced})

    assert User.objects.get(email="jeanne@example.org").check_password(spaced)
    assert stripped.status_code == 422
    assert exact.status_code == 302


def test_it_never_asks_to_change_a_password_set_two_years_ago(personas: Personas) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=730)):
        personas.alice.password = make_password(PASSWORD)
        personas.alice.save(update_fields=["password"])

    client = Client()
    answer = client.post("/connexion/", {"email": "alice@example.org", "password": PASSWORD})
    landing = client.get(answer["Location"], follow=True)

    assert answer.status_code == 302
    assert answer["Location"] == "/"
    assert landing.status_code == 200
    assert all("mot-de-passe" not in path for path, _status in landing.redirect_chain)
    assert client.get("/compte/").status_code == 200


def test_it_accepts_a_long_password_from_a_password_manager_everywhere(
    personas: Personas,
) -> None:
    long_password = "Gestionnaire-de-mots-de-passe-" * 10  # 300 characters
    personas.alice.set_password(long_password)
    personas.alice.save(update_fields=["password"])
    alice = Client()

    logged_in = alice.post(
        "/api/v1/auth/login",
        {"email": "alice@example.org", "password": long_password},
        content_type="application/json",
    )
    erased = alice.delete(
        "/api/v1/me",
        {"password": long_password, "contributions": "delete"},
        content_type="application/json",
    )

    assert logged_in.status_code == 200
    assert erased.status_code == 204
    assert not User.objects.filter(email="alice@example.org").exists()
