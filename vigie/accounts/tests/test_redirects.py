"""Redirects after logging in, out, switching language or accepting terms stay inside Vigie."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from vigie.test import PASSWORD, Personas, log_in_as, totp_code

pytestmark = pytest.mark.django_db

ELSEWHERE = [
    "https://evil.example/",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
]


def lands_inside_vigie(location: str) -> bool:
    parts = urlsplit(location)
    return (
        not parts.scheme
        and not parts.netloc
        and location.startswith("/")
        and not location.startswith(("//", "/\\"))
    )


@pytest.mark.parametrize("elsewhere", ELSEWHERE)
def test_it_lands_inside_vigie_after_logging_in_whatever_next_says(
    personas: Personas, elsewhere: str
) -> None:
    by_field = Client().post(
        "/connexion/", {"email": "alice@example.org", "password": PASSWORD, "next": elsewhere}
    )
    by_query = Client().post(
        f"/connexion/?next={elsewhere}", {"email": "alice@example.org", "password": PASSWORD}
    )
    already_in = log_in_as(Client(), personas.alice).get("/connexion/", {"next": elsewhere})

    for answer in (by_field, by_query, already_in):
        assert answer.status_code == 302
        assert answer["Location"] == "/"


def test_it_still_follows_next_inside_vigie(personas: Personas) -> None:
    answer = Client().post(
        "/connexion/", {"email": "alice@example.org", "password": PASSWORD, "next": "/compte/"}
    )

    assert answer.status_code == 302
    assert answer["Location"] == "/compte/"


def test_it_keeps_the_team_inside_vigie_through_the_second_factor(personas: Personas) -> None:
    client = Client()
    first = client.post(
        "/connexion/",
        {"email": "carol@example.org", "password": PASSWORD, "next": "https://evil.example/"},
    )
    carried = parse_qs(urlsplit(first["Location"]).query)["next"][0]
    # The attacker's own link to the second step, with a next of their choosing.
    second = client.post(
        "/connexion/second-facteur/?next=//evil.example", {"code": totp_code(personas.carol)}
    )

    assert first.status_code == second.status_code == 302
    assert lands_inside_vigie(carried)
    assert lands_inside_vigie(second["Location"])
    assert client.get("/compte/").status_code == 200  # logged in all the same


def test_it_keeps_a_team_member_inside_vigie_when_the_second_factor_is_asked_again(
    personas: Personas,
) -> None:
    carol = log_in_as(Client(), personas.carol)

    answer = carol.post(
        "/compte/double-authentification/requise/?next=https://evil.example/",
        {"code": totp_code(personas.carol)},
    )

    assert answer.status_code == 302
    assert lands_inside_vigie(answer["Location"])


@pytest.mark.parametrize("elsewhere", ELSEWHERE)
def test_it_lands_inside_vigie_after_switching_language(personas: Personas, elsewhere: str) -> None:
    by_next = Client().post("/langue/", {"language": "en", "next": elsewhere})
    by_referer = Client().post("/langue/", {"language": "en"}, HTTP_REFERER=elsewhere)

    for answer in (by_next, by_referer):
        assert answer.status_code == 302
        assert lands_inside_vigie(answer["Location"])


def test_it_lands_inside_vigie_after_logging_out(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)

    answer = alice.post("/deconnexion/?next=https://evil.example/", {"next": "//evil.example"})

    assert answer.status_code == 302
    assert answer["Location"] == "/"
    assert alice.get("/compte/").status_code == 302  # logged out


def test_it_lands_inside_vigie_after_accepting_new_terms(personas: Personas) -> None:
    from vigie.moderation import terms

    personas.alice.accepted_terms_version = terms.CURRENT.number - 1
    personas.alice.save(update_fields=["accepted_terms_version"])
    alice = log_in_as(Client(), personas.alice)

    page = alice.get("/conditions/accepter/?suivant=https://evil.example/")
    answer = alice.post(
        "/conditions/accepter/?suivant=//evil.example",
        {"accept": "on", "suivant": "//evil.example"},
    )

    assert b'name="suivant" value="https://evil.example/"' not in page.content
    assert answer.status_code == 302
    assert lands_inside_vigie(answer["Location"])
