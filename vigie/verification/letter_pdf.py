"""The activation letter: one A4 page folded in three for a DL window envelope.

The address block sits in ``WINDOW_AREA``, the part of the sheet that shows
through the window of a French DL envelope with the window on the right
(window 100 x 45 mm, 20 mm from the right edge and 15 mm from the bottom),
shrunk by the play of the folded sheet inside the envelope.  The page holds
the code, the activation page's address and a QR code to it (not the code),
the expiry date, what to do if you never asked for it, and nothing else
personal.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from datetime import datetime

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject


@dataclass(frozen=True)
class Area:
    """A rectangle on the sheet, in millimetres from its top-left corner."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
WINDOW_AREA = Area(left=100.0, top=50.0, width=90.0, height=34.0)
ADDRESS_BLOCK = Area(left=105.0, top=53.0, width=82.0, height=28.0)
ADDRESS_FONT = "Helvetica"
ADDRESS_FONT_SIZES = (10.0, 9.5, 9.0, 8.5, 8.0)
LINE_HEIGHT_MM = 4.4


def activation_url() -> str:
    return settings.BASE_URL + reverse("verification:activate")


def _y(canvas_top_mm: float) -> float:
    """reportlab measures from the bottom; the layout above is from the top."""
    return (PAGE_HEIGHT_MM - canvas_top_mm) * mm


@dataclass(frozen=True)
class AddressLayout:
    font_size: float
    # Horizontal scale of each line (1.0 = as drawn); below 1 only for a line of wide
    # capitals that would overflow the window even at the smallest size.
    scales: tuple[float, ...]

    def width_mm(self, index: int, line: str) -> float:
        return stringWidth(line, ADDRESS_FONT, self.font_size) * self.scales[index] / mm


def address_layout(lines: list[str]) -> AddressLayout:
    """The largest type that fits every line in the block, squeezing only what must be."""
    available = ADDRESS_BLOCK.width * mm
    for size in ADDRESS_FONT_SIZES:
        if all(stringWidth(line, ADDRESS_FONT, size) <= available for line in lines):
            return AddressLayout(font_size=size, scales=tuple(1.0 for _ in lines))
    size = ADDRESS_FONT_SIZES[-1]
    return AddressLayout(
        font_size=size,
        scales=tuple(
            min(1.0, available / max(stringWidth(line, ADDRESS_FONT, size), 1e-6)) for line in lines
        ),
    )


# Every letter of a day and a language says the same paragraphs: measured once, not for
# each of 10,000 letters (word-by-word stringWidth was a sixth of a letter's time).
@functools.lru_cache(maxsize=256)
def _wrapped(text: str, *, font: str, size: float, width_mm: float) -> tuple[str, ...]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words = paragraph.split()
        current = ""
        for word in words:
            candidate = f"{current} {word}".strip()
            if stringWidth(candidate, font, size) <= width_mm * mm:
                current = candidate
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return tuple(lines)


def _paragraph(
    canvas: Canvas, text: str, *, top: float, size: float = 10.5, bold: bool = False
) -> float:
    font = "Helvetica-Bold" if bold else "Helvetica"
    canvas.setFont(font, size)
    line_height = size * 0.42 + 1.2
    for line in _wrapped(text, font=font, size=size, width_mm=170):
        canvas.drawString(20 * mm, _y(top), line)
        top += line_height
    return top + 2


