"""No answer carries another member's e-mail, phone, real name or address to anyone else.

Every operation and every page of the access matrix is asked by every persona, on the
matrix's world;
each answer, whatever its status, is searched for the personal data of every other
persona. The team (Carol, with her second factor) is the one reader allowed to see members'
details: the moderation of an account needs them.
"""

from __future__ import annotations

import pytest

from vigie.accounts.models import User
from vigie.addresses.models import Address
from vigie.notifications.models import PhoneNumber
from vigie.test import Personas, Response, give_verified_phone
from vigie.tests.test_access_matrix import OPERATIONS, PAGES, PERSONAS, Row, _answer, _fill
from vigie.tests.world import World, build_world

pytestmark = pytest.mark.django_db

# Readers allowed to see other members' details, and why: see the module's docstring.
ALLOWED_TO_SEE_OTHERS = {"carol"}
# The town hall sees its residents' real names, never their contact or street address: the
# counter check and the choice of référents need them, and the terms of use say so.
REAL_NAMES_SHOWN = {
    ("townhall", "GET", "/api/v1/municipalities/{town_hall_id}/residents"),
    ("townhall", "GET", "/mairie/<int:town_hall_id>/habitants/"),
}


def real_name(user: User) -> str:
    return f"{user.first_name} {user.last_name}"


def personal_data(user: User) -> set[str]:
    """The strings that name this person, reach them, or say where they live."""
    found = {user.email, real_name(user)}
    for phone in PhoneNumber.objects.filter(user=user):
        found.add(phone.number)
    for address in Address.objects.filter(user=user):
        if address.number:
            found.add(f"{address.number} {address.street}")
    return {text for text in found if text.strip()}


def body_of(response: Response) -> str:
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        raw = response.content
    return raw.decode(errors="replace")


@pytest.fixture
def world(personas: Personas) -> World:
    built = build_world(personas)
    # Phone numbers too, for the persons most answers are about.
    give_verified_phone(personas.dave, "+33612345678")
    give_verified_phone(personas.mallory, "+33698765432")
    return built


def test_it_never_answers_with_another_members_personal_data(world: World) -> None:
    operations = [(method, path, row) for (method, path), row in sorted(OPERATIONS.items())]

    asked, leaks = search_answers(world, operations)

    assert asked > 400
    assert not leaks, "\n".join(leaks)


def test_it_never_shows_another_members_personal_data_on_a_page(world: World) -> None:
    pages = [("GET", "/" + route, row) for route, row in sorted(PAGES.items())]

    asked, leaks = search_answers(world, pages)

    assert asked > 700
    assert not leaks, "\n".join(leaks)


def search_answers(world: World, requests: list[tuple[str, str, Row]]) -> tuple[int, list[str]]:
    """How many answers were searched, and each other member's string found in one."""
    users = {name: getattr(world.personas, name) for name in PERSONAS if name != "anonymous"}
    secrets = {name: personal_data(user) for name, user in users.items()}
    leaks: list[str] = []
    asked = 0
    for method, path, row in requests:
        url = _fill(path, world.values, row)
        for persona in PERSONAS:
            if persona in ALLOWED_TO_SEE_OTHERS:
                continue
            text = body_of(_answer(world, persona, method, url, row))
            asked += 1
            for owner, strings in secrets.items():
                if owner == persona:
                    continue
                if (persona, method, path) in REAL_NAMES_SHOWN:
                    strings = strings - {real_name(users[owner])}
                found = [string for string in strings if string in text]
                leaks += [f"{persona} {method} {url}: {owner}'s {string!r}" for string in found]
    return asked, leaks
