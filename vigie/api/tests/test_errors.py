from __future__ import annotations

import pytest
from django.test import Client

from vigie.test import Personas, log_in_as, neighbourhood_a
from vigie.tests.test_pages import assert_well_formed

pytestmark = pytest.mark.django_db


def test_it_answers_malformed_json_with_a_clear_error(client: Client) -> None:
    response = client.post("/api/v1/auth/login", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert "Traceback" not in response.content.decode()


def test_it_answers_a_json_array_body_as_malformed(client: Client) -> None:
    response = client.post("/api/v1/auth/login", "[1, 2]", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


def test_it_refuses_bodies_that_are_not_json(client: Client) -> None:
    response = client.post("/api/v1/auth/login", {"email": "a@example.org", "password": "x"})

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_it_lists_missing_fields(client: Client) -> None:
    response = client.post("/api/v1/auth/login", {}, content_type="application/json")

    body = response.json()
    assert response.status_code == 422
    assert body["code"] == "invalid"
    assert {error["field"] for error in body["errors"]} == {"email", "password"}


def test_it_refuses_over_long_values(client: Client) -> None:
    response = client.post(
        "/api/v1/auth/login",
        {"email": "a" * 300, "password": "x"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"


def test_it_answers_unknown_api_paths_in_json(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"], "code": "not_found"}


def test_it_answers_a_wrong_method_in_json(client: Client) -> None:
    response = client.put("/api/v1/auth/login", {}, content_type="application/json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_it_publishes_the_openapi_description_and_its_docs(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json")
    docs = client.get("/api/v1/docs")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/auth/tokens",
        "/api/v1/auth/tokens/{token_id}",
        "/api/v1/auth/password-reset",
        "/api/v1/auth/password-reset/confirm",
        "/api/v1/me",
    ]:
        assert path in paths, path
    # The reference is a page of the site (vigie/api/tests/test_reference.py), with no
    # outside resource.
    assert docs.status_code == 200
    assert docs["Content-Type"].startswith("text/html")
    assert_well_formed(docs.content.decode())


def test_it_sends_no_store_on_every_api_answer(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")

    assert "no-store" in response["Cache-Control"]


def test_it_refuses_a_nul_character_in_the_query_string(client: Client) -> None:
    response = client.get("/api/v1/openapi.json?q=a%00b")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_it_refuses_an_id_beyond_64_bits_rather_than_failing(
    client: Client, personas: Personas
) -> None:
    log_in_as(client, personas.alice)

    response = client.get(f"/api/v1/posts/{2**63}/images/1")

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "post_id"


def test_it_publishes_the_bounds_of_path_ids(client: Client) -> None:
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/posts/{post_id}"]

    assert operation["get"]["parameters"][0]["schema"]["minimum"] == 1
    assert operation["get"]["parameters"][0]["schema"]["maximum"] == 2**63 - 1


@pytest.mark.parametrize("listed", [0, "false", "no"])
def test_it_takes_json_booleans_only(client: Client, personas: Personas, listed: object) -> None:
    log_in_as(client, personas.alice)

    response = client.put(
        f"/api/v1/communities/{neighbourhood_a().pk}/directory",
        {"listed": listed},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "listed"


def test_it_takes_json_integers_only_for_ids_in_a_body(client: Client, personas: Personas) -> None:
    log_in_as(client, personas.alice)

    response = client.post(
        "/api/v1/me/notifications/read", {"ids": ["12"]}, content_type="application/json"
    )

    assert response.status_code == 422


def test_it_declares_415_where_a_json_body_is_read(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert "415" in paths["/api/v1/reports"]["post"]["responses"]
    assert "415" not in paths["/api/v1/me"]["get"]["responses"]


def test_it_declares_the_503_of_an_unavailable_database_on_every_operation(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    answers = [
        operation["responses"] for methods in paths.values() for operation in methods.values()
    ]
    assert answers
    assert all("503" in responses for responses in answers)
    assert "Retry-After" in paths["/api/v1/me"]["get"]["responses"]["503"]["headers"]
