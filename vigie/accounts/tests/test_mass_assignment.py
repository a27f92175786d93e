"""A profile update changes the profile's own fields, never a privilege or a state."""

from __future__ import annotations

import pytest
from django.test import Client

from vigie.accounts.models import User
from vigie.communities.models import Membership, Role
from vigie.test import Personas, log_in_as

pytestmark = pytest.mark.django_db

PRIVILEGED = {
    "is_staff": True,
    "is_superuser": True,
    "is_town_hall_agent": True,
    "email_confirmed_at": "2020-01-01T00:00:00+00:00",
    "processing_restricted_at": "2020-01-01T00:00:00+00:00",
    "role": Role.REFERENT,
    "email": "alice@evil.example",
    "password": "Stolen-password-2026!",
}


def state_of(user: User) -> tuple[object, ...]:
    user.refresh_from_db()
    roles = tuple(Membership.objects.filter(user=user).values_list("role", flat=True))
    return (
        user.is_staff,
        user.is_superuser,
        user.is_town_hall_agent,
        user.email_confirmed_at,
        user.processing_restricted_at,
        user.email,
        user.password,
        roles,
    )


def test_it_refuses_an_api_profile_update_naming_a_field_it_does_not_own(
    personas: Personas,
) -> None:
    alice = log_in_as(Client(), personas.alice)
    before = state_of(personas.alice)

    answers = {
        field: alice.patch(
            "/api/v1/me", {"first_name": "Alicia", field: value}, content_type="application/json"
        )
        for field, value in PRIVILEGED.items()
    }

    assert {field: answer.status_code for field, answer in answers.items()} == dict.fromkeys(
        PRIVILEGED, 422
    )
    for field, answer in answers.items():
        assert answer.json()["code"] == "invalid", field
        assert field in str(answer.json()), field
    assert state_of(personas.alice) == before
    assert personas.alice.first_name == "Alice"  # all or nothing


def test_it_ignores_fields_the_account_page_does_not_show(personas: Personas) -> None:
    alice = log_in_as(Client(), personas.alice)
    before = state_of(personas.alice)

    answer = alice.post(
        "/compte/",
        {"first_name": "Alicia", "last_name": "Martin", "nickname": "", "language": "fr"}
        | {field: str(value) for field, value in PRIVILEGED.items()},
    )

    assert answer.status_code == 302
    assert state_of(personas.alice) == before
    assert personas.alice.first_name == "Alicia"  # the form's own fields do change