@functools.cache
def _qr_runs(url: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The QR code's dark modules as (row, first column, length) runs, computed once per URL."""
    matrix = segno.make(url, error="m").matrix
    runs = []
    for row, modules in enumerate(matrix):
        column = 0
        while column < len(modules):
            if modules[column]:
                start = column
                while column < len(modules) and modules[column]:
                    column += 1
                runs.append((row, start, column - start))
            else:
                column += 1
    return len(matrix), tuple(runs)


@functools.lru_cache(maxsize=16)
def _qr_path(url: str, *, left: float, bottom: float, side: float) -> PDFPathObject:
    """The QR code as one path of filled rectangles, built once: the same on every letter."""
    size, runs = _qr_runs(url)
    quiet_zone = 2
    module = side / (size + 2 * quiet_zone)
    path = PDFPathObject()
    for row, column, length in runs:
        path.rect(
            left + (column + quiet_zone) * module,
            bottom + side - (row + 1 + quiet_zone) * module,
            length * module,
            module,
        )
    return path


def _draw_qr_code(canvas: Canvas, url: str, *, left: float, bottom: float, side: float) -> None:
    """The QR code as filled rectangles (they never overlap): the same image, a hundredth
    of the drawing work of a module each, and a path built once rather than per letter."""
    canvas.setFillGray(0)
    canvas.drawPath(_qr_path(url, left=left, bottom=bottom, side=side), stroke=0, fill=1)


def draw_letter(
    canvas: Canvas,
    *,
    address_lines: list[str],
    code: str,
    expires_at: datetime,
    language: str,
    today: datetime,
) -> None:
    """Draw one letter on the canvas's current page (the caller ends the page)."""
    with translation.override(language):
        url = activation_url()
        # Sender, top left: outside the window.
        canvas.setFont("Helvetica-Bold", 13)
        canvas.drawString(20 * mm, _y(22), "Vigie")
        canvas.setFont("Helvetica", 8.5)
        top = 27.0
        for line in [_("Address verification service"), *settings.LETTER_RETURN_ADDRESS]:
            canvas.drawString(20 * mm, _y(top), line)
            top += 3.8

        # Recipient, in the window.
        layout = address_layout(address_lines)
        for index, line in enumerate(address_lines):
            text = canvas.beginText(
                ADDRESS_BLOCK.left * mm, _y(ADDRESS_BLOCK.top + 3.5 + index * LINE_HEIGHT_MM)
            )
            text.setFont(ADDRESS_FONT, layout.font_size)
            text.setHorizScale(layout.scales[index] * 100)
            text.textOut(line)
            canvas.drawText(text)

        # Body, below the first fold.
        top = 104.0
        canvas.setFont("Helvetica", 10)
        canvas.drawRightString(
            190 * mm, _y(top), formats.date_format(timezone.localtime(today), "DATE_FORMAT")
        )
        top = _paragraph(canvas, _("Your Vigie activation code"), top=top + 9, size=14, bold=True)
        top = _paragraph(
            canvas,
            _(
                "Hello,\nSomeone asked to join Vigie, the network of neighbours of your street, "
                "from this address. To prove that you live here, log in to Vigie and enter "
                "this code:"
            ),
            top=top + 2,
        )
        canvas.setFont("Courier-Bold", 28)
        canvas.drawCentredString(105 * mm, _y(top + 12), code)
        top += 22
        top = _paragraph(
            canvas,
            _("on the page %(url)s (or scan the QR code).") % {"url": url},
            top=top,
        )
        top = _paragraph(
            canvas,
            _(
                "This code works until %(date)s, for your account and this address only, "
                "and for %(tries)d tries. Never give it to anyone: our team will never ask you "
                "for it."
            )
            % {
                "date": formats.date_format(timezone.localtime(expires_at), "DATE_FORMAT"),
                "tries": settings.ACTIVATION_CODE_MAX_WRONG_ENTRIES,
            },
            top=top + 2,
        )
        top = _paragraph(canvas, _("You did not ask for anything?"), top=top + 4, bold=True)
        _paragraph(
            canvas,
            _(
                "Then do nothing: nobody can join Vigie at your address without this code. "
                "If you receive more letters you did not ask for, write to us at %(email)s."
            )
            % {"email": settings.CONTACT_EMAIL},
            top=top,
        )

        _draw_qr_code(canvas, url, left=158 * mm, bottom=_y(270), side=32 * mm)

        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(
            20 * mm, _y(285), _("Vigie: neighbours who look out for each other, safely.")
        )


def render_letter(
    *, address_lines: list[str], code: str, expires_at: datetime, language: str, today: datetime
) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle("Vigie")
    canvas.setAuthor("Vigie")
    draw_letter(
        canvas,
        address_lines=address_lines,
        code=code,
        expires_at=expires_at,
        language=language,
        today=today,
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
