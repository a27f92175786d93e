"""Merging letters into the print file: every page as its letter printed it, in order."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import cast

import pytest
from django.utils import timezone
from pypdf import PageObject, PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import DictionaryObject
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from vigie.addresses.postal import envelope_lines
from vigie.verification.codes import new_code
from vigie.verification.letter_pdf import PAGE_HEIGHT_MM, draw_letter, render_letter
from vigie.verification.printing import merge_pdfs


def letter_lines(number: int) -> list[str]:
    return envelope_lines(
        name=f"Résident numéro {number}",
        number=str(number + 1),
        suffix="",
        street="Avenue du Général de Gaulle" if number % 2 else "Rue des Lilas",
        complement="Appartement 12" if number % 3 else "",
        postcode="44000",
        locality="Nantes",
    )


def text_positions(page: PageObject) -> list[tuple[str, float, float]]:
    """Every piece of text on the page with its position, in mm from the top-left corner."""
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: object, tm: list[float], font: object, size: float) -> None:
        if text.strip():
            found.append(
                (text.strip(), round(tm[4] / mm, 3), round(PAGE_HEIGHT_MM - tm[5] / mm, 3))
            )

    page.extract_text(visitor_text=visit)
    return found


def fonts(page: PageObject) -> dict[str, str]:
    resources = cast(DictionaryObject, page["/Resources"].get_object())
    return {
        name: str(cast(DictionaryObject, font.get_object())["/BaseFont"])
        for name, font in cast(DictionaryObject, resources["/Font"].get_object()).items()
    }


def spool(folder: Path, count: int) -> tuple[list[Path], list[str]]:
    now = timezone.now()
    paths, codes = [], []
    for number in range(count):
        code = new_code()
        path = folder / f"letter-{number:09d}.pdf"
        path.write_bytes(
            render_letter(
                address_lines=letter_lines(number),
                code=code,
                expires_at=now + timedelta(days=35),
                language="fr",
                today=now,
            )
        )
        paths.append(path)
        codes.append(code)
    return paths, codes


def test_it_prints_each_letter_on_its_own_page_in_order_as_it_was(tmp_path: Path) -> None:
    paths, codes = spool(tmp_path, 25)

    merge_pdfs(paths, tmp_path / "print.pdf")

    printed = PdfReader(tmp_path / "print.pdf", strict=True)
    assert len(printed.pages) == 25
    for page, path, code in zip(printed.pages, paths, codes, strict=True):
        (letter,) = PdfReader(path).pages
        positions = text_positions(page)
        assert positions == text_positions(letter)
        assert [text for text, _x, _y in positions].count(code) == 1
        content, original = page.get_contents(), letter.get_contents()
        assert content is not None
        assert original is not None
        assert content.get_data() == original.get_data()
        assert page.mediabox == letter.mediabox
        assert fonts(page) == fonts(letter)


def test_it_keeps_every_page_of_a_source_of_several(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    codes = [new_code() for _ in range(3)]
    for number, code in enumerate(codes):
        now = timezone.now()
        draw_letter(
            canvas,
            address_lines=letter_lines(number),
            code=code,
            expires_at=now,
            language="en",
            today=now,
        )
        canvas.showPage()
    canvas.save()
    several = tmp_path / "several.pdf"
    several.write_bytes(buffer.getvalue())
    (single,), (last_code,) = spool(tmp_path, 1)

    merge_pdfs([several, single], tmp_path / "print.pdf", on_progress=lambda *_: None)

    pages = PdfReader(tmp_path / "print.pdf", strict=True).pages
    assert [code in page.extract_text() for page in pages for code in [*codes, last_code]] == [
        index == column for index in range(4) for column in range(4)
    ]
    assert all(fonts(page)["/F1"] == "/Helvetica" for page in pages)


def pdf_inheriting_from_its_page_tree(text: str) -> bytes:
    """One page that takes its fonts and its size from the page tree above it (PDF 7.7.3.4)."""
    content = b"BT /F1 12 Tf 72 720 Td (" + text.encode() + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 420 595]"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Type /Page /Parent 2 0 R /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
    ]
    pdf, offsets = bytearray(b"%PDF-1.7\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        table,
    )
    return bytes(pdf)


def test_it_gives_a_page_what_it_inherited_from_its_source_page_tree(tmp_path: Path) -> None:
    inheriting = tmp_path / "inheriting.pdf"
    inheriting.write_bytes(pdf_inheriting_from_its_page_tree("Bonjour"))
    (letter,), _codes = spool(tmp_path, 1)

    merge_pdfs([inheriting, letter], tmp_path / "print.pdf")

    first, second = PdfReader(tmp_path / "print.pdf", strict=True).pages
    assert first.mediabox == [0, 0, 420, 595]
    assert fonts(first) == {"/F1": "/Courier"}
    assert first.extract_text() == "Bonjour"
    assert fonts(second) == fonts(PdfReader(letter).pages[0])


def test_it_writes_no_print_file_when_a_letter_cannot_be_read(tmp_path: Path) -> None:
    paths, _codes = spool(tmp_path, 3)
    paths[1].write_bytes(b"not a PDF at all")

    with pytest.raises(PdfReadError):
        merge_pdfs(paths, tmp_path / "print.pdf")

    assert sorted(path.name for path in tmp_path.iterdir()) == [path.name for path in paths]
