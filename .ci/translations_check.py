"""Fail when a message of the code lacks its French translation.

Every string goes through gettext with an English msgid; French is the
default language, so the French catalogue must hold every message of the
code, none empty, none fuzzy.  Run `make messages` and translate to fix.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "vigie" / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def entries(*flags: str) -> set[str]:
    """The msgids of the catalogue's live entries matching msgattrib's flags."""
    result = subprocess.run(
        ["msgattrib", "--no-wrap", "--no-obsolete", *flags, str(CATALOGUE)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {line for line in result.stdout.splitlines() if line.startswith("msgid ")} - {'msgid ""'}


def main() -> int:
    original = CATALOGUE.read_bytes()
    before = entries()
    try:
        # Re-extract from the code into the catalogue, then compare and restore.
        subprocess.run(
            [
                sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-location",
                "--ignore", ".venv/*", "--ignore", "var/*", "-v", "0",
            ],
            cwd=ROOT,
            check=True,
        )  # fmt: skip
        in_code = entries()
    finally:
        CATALOGUE.write_bytes(original)
    problems = []
    missing = in_code - before
    if missing:
        problems.append(
            f"{len(missing)} messages missing from the catalogue: {sorted(missing)[:3]}"
        )
    untranslated = entries("--untranslated")
    if untranslated:
        problems.append(f"{len(untranslated)} untranslated: {sorted(untranslated)[:3]}")
    fuzzy = entries("--only-fuzzy")
    if fuzzy:
        problems.append(f"{len(fuzzy)} fuzzy: {sorted(fuzzy)[:3]}")
    if problems:
        print("French catalogue incomplete (run `make messages`, then translate):", file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"French catalogue complete: {len(before)} messages.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
