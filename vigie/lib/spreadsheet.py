"""CSV cells that a spreadsheet opens as text, never as a formula (OWASP "CSV injection")."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A text starting like a formula gets a leading apostrophe; anything else is as it was."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
