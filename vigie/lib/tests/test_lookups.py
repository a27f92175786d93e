"""``field__any_of``: the rows whose field is one of the values, on both databases."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vigie.accounts.models import User
from vigie.communities.models import Membership
from vigie.lib import lookups  # noqa: F401 - registers field__any_of
from vigie.test import Personas

pytestmark = pytest.mark.django_db


def test_it_finds_the_rows_whose_field_is_one_of_the_values(personas: Personas) -> None:
    wanted = [personas.alice.pk, personas.dave.pk, 10**12]

    found = set(User.objects.filter(pk__any_of=wanted).values_list("pk", flat=True))

    assert found == {personas.alice.pk, personas.dave.pk}


def test_it_follows_a_foreign_key_as_in_does(personas: Personas) -> None:
    wanted = [personas.alice.pk, personas.mallory.pk]

    found = Membership.objects.filter(user_id__any_of=wanted).order_by("pk")

    assert list(found) == list(Membership.objects.filter(user_id__in=wanted).order_by("pk"))
    assert {membership.user_id for membership in found} == set(wanted)


def test_it_finds_nothing_among_no_values(personas: Personas) -> None:
    assert list(User.objects.filter(pk__any_of=[])) == []


def test_it_sends_thousands_of_values_as_one_array_on_postgresql(personas: Personas) -> None:
    wanted = [personas.alice.pk, *range(10**9, 10**9 + 3000)]

    with CaptureQueriesContext(connection) as captured:
        found = list(User.objects.filter(pk__any_of=wanted).values_list("pk", flat=True))

    assert found == [personas.alice.pk]
    sql = captured[0]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql
        assert " IN (" not in sql
    else:
        assert " IN (" in sql
