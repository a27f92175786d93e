"""Rewrite the ASVS table of docs/security.md from docs/asvs-5.0-l2.tsv.

The data file is where rows are edited; this puts its rendering (the one the check in
vigie/tests/test_security_doc.py compares with) in place of the table.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vigie.tests.test_security_doc import DOC, HEADER, SECTION, render, rows  # noqa: E402


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    before, section = text.split(SECTION, 1)
    lines = section.split("\n")
    start = lines.index(HEADER)
    end = start + 2
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    lines[start + 2 : end] = [render(row) for row in rows()]
    DOC.write_text(before + SECTION + "\n".join(lines), encoding="utf-8")
    print(f"{end - start - 2} rows replaced by {len(rows())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
