"""Reading letters back, as a person (or a test) would."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from pypdf import PdfReader

CODE_PATTERN = re.compile(r"\b[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{2}\b")


def spooled_pdfs() -> list[Path]:
    return sorted(Path(settings.LETTERS_OUTBOX).glob("*.pdf"))


def pdf_text(path: Path | bytes) -> str:
    if isinstance(path, bytes):
        import io

        return PdfReader(io.BytesIO(path)).pages[0].extract_text()
    return PdfReader(path).pages[0].extract_text()


def code_in(path: Path) -> str:
    match = CODE_PATTERN.search(pdf_text(path))
    assert match, "no code in the letter"
    return match.group(0)
