from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from pytest_django.fixtures import Settings as SettingsWrapper

from vigie.lib import cache
from vigie.lib.cache import _LocalValues, _Stored

pytestmark = pytest.mark.django_db


def counting(value: object) -> tuple[Callable[[], Any], list[int]]:
    calls: list[int] = []

    def compute() -> object:
        calls.append(1)
        return value

    return compute, calls


def test_it_remembers_a_value_until_its_family_is_bumped() -> None:
    compute, calls = counting({"name": "Lilas"})

    first = cache.remember("test:1", compute)
    second = cache.remember("test:1", compute)
    cache.bump("test:1")
    third = cache.remember("test:1", compute)

    assert first == second == third == {"name": "Lilas"}
    assert len(calls) == 2


def test_it_tells_values_of_one_family_apart_by_detail() -> None:
    assert cache.remember("test:2", lambda: "page 1", detail="1") == "page 1"
    assert cache.remember("test:2", lambda: "page 2", detail="2") == "page 2"
    assert cache.remember("test:2", lambda: "never", detail="1") == "page 1"


def test_it_gives_each_reader_its_own_copy_unless_immutable() -> None:
    mine = cache.remember("test:3", lambda: {"tags": ["a"]})
    mine["tags"].append("changed by one request")
    shared: tuple[str, ...] = cache.remember("test:4", lambda: ("a", "b"), immutable=True)

    assert cache.remember("test:3", dict) == {"tags": ["a"]}
    never: tuple[str, ...] = ()
    assert cache.remember("test:4", lambda: never, immutable=True) is shared


def test_it_serves_one_entry_to_remember_and_remember_together_alike() -> None:
    # A member count is remembered by member_count and by the feed page's read, each its way.
    cache.remember("test:5", lambda: 12, detail="count")
    cache.remember_together({"list": "test:6"}, lambda missing: {"list": ("a",)})

    together = cache.remember_together(
        {"count": "test:5", "list": "test:6"}, lambda missing: dict.fromkeys(missing, 0)
    )

    assert together == {"count": 12, "list": ("a",)}
    assert cache.remember("test:6", tuple, detail="list") == ("a",)
    assert cache.remember("test:5", int, detail="count", immutable=True) == 12


@pytest.mark.django_db(transaction=True)
def test_it_never_serves_a_value_read_before_the_commit_afterwards() -> None:
    cache.remember("test:5", lambda: "before")

    with transaction.atomic():
        cache.bump("test:5")
        # A reader in another process, between the bump and the commit, still
        # sees the old rows and remembers them under the token it just read.
        cache.remember("test:5", lambda: "old rows, read before the commit")

    assert cache.remember("test:5", lambda: "after") == "after"


def test_it_computes_every_time_without_a_shared_cache(settings: SettingsWrapper) -> None:
    settings.SHARED_CACHE_ENABLED = False
    compute, calls = counting("value")

    cache.remember("test:6", compute)
    cache.remember("test:6", compute)
    cache.bump("test:6")  # and bumping is harmless

    assert len(calls) == 2


def test_it_reads_a_value_and_tokens_in_one_go() -> None:
    from django.core.cache import caches

    caches[cache.SHARED_CACHE].set("test-session", {"user": 7})
    with cache.request_scope() as tokens:
        found = cache.get_many_with_tokens(
            ["test-session", "test-absent"], families=["test:7", "test:7", "test:8"]
        )
        assert set(tokens) == {"test:7", "test:8"}
        compute, calls = counting("account")
        cache.remember("test:7", compute)

    assert found == {"test-session": {"user": 7}}
    assert len(calls) == 1


def test_it_learns_which_families_a_reader_needs() -> None:
    with cache.request_scope() as tokens:
        cache.remember("test:9", lambda: 1)
        cache.note_habit("session-key", tokens)

    assert cache.habit("session-key") == ("test:9",)


def test_it_keeps_local_values_within_their_memory_bound() -> None:
    values = _LocalValues(max_bytes=1600)

    for number in range(20):
        values.put(f"key{number}", _Stored(value=b"x" * 100, size=100))
    values.put("huge", _Stored(value=b"x" * 1000, size=1000))

    assert values.size <= 1600
    assert values.get("key0") is None
    assert values.get("key19") is not None
    assert values.get("huge") is None  # more than a sixteenth: never kept
