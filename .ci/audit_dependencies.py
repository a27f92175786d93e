"""Fail on any known vulnerability in the distributions Vigie installs, and when it cannot tell.

Audits every distribution that `vigie[dev]` needs, at the version installed in
Vigie's environment (Vigie itself is not on PyPI and is left out; bandit checks its
code). Two sources, both PyPI's (the advisories of the Python Packaging Advisory
Database and OSV that PyPI attaches to releases):

1. pip-audit, asking PyPI for each release's advisories (`/pypi/NAME/VERSION/json`):
   a complete audit of the exact versions installed.
2. For what pip-audit could not look up (a network that serves PyPI's project pages
   but not its per-release pages, as on Vigie's CI machines), the project page
   (`/pypi/NAME/json`), which lists the advisories open against the latest release:
   - a distribution at its latest release is audited exactly;
   - one behind its latest release cannot be audited this way and fails, unless
     HELD_BACK below gives the reason it stays behind; even then it must be the newest
     release that its requirements and this Python allow (so a security release of
     its line fails the audit until it is installed), and the latest release's
     advisories count against it too.

A vulnerability fails the audit unless IGNORED names it with a documented reason.
A source that does not answer is a failure, never a pass.

Exit status: 0 every distribution audited and none vulnerable; 1 a known
vulnerability; 2 something could not be audited.

    .venv/bin/python .ci/audit_dependencies.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from dependencies import Installed, NotInstalled, closure
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

PYTHON = Version(".".join(map(str, sys.version_info[:3])))

# Distributions that stay behind their latest release on purpose, and why.
HELD_BACK: dict[str, str] = {
    "django": "Vigie stays on Django 5.2 LTS (DESIGN.md); its security fixes ship as 5.2.x",
    "numpy": "numpy 2.5 and later need Python 3.12; Vigie runs on Python 3.11",
    # A test tool only (never on a server): schemathesis 4.x pins its schema validator.
    "jsonschema-rs": "schemathesis 4.x requires jsonschema-rs below 0.61 (development only)",
}
# Advisories (by id or alias) that do not fail the audit, and why. Empty: none is ignored.
IGNORED: dict[str, str] = {}


@dataclass
class Outcome:
    vulnerable: list[str] = field(default_factory=list)
    latest: list[str] = field(default_factory=list)  # audited at their latest release
    held_back: list[str] = field(default_factory=list)
    unaudited: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def pip_audit(distributions: list[Installed]) -> tuple[dict[str, list[dict]], list[str], str]:
    """Audit the pins with pip-audit's PyPI service: (vulns by name, names skipped, error)."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as pins:
        pins.write("".join(f"{d.pin}\n" for d in distributions))
        pins.flush()
        command = [sys.executable, "-m", "pip_audit", "--requirement", pins.name]
        command += ["--no-deps", "--disable-pip", "--vulnerability-service", "pypi"]
        command += ["--format", "json", "--progress-spinner", "off", "--timeout", "20"]
        for advisory in IGNORED:
            command += ["--ignore-vuln", advisory]
        completed = subprocess.run(command, capture_output=True, text=True)
    try:
        report = json.loads(completed.stdout)
    except json.JSONDecodeError:
        error = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return {}, [d.name for d in distributions], f"pip-audit failed: {error}"
    found: dict[str, list[dict]] = {}
    skipped: list[str] = []
    for entry in report["dependencies"]:
        if "skip_reason" in entry:
            skipped.append(entry["name"])
        else:
            found[entry["name"]] = entry["vulns"]
    return found, skipped, ""


def project_page(name: str) -> dict:
    request = urllib.request.Request(
        f"https://pypi.org/pypi/{name}/json",
        headers={"User-Agent": "vigie-audit", "Accept": "application/json"},
    )
    for attempt in range(3):
        try:
            # A fixed https://pypi.org URL (the Request hides it from ruff).
            with urllib.request.urlopen(request, timeout=20) as answer:  # noqa: S310
                return json.loads(answer.read())
        except urllib.error.HTTPError:
            raise
        except OSError:
            if attempt == 2:
                raise
            time.sleep(1 + attempt)
    raise AssertionError


def distinct(advisories: list[dict]) -> list[dict]:
    """One advisory per vulnerability: PyPI lists a PYSEC and a GHSA entry for the same one."""
    seen: set[str] = set()
    kept = []
    for advisory in advisories:
        names = {advisory["id"], *advisory.get("aliases", [])}
        if not names & seen:
            kept.append(advisory)
        seen |= names
    return kept


def ignored(advisory: dict) -> bool:
    return any(key in IGNORED for key in [advisory["id"], *advisory.get("aliases", [])])


