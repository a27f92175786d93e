"""The terms of use: accepted at sign-up, again when they change, each acceptance recorded."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from django.test import Client

from vigie.moderation import terms
from vigie.moderation.models import TermsAcceptance
from vigie.test import Personas, log_in_as, neighbourhood_a

pytestmark = pytest.mark.django_db


def test_it_serves_the_numbered_clauses_in_french_and_english() -> None:
    french = Client().get("/api/v1/terms").json()
    english = Client().get("/api/v1/terms", HTTP_ACCEPT_LANGUAGE="en").json()
    page = Client().get("/conditions/").content.decode()

    assert french["version"] == english["version"] == terms.CURRENT.number
    assert [clause["number"] for clause in french["clauses"]] == [
        str(number) for number in range(1, 15)
    ]
    assert french["clauses"][4]["title"] == "Non-discrimination"
    assert english["clauses"][6]["title"] == "Alerts"
    assert french["clauses"][6]["title"] == "Alertes"
    assert 'id="clause-7"' in page


def test_it_needs_the_terms_accepted_to_sign_up(address_reference: None) -> None:
    body = {
        "email": "jeanne@example.org",
        "password": "Tournesol-jaune-42!",
        "first_name": "Jeanne",
        "last_name": "Dupont",
        "address": {"ban_id": "99101_0001_00040"},
    }

    refused = Client().post("/api/v1/auth/register", body, content_type="application/json")
    accepted = Client().post(
        "/api/v1/auth/register", {**body, "accept_terms": True}, content_type="application/json"
    )

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "accept_terms"
    assert accepted.status_code == 202
    acceptance = TermsAcceptance.objects.get(user__email="jeanne@example.org")
    assert acceptance.version == terms.CURRENT.number


@pytest.fixture
def new_terms(monkeypatch: pytest.MonkeyPatch) -> terms.TermsVersion:
    version_2 = replace(terms.VERSION_1, number=2, published_on=date(2027, 1, 1))
    monkeypatch.setattr(terms, "VERSIONS", (terms.VERSION_1, version_2))
    monkeypatch.setattr(terms, "CURRENT", version_2)
    return version_2


def test_it_asks_every_member_to_accept_new_terms_before_going_on(
    personas: Personas, new_terms: terms.TermsVersion
) -> None:
    alice = log_in_as(Client(), personas.alice)
    a = neighbourhood_a().pk

    page = alice.get(f"/quartiers/{a}/")
    write = alice.post(
        f"/api/v1/communities/{a}/posts",
        {"kind": "information", "title": "Bonjour", "body": "Un message"},
        content_type="application/json",
    )
    read = alice.get(f"/api/v1/communities/{a}/posts")
    accepted = alice.post(
        "/api/v1/me/terms", {"version": new_terms.number}, content_type="application/json"
    )
    stale = alice.post("/api/v1/me/terms", {"version": 1}, content_type="application/json")
    after = alice.get(f"/quartiers/{a}/")

    assert page.status_code == 302
    assert page["Location"].startswith("/conditions/accepter/")
    assert (write.status_code, write.json()["code"]) == (403, "terms_not_accepted")
    assert read.status_code == 200
    assert accepted.json()["version"] == 2
    assert (stale.status_code, stale.json()["code"]) == (409, "terms_outdated")
    assert after.status_code == 200
    assert sorted(
        TermsAcceptance.objects.filter(user=personas.alice).values_list("version", flat=True)
    ) == [1, 2]


def test_it_accepts_new_terms_on_the_page_and_goes_back(
    personas: Personas, new_terms: terms.TermsVersion
) -> None:
    alice = log_in_as(Client(), personas.alice)
    a = neighbourhood_a().pk

    refused = alice.post("/conditions/accepter/", {"suivant": f"/quartiers/{a}/"})
    accepted = alice.post("/conditions/accepter/", {"accept": "on", "suivant": f"/quartiers/{a}/"})
    elsewhere = log_in_as(Client(), personas.dave).post(
        "/conditions/accepter/", {"accept": "on", "suivant": "https://evil.example/"}
    )

    assert refused.status_code == 422
    assert accepted["Location"] == f"/quartiers/{a}/"
    assert elsewhere["Location"] == "/voisinage/"
