"""Merging the spooled letters into one print-ready PDF."""

from __future__ import annotations

import fcntl
import io
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from vigie.accounts.models import User
from vigie.verification.actions import do_mark_letters_posted
from vigie.verification.models import Letter, LetterStatus
from vigie.verification.senders import SpoolSender, write_private


@dataclass(frozen=True)
class PrintRun:
    path: Path | None
    letters: int
    missing: list[int]


def merge_pdfs(
    paths: list[Path], target: Path, *, on_progress: Callable[[int, int], None] | None = None
) -> None:
    """Concatenate PDFs into one file (readable by its owner only), in order."""
    writer = PdfWriter()
    for index, path in enumerate(paths, start=1):
        writer.append(PdfReader(path))
        if on_progress:
            on_progress(index, len(paths))
    buffer = io.BytesIO()
    writer.write(buffer)
    write_private(target, buffer.getvalue())


@contextmanager
def _one_print_run_at_a_time(folder: Path) -> Iterator[None]:
    """Two runs at once would print the same letters twice: the second waits."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (folder / ".print.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def print_spooled_letters(
    *, acting_user: User | None, on_progress: Callable[[int, int], None] | None = None
) -> PrintRun:
    """Merge every spooled letter into ``letters/print/<time>.pdf``, mark them posted.

    The single letters (each holds a code in clear) are deleted once merged;
    the print file is for the team to print, post, then delete.
    """
    with _one_print_run_at_a_time(settings.LETTERS_DIR):
        return _print(acting_user=acting_user, on_progress=on_progress)


def _print(*, acting_user: User | None, on_progress: Callable[[int, int], None] | None) -> PrintRun:
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
    stamp = f"{timezone.localtime():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
    target = settings.LETTERS_DIR / "print" / f"letters-{stamp}.pdf"
    merge_pdfs([spool.paths(letter)[0] for letter in merged], target, on_progress=on_progress)
    do_mark_letters_posted(merged, acting_user=acting_user)
    for letter in merged:
        spool.cancel(letter)  # removes the single PDF and its manifest
    return PrintRun(path=target, letters=len(merged), missing=missing)