def describe(advisory: dict) -> str:
    fixed = ", ".join(advisory.get("fixed_in") or advisory.get("fix_versions") or []) or "none yet"
    aliases = ", ".join(a for a in advisory.get("aliases", []) if a != advisory["id"])
    return f"{advisory['id']}{f' ({aliases})' if aliases else ''}, fixed in: {fixed}"


def newest_allowed(page: dict, specifiers: SpecifierSet) -> Version | None:
    """The newest final release, not yanked, that this Python and the requirements allow."""
    best: Version | None = None
    for text, files in page["releases"].items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version.is_prerelease or not files or all(f.get("yanked") for f in files):
            continue
        if not specifiers.contains(version, prereleases=False):
            continue
        pythons = {f.get("requires_python") or "" for f in files if not f.get("yanked")}
        if not any(SpecifierSet(p).contains(PYTHON, prereleases=True) for p in pythons):
            continue
        if best is None or version > best:
            best = version
    return best


def from_project_page(distribution: Installed, key: NormalizedName, outcome: Outcome) -> None:
    label = distribution.pin
    try:
        page = project_page(distribution.name)
    except urllib.error.HTTPError as error:
        outcome.unaudited.append(f"{label}: PyPI answered {error.code} for its project page")
        return
    except OSError as error:
        outcome.unaudited.append(f"{label}: PyPI did not answer ({error})")
        return
    latest = page["info"]["version"]
    advisories = distinct(
        [a for a in page.get("vulnerabilities", []) if not a.get("withdrawn") and not ignored(a)]
    )
    if Version(latest) == Version(distribution.version):
        outcome.latest.append(label)
        outcome.vulnerable += [f"{label}: {describe(a)}" for a in advisories]
        return
    if key not in HELD_BACK:
        outcome.unaudited.append(
            f"{label}: behind its latest release {latest}, whose page alone lists advisories "
            "here; upgrade it (or hold it back in HELD_BACK with a reason)"
        )
        return
    newest = newest_allowed(page, distribution.specifiers)
    if newest is None or newest != Version(distribution.version):
        outcome.unaudited.append(
            f"{label}: held back, but {newest} is the newest release allowed: install it"
        )
        return
    outcome.vulnerable += [f"{label}: open against {latest} too: {describe(a)}" for a in advisories]
    outcome.held_back.append(label)
    outcome.notes.append(
        f"{label} (latest {latest}) held back: {HELD_BACK[key]}; it is the newest release "
        f"allowed ({distribution.specifiers or 'any'}, Python {PYTHON}), and {latest} has "
        f"{len(advisories) or 'no'} open advisor{'y' if len(advisories) == 1 else 'ies'}"
    )


def main() -> int:
    started = time.monotonic()
    try:
        installed = closure(extras=("dev",))
    except NotInstalled as error:
        print(f"Dependency audit: {error}", file=sys.stderr)
        return 2
    installed.pop(canonicalize_name("vigie"), None)
    distributions = list(installed.values())
    outcome = Outcome()

    found, skipped, pip_audit_error = pip_audit(distributions)
    for name, advisories in found.items():
        outcome.vulnerable += [f"{name}: {describe(a)}" for a in advisories]
    if pip_audit_error:
        outcome.notes.append(pip_audit_error)
    fallback = [(key, installed[key]) for key in map(canonicalize_name, skipped)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda pair: from_project_page(pair[1], pair[0], outcome), fallback))

    print(f"Dependency audit of {len(distributions)} distributions (vigie[dev], as installed):")
    print(f"  {len(found)} audited per release by pip-audit (PyPI's advisories)")
    if fallback:
        print(
            f"  {len(fallback)} that pip-audit could not look up (PyPI's per-release pages "
            "unanswered), on their project pages (advisories of the latest release):"
        )
        print(f"    {len(outcome.latest)} at their latest release, audited")
        print(f"    {len(outcome.held_back)} held back on purpose, at the newest release allowed")
    for note in outcome.notes:
        print(f"  note: {note}")
    for reason_id, reason in IGNORED.items():
        print(f"  ignored {reason_id}: {reason}")
    for line in sorted(outcome.vulnerable):
        print(f"  VULNERABLE  {line}")
    unaudited = sorted(outcome.unaudited)
    for line in unaudited[:10]:
        print(f"  NOT AUDITED {line}")
    if len(unaudited) > 10:
        print(f"  NOT AUDITED ... and {len(unaudited) - 10} more")
    print(f"  ({time.monotonic() - started:.1f} s)")
    if outcome.vulnerable:
        print(f"{len(outcome.vulnerable)} known vulnerabilities: upgrade", file=sys.stderr)
        return 1
    if outcome.unaudited:
        print(f"{len(outcome.unaudited)} distributions could not be audited", file=sys.stderr)
        return 2
    print(f"  no known vulnerability in the {len(distributions)} distributions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
