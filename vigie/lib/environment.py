"""Typed readers for settings that come from the environment.

Each reader fails loudly with ImproperlyConfigured when a value is present but
malformed, so a typo in production stops the process at start-up instead of
silently falling back to a default.  Messages never repeat a secret value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

T = TypeVar("T", bound=str)


@dataclass(frozen=True)
class Rate:
    """A number of actions allowed per period, written ``"5/hour"`` in the environment."""

    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}s"


_PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}


class Environment:
    """Reads typed values from a mapping (``os.environ`` by default)."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self.values: Mapping[str, str] = os.environ if values is None else values

    def _raw(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        value = value.strip()
        return value or None

    def is_set(self, name: str) -> bool:
        return self._raw(name) is not None

    def string(self, name: str, *, default: str | None = None, required: bool = False) -> str:
        value = self._raw(name)
        if value is None:
            if required or default is None:
                raise ImproperlyConfigured(f"{name} must be set.")
            return default
        return value

    def optional_string(self, name: str) -> str | None:
        return self._raw(name)

    def boolean(self, name: str, *, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")

    def integer(
        self,
        name: str,
        *,
        default: int,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        value = self._raw(name)
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
        if maximum is not None and number > maximum:
            raise ImproperlyConfigured(f"{name} must be at most {maximum}, not {number}.")
        return number

    def choice(self, name: str, *, default: T, choices: Sequence[T]) -> T:
        value = self._raw(name)
        if value is None:
            return default
        for choice in choices:
            if value == choice:
                return choice
        allowed = ", ".join(choices)
        raise ImproperlyConfigured(f"{name} must be one of {allowed}, not {value!r}.")

    def string_list(self, name: str, *, default: Sequence[str]) -> list[str]:
        value = self._raw(name)
        if value is None:
            return list(default)
        items = [item.strip() for item in value.split(",")]
        if any(not item for item in items):
            raise ImproperlyConfigured(f"{name} must be a comma-separated list without blanks.")
        return items

    def path(self, name: str, *, default: Path, base: Path) -> Path:
        value = self._raw(name)
        path = default if value is None else Path(value).expanduser()
        if not path.is_absolute():
            path = base / path
        return path.resolve()

    def url(self, name: str, *, default: str | None = None, schemes: Sequence[str]) -> str:
        value = self.string(name, default=default)
        scheme, separator, rest = value.partition("://")
        if not separator or scheme not in schemes or not rest:
            allowed = ", ".join(f"{scheme}://" for scheme in schemes)
            # The URL may carry credentials: name the variable, never echo its value.
            raise ImproperlyConfigured(f"{name} must be a URL starting with {allowed}.")
        return value

    def rate(self, name: str, *, default: str) -> Rate:
        value = self._raw(name) or default
        count_text, separator, period = value.partition("/")
        seconds = _PERIODS.get(period.strip().lower())
        if not separator or seconds is None or not count_text.strip().isdigit():
            periods = ", ".join(_PERIODS)
            raise ImproperlyConfigured(
                f"{name} must look like '5/hour' (periods: {periods}), not {value!r}."
            )
        count = int(count_text)
        if count < 1:
            raise ImproperlyConfigured(f"{name} must allow at least one action, not {value!r}.")
        return Rate(count=count, seconds=seconds)
