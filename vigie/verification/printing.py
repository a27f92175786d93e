"""Merging the spooled letters into one print-ready PDF."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from vigie.accounts.models import User
from vigie.verification.actions import do_mark_letters_posted
from vigie.verification.models import Letter, LetterStatus
from vigie.verification.senders import SpoolSender


@dataclass(frozen=True)
class PrintRun:
    path: Path | None
    letters: int
    missing: list[int]


def merge_pdfs(
    paths: list[Path], target: Path, *, on_progress: Callable[[int, int], None] | None = None
) -> None:
    """Concatenate PDFs into one file, in order."""
    writer = PdfWriter()
    for index, path in enumerate(paths, start=1):
        writer.append(PdfReader(path))
        if on_progress:
            on_progress(index, len(paths))
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as output:
        writer.write(output)
    target.chmod(0o600)


def print_spooled_letters(
    *, acting_user: User | None, on_progress: Callable[[int, int], None] | None = None
) -> PrintRun:
    """Merge every spooled letter into ``letters/print/<time>.pdf``, mark them posted.

    The single letters (each holds a code in clear) are deleted once merged;
    the print file is for the team to print, post, then delete.
    """
    spool = SpoolSender(settings.LETTERS_OUTBOX)
    letters = list(
        Letter.objects.filter(status=LetterStatus.HANDED_OVER, sender=spool.name).order_by("pk")
    )
    merged: list[Letter] = []
    missing: list[int] = []
    for letter in letters:
        pdf_path, _manifest = spool.paths(letter)
        if pdf_path.exists():
            merged.append(letter)
        else:
            missing.append(letter.pk)
    if not merged:
        return PrintRun(path=None, letters=0, missing=missing)
    target = settings.LETTERS_DIR / "print" / f"letters-{timezone.localtime():%Y%m%d-%H%M%S}.pdf"
    merge_pdfs([spool.paths(letter)[0] for letter in merged], target, on_progress=on_progress)
    do_mark_letters_posted(merged, acting_user=acting_user)
    for letter in merged:
        spool.cancel(letter)  # removes the single PDF and its manifest
    return PrintRun(path=target, letters=len(merged), missing=missing)
