"""Set French translations in vigie/locale/fr/LC_MESSAGES/django.po.

Usage: python scripts/set_translations.py FILE.tsv
Each line of FILE.tsv: the English msgid, a tab, the French text; for a plural
entry, the singular msgid, a tab, the French singular, a tab, the French plural.
The entry's fuzzy flag and previous-msgid comments (left by makemessages'
guesses) are dropped.  Escapes: write \\n for a newline.
"""

from __future__ import annotations

import sys
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "vigie/locale/fr/LC_MESSAGES/django.po"


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\\\\n", "\\n")


def unquote(line: str) -> str:
    return line[line.index('"') + 1 : line.rindex('"')]


def entry_msgid(lines: list[str]) -> str | None:
    parts: list[str] | None = None
    for line in lines:
        if line.startswith("msgid "):
            parts = [unquote(line)]
        elif parts is not None and line.startswith('"'):
            parts.append(unquote(line))
        elif parts is not None:
            break
    return "".join(parts) if parts is not None else None


def main() -> int:
    pairs = [
        line.rstrip("\n").split("\t")
        for line in Path(sys.argv[1]).read_text().splitlines()
        if line.strip()
    ]
    blocks = CATALOGUE.read_text().split("\n\n")
    missing = []
    for msgid, *translations in pairs:
        for index, block in enumerate(blocks):
            lines = block.split("\n")
            if entry_msgid(lines) != escape(msgid):
                continue
            kept = [line for line in lines if not line.startswith("#|") and line != "#, fuzzy"]
            kept = [line.replace("#, fuzzy, ", "#, ") for line in kept]
            end = next(i for i, line in enumerate(kept) if line.startswith("msgstr"))
            if kept[end].startswith("msgstr["):
                singular, plural = translations
                body = [f'msgstr[0] "{escape(singular)}"', f'msgstr[1] "{escape(plural)}"']
            else:
                body = [f'msgstr "{escape(translations[0])}"']
            blocks[index] = "\n".join(kept[:end] + body)
            break
        else:
            missing.append(msgid)
    # An entry rewritten at the end of the file must keep the file's final newline.
    CATALOGUE.write_text("\n\n".join(blocks).rstrip("\n") + "\n")
    for msgid in missing:
        print(f"not found: {msgid}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
