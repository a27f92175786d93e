from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from vigie.lib.environment import Environment, Rate


def test_it_reads_typed_values() -> None:
    env = Environment({"FLAG": "yes", "COUNT": "12", "HOSTS": "a.fr, b.fr", "RATE": "5/hour"})

    assert env.boolean("FLAG", default=False) is True
    assert env.integer("COUNT", default=1, minimum=1) == 12
    assert env.string_list("HOSTS", default=[]) == ["a.fr", "b.fr"]
    assert env.rate("RATE", default="1/day") == Rate(count=5, seconds=3600)
    assert env.boolean("MISSING", default=True) is True


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda env: env.boolean("VALUE", default=False), "true or false"),
        (lambda env: env.integer("VALUE", default=1), "integer"),
        (lambda env: env.rate("VALUE", default="1/hour"), "5/hour"),
        (lambda env: env.choice("VALUE", default="a", choices=("a", "b")), "one of a, b"),
        (lambda env: env.url("VALUE", schemes=("https",)), "https://"),
    ],
)
def test_it_fails_loudly_on_a_malformed_value(call: object, message: str) -> None:
    env = Environment({"VALUE": "banana"})

    with pytest.raises(ImproperlyConfigured, match=message):
        call(env)  # type: ignore[operator]


def test_it_enforces_bounds_and_never_echoes_a_url() -> None:
    env = Environment({"SMALL": "0", "SECRET_URL": "ftp://user:hunter2@host"})

    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.integer("SMALL", default=5, minimum=1)
    with pytest.raises(ImproperlyConfigured) as raised:
        env.url("SECRET_URL", schemes=("redis",))
    assert "hunter2" not in str(raised.value)


def test_it_resolves_relative_paths_against_the_project(tmp_path: Path) -> None:
    env = Environment({"DIR": "data"})

    assert env.path("DIR", default=Path("var"), base=tmp_path) == tmp_path / "data"
    assert env.path("OTHER", default=Path("var"), base=tmp_path) == tmp_path / "var"
