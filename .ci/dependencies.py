"""The distributions Vigie needs, as installed: read from pyproject.toml, then from metadata.

Shared by `.ci/audit_dependencies.py` and `.ci/sbom.py`. The roots come from
pyproject.toml itself (not from Vigie's installed metadata, which an editable install
keeps from the day it was made); every other distribution from the `Requires-Dist` of
what is installed in the interpreter running this, markers and extras evaluated.
"""

from __future__ import annotations

import importlib.metadata
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Installed:
    name: str  # as the distribution spells it
    version: str
    # Every specifier that a requirement on it states, Vigie's own and its dependencies'.
    specifiers: SpecifierSet = field(default_factory=SpecifierSet)
    # Who requires it ("vigie" for a direct dependency).
    required_by: set[str] = field(default_factory=set)

    @property
    def pin(self) -> str:
        return f"{self.name}=={self.version}"


class NotInstalled(Exception):
    pass


def project() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return dict(tomllib.load(file)["project"])


def roots(*, extras: tuple[str, ...] = ()) -> list[Requirement]:
    """Vigie's own requirements: its dependencies, and those of the extras named."""
    declared = project()
    lines = list(declared["dependencies"])  # type: ignore[call-overload]
    optional: dict[str, list[str]] = declared.get("optional-dependencies", {})  # type: ignore[assignment]
    for extra in extras:
        lines += optional[extra]
    return [Requirement(line) for line in lines]


def closure(*, extras: tuple[str, ...] = ()) -> dict[NormalizedName, Installed]:
    """Every distribution that Vigie (with `extras`) needs, by canonical name.

    Raises NotInstalled when a requirement has no installed distribution.
    """
    found: dict[NormalizedName, Installed] = {}
    # Extras already followed per distribution: a second path with new extras walks again.
    followed: dict[NormalizedName, set[str]] = {}
    pending: list[tuple[Requirement, str]] = [
        (requirement, "vigie") for requirement in roots(extras=extras)
    ]
    missing: list[str] = []
    while pending:
        requirement, parent = pending.pop()
        key = canonicalize_name(requirement.name)
        try:
            distribution = importlib.metadata.distribution(requirement.name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(f"{requirement} (for {parent})")
            continue
        entry = found.setdefault(
            key, Installed(name=distribution.metadata["Name"], version=distribution.version)
        )
        entry.specifiers &= requirement.specifier
        entry.required_by.add(parent)
        wanted = set(requirement.extras)
        if key in followed and wanted <= followed[key]:
            continue
        followed[key] = followed.get(key, set()) | wanted
        contexts = [{"extra": extra} for extra in sorted(followed[key])] or [{"extra": ""}]
        for line in distribution.requires or []:
            dependency = Requirement(line)
            if dependency.marker and not any(dependency.marker.evaluate(c) for c in contexts):
                continue
            pending.append((dependency, entry.name))
    if missing:
        raise NotInstalled("not installed (run make install): " + ", ".join(sorted(missing)))
    return dict(sorted(found.items()))
