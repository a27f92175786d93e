from __future__ import annotations

import io
from datetime import datetime, timedelta

from django.utils import timezone
from pypdf import PdfReader
from reportlab.lib.units import mm

from vigie.addresses.postal import envelope_lines
from vigie.verification.letter_pdf import PAGE_HEIGHT_MM, WINDOW_AREA, activation_url, render_letter

LINES = envelope_lines(
    name="Jeanne Dupont",
    number="12",
    suffix="bis",
    street="Rue des Lilas",
    complement="Appartement 4",
    postcode="44000",
    locality="Nantes",
)


def render(code: str = "K7QM-R2XD-9F") -> bytes:
    now = timezone.now()
    return render_letter(
        address_lines=LINES,
        code=code,
        expires_at=now + timedelta(days=35),
        language="fr",
        today=now,
    )


def text_positions(pdf: bytes) -> list[tuple[str, float, float]]:
    """Every piece of text with its position, in millimetres from the top-left corner."""
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: object, tm: list[float], font: object, size: float) -> None:
        if text.strip():
            found.append((text.strip(), tm[4] / mm, PAGE_HEIGHT_MM - tm[5] / mm))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return found


def test_it_prints_the_code_the_address_and_the_activation_page() -> None:
    text = PdfReader(io.BytesIO(render())).pages[0].extract_text()

    assert "K7QM-R2XD-9F" in text
    for line in LINES:
        assert line in text
    assert activation_url() in text
    assert "Vous n'avez rien demandé" in text or "did not ask" in text


def test_it_puts_the_address_block_inside_the_envelope_window() -> None:
    positions = text_positions(render())

    for line in LINES:
        (x, y) = next((x, y) for text, x, y in positions if text == line)
        assert WINDOW_AREA.left <= x <= WINDOW_AREA.right - 20, (line, x)
        assert WINDOW_AREA.top <= y <= WINDOW_AREA.bottom, (line, y)


def test_it_keeps_everything_else_out_of_the_window() -> None:
    positions = text_positions(render())

    inside = [
        text
        for text, x, y in positions
        if WINDOW_AREA.left <= x <= WINDOW_AREA.right and WINDOW_AREA.top <= y <= WINDOW_AREA.bottom
    ]
    assert inside == LINES


def test_it_shows_the_expiry_date() -> None:
    expires = datetime(2027, 1, 31, 12, tzinfo=timezone.get_current_timezone())
    pdf = render_letter(
        address_lines=LINES,
        code="K7QM-R2XD-9F",
        expires_at=expires,
        language="fr",
        today=timezone.now(),
    )

    assert "31 janvier 2027" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_it_never_puts_the_code_in_the_qr_code() -> None:
    pdf = render("ZZZZ-ZZZZ-ZZ")

    # The code appears once as text; the QR code, drawn as shapes, encodes the page's URL only.
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert text.count("ZZZZ-ZZZZ-ZZ") == 1


def test_it_draws_the_qr_code_of_the_activation_page_module_for_module() -> None:
    import re

    import segno

    content = PdfReader(io.BytesIO(render())).pages[0].get_contents()
    assert content is not None
    rectangles = re.findall(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re", content.get_data())
    expected = segno.make(activation_url(), error="m").matrix
    side = len(expected)
    # Rebuilt from the rectangles' positions: the module is the smallest height drawn.
    module = min(float(height) for _x, _y, _width, height in rectangles)
    left = min(float(x) for x, _y, _width, _height in rectangles)
    top = max(float(y) + float(height) for _x, y, _width, height in rectangles)
    drawn = [[False] * side for _row in range(side)]
    for x, y, width, _height in rectangles:
        row = round((top - float(y)) / module) - 1
        first = round((float(x) - left) / module)
        for column in range(first, first + round(float(width) / module)):
            drawn[row][column] = True
    # The drawing starts at the first dark module: the finder pattern in the corner.
    assert drawn == [[bool(dark) for dark in line] for line in expected]


def test_it_fits_the_longest_address_block_inside_the_window() -> None:
    from vigie.verification.letter_pdf import address_layout

    longest = ["W" * 38] * 6
    pdf = render_letter(
        address_lines=longest,
        code="K7QM-R2XD-9F",
        expires_at=timezone.now(),
        language="fr",
        today=timezone.now(),
    )
    layout = address_layout(longest)
    positions = [(x, y) for text, x, y in text_positions(pdf) if text == "W" * 38]

    assert len(positions) == 6
    for index, (x, y) in enumerate(positions):
        cap_height = layout.font_size * 0.72 / mm  # from the baseline up, in millimetres
        assert WINDOW_AREA.left <= x
        assert x + layout.width_mm(index, "W" * 38) <= WINDOW_AREA.right
        assert WINDOW_AREA.top <= y - cap_height
        assert y <= WINDOW_AREA.bottom
