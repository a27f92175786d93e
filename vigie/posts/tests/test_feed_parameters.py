"""A query parameter given twice gets one defined answer: the last value, as Django reads it."""

from __future__ import annotations

import pytest
from django.test import Client

from vigie.posts.models import Post
from vigie.test import Personas, log_in_as, neighbourhood_a

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed(personas: Personas) -> str:
    for number in range(3):
        Post.objects.create(
            community=neighbourhood_a(),
            author=personas.dave,
            kind="information",
            title=f"Information {number}",
            body="Rien de grave.",
        )
    return f"/api/v1/communities/{neighbourhood_a().pk}/posts"


def test_it_reads_the_last_limit_and_never_serves_more_than_the_maximum(
    personas: Personas, feed: str
) -> None:
    alice = log_in_as(Client(), personas.alice)

    small_last = alice.get(f"{feed}?limit=500&limit=1")
    large_last = alice.get(f"{feed}?limit=1&limit=500")
    many = alice.get(f"{feed}?" + "&".join(["limit=1"] * 50 + ["limit=51"]))

    assert small_last.status_code == 200
    assert len(small_last.json()["items"]) == 1
    assert small_last.json()["next_cursor"] is not None
    assert large_last.status_code == many.status_code == 422
    assert large_last.json()["code"] == many.json()["code"] == "invalid"


def test_it_reads_the_last_cursor_and_refuses_a_bad_one_clearly(
    personas: Personas, feed: str
) -> None:
    alice = log_in_as(Client(), personas.alice)
    first = alice.get(f"{feed}?limit=2").json()
    cursor = first["next_cursor"]

    good_last = alice.get(f"{feed}?limit=2&cursor=garbage&cursor={cursor}")
    bad_last = alice.get(f"{feed}?limit=2&cursor={cursor}&cursor=garbage")
    both_bad = alice.get(f"{feed}?cursor=a&cursor=b&kind=x&kind=information")

    assert good_last.status_code == 200
    assert [item["title"] for item in good_last.json()["items"]] == ["Information 0"]
    assert bad_last.status_code == both_bad.status_code == 422
    assert bad_last.json()["code"] == both_bad.json()["code"] == "invalid"
    assert "cursor" in str(bad_last.json())
