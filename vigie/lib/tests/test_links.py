"""url_of: reverse() once per process and name, the id put in per call."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from vigie.lib.links import url_of

NAMES = ("posts:post", "alerts:alert", "communities:community", "moderation:summary")


def test_it_makes_the_url_reverse_makes() -> None:
    for name in NAMES:
        for object_id in (1, 7, 10, 987, 2**31 - 1, 2**63 - 1):
            assert url_of(name, object_id) == reverse(name, args=[object_id])


def test_it_follows_the_script_prefix() -> None:
    try:
        set_script_prefix("/vigie/")
        assert url_of("posts:post", 12) == reverse("posts:post", args=[12])
        assert url_of("posts:post", 12).startswith("/vigie/")
    finally:
        set_script_prefix("/")
    assert url_of("posts:post", 12) == reverse("posts:post", args=[12])


def test_it_refuses_a_url_it_does_not_know() -> None:
    with pytest.raises(NoReverseMatch):
        url_of("posts:nothing", 1)
