"""Merging the spooled letters into one print-ready PDF."""

from __future__ import annotations

import copy
import fcntl
import secrets
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils import timezone
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    PdfObject,
    StreamObject,
)

from vigie.accounts.models import User
from vigie.verification.actions import do_mark_letters_posted
from vigie.verification.models import Letter, LetterStatus
from vigie.verification.senders import SpoolSender, private_file


@dataclass(frozen=True)
class PrintRun:
    path: Path | None
    letters: int
    missing: list[int]


class _Concatenation:
    """Pages of many PDFs written one after another straight into one file.

    pypdf's ``PdfWriter`` keeps every page appended to it, and through them
    each source's reader, until it writes the whole file at the end: memory
    grows with every letter (600 MB for 10,000).  Here each source is read,
    its pages' objects are renumbered and written at once, and the source is
    dropped; only an offset per object (for the cross-reference table) and
    a number per page stay until the end.  What a page holds is copied as
    it is: content streams keep their bytes and filters, so every page
    prints as its letter did.
    """

    CATALOG, PAGES = 1, 2

    def __init__(self, output: BinaryIO) -> None:
        self.output = output
        self.offsets = array("Q", [0, 0])  # object n's at [n - 1]; 1 and 2 are written last
        self.pages = array("Q")
        # 1.7 reads every earlier version's content; the binary comment marks the file as binary.
        output.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def _reserve(self) -> int:
        self.offsets.append(0)
        return len(self.offsets)

    def _write_object(self, number: int, value: PdfObject) -> None:
        self.offsets[number - 1] = self.output.tell()
        self.output.write(b"%d 0 obj\n" % number)
        value.write_to_stream(self.output)
        self.output.write(b"\nendobj\n")

    def add(self, source: Path) -> None:
        reader = PdfReader(source)
        numbers: dict[tuple[int, int], int] = {}
        waiting: list[tuple[int, PdfObject]] = []

        def renumbered(value: PdfObject) -> PdfObject:
            if isinstance(value, IndirectObject):
                key = (value.idnum, value.generation)
                if key not in numbers:
                    numbers[key] = self._reserve()
                    # An empty dictionary or array is falsy but no null: only None is.
                    found = value.get_object()
                    waiting.append((numbers[key], NullObject() if found is None else found))
                return IndirectObject(numbers[key], 0, None)
            if isinstance(value, StreamObject):
                stream = copy.copy(value)  # the same encoded bytes, under a renumbered dictionary
                for name, item in value.items():
                    stream[name] = renumbered(item)
                return stream
            if isinstance(value, DictionaryObject):
                return DictionaryObject({name: renumbered(item) for name, item in value.items()})
            if isinstance(value, ArrayObject):
                return ArrayObject(renumbered(item) for item in value)
            return value

        pages = list(reader.pages)
        # Every page gets its number first: a link from one page to another must not copy
        # the other (nor, through its parent, the source's whole page tree) a second time.
        page_numbers = []
        for page in pages:
            number = self._reserve()
            if page.indirect_reference is not None:
                reference = page.indirect_reference
                numbers[(reference.idnum, reference.generation)] = number
            page_numbers.append(number)
        for page, number in zip(pages, page_numbers, strict=True):
            # The page's inherited attributes (resources, media box) are its own once read.
            copied = DictionaryObject(
                {name: renumbered(item) for name, item in page.items() if name != "/Parent"}
            )
            copied[NameObject("/Parent")] = IndirectObject(self.PAGES, 0, None)
            self._write_object(number, copied)
            self.pages.append(number)
            while waiting:
                found_number, found = waiting.pop()
                self._write_object(found_number, renumbered(found))

    def finish(self) -> None:
        self.offsets[self.PAGES - 1] = self.output.tell()
        kids = b" ".join(b"%d 0 R" % number for number in self.pages)
        self.output.write(
            b"%d 0 obj\n<< /Type /Pages /Kids [ %s ] /Count %d >>\nendobj\n"
            % (self.PAGES, kids, len(self.pages))
        )
        self.offsets[self.CATALOG - 1] = self.output.tell()
        self.output.write(
            b"%d 0 obj\n<< /Type /Catalog /Pages %d 0 R >>\nendobj\n" % (self.CATALOG, self.PAGES)
        )
        table = self.output.tell()
        self.output.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.offsets) + 1))
        for start in range(0, len(self.offsets), 4096):
            self.output.write(
                b"".join(
                    b"%010d 00000 n \n" % offset for offset in self.offsets[start : start + 4096]
                )
            )
        self.output.write(
            b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(self.offsets) + 1, self.CATALOG, table)
        )


def merge_pdfs(
    paths: list[Path], target: Path, *, on_progress: Callable[[int, int], None] | None = None
) -> None:
    """Concatenate PDFs into one file (readable by its owner only), in order.

    Memory stays that of one source PDF however many there are: each is
    written out as soon as it is read.
    """
    with private_file(target) as output:
        concatenation = _Concatenation(output)
        for index, path in enumerate(paths, start=1):
            concatenation.add(path)
            if on_progress:
                on_progress(index, len(paths))
        concatenation.finish()


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
