"""Properties of the letter's address block: in the window, and the same lines for Maileva."""

from __future__ import annotations

import io
from datetime import timedelta

from django.utils import timezone
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader

from vigie.addresses.postal import MAX_LENGTH, Envelope, envelope
from vigie.verification.letter_pdf import (
    ADDRESS_BLOCK,
    LINE_HEIGHT_MM,
    address_layout,
    render_letter,
)
from vigie.verification.senders import maileva_recipient

characters = st.characters() | st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Co", "Cs"])
any_text = st.text(characters, max_size=80)
# The widest capitals and digits: the lines that most need squeezing.
wide_text = st.text("WMÆŒ@%0 ", max_size=80)
FRENCH = "abcdefghijklmnopqrstuvwxyzàâçéèêëîïôùûüÿœæ ABCDEFGHIJKLMNOPQRSTUVWXYZÀÇÉÈŒ-'\u2019"


@st.composite
def envelopes(draw: st.DrawFn) -> Envelope:
    text = any_text | wide_text
    return envelope(
        name=draw(text),
        number=draw(st.from_regex(r"[0-9]{0,5}", fullmatch=True)),
        suffix=draw(st.sampled_from(["", "bis", "ter", "quater", "quinquies", "b"])),
        street=draw(text),
        complement=draw(text),
        postcode=draw(st.from_regex(r"[0-9]{5}", fullmatch=True)),
        locality=draw(text),
        street_postal=draw(text),
        fallback_name="Au résident",
    )


@hypothesis_settings(max_examples=200, deadline=None)
@given(block=envelopes())
def test_it_fits_any_address_block_inside_the_envelope_window(block: Envelope) -> None:
    lines = block.lines
    layout = address_layout(lines)

    assert len(lines) * LINE_HEIGHT_MM <= ADDRESS_BLOCK.height
    for index, line in enumerate(lines):
        assert layout.width_mm(index, line) <= ADDRESS_BLOCK.width + 1e-6
        assert 0.5 <= layout.scales[index] <= 1.0  # squeezed, never crushed


@hypothesis_settings(max_examples=200, deadline=None)
@given(block=envelopes())
def test_it_gives_maileva_the_lines_the_pdf_prints_in_their_places(block: Envelope) -> None:
    recipient = maileva_recipient(block)

    assert recipient.pop("country_code") == "FR"
    assert recipient["address_line_6"] == block.last_line
    assert recipient["address_line_4"] == block.street_line
    assert recipient["address_line_1"] == block.name
    assert set(recipient) <= {f"address_line_{number}" for number in range(1, 7)}
    assert all(len(value) <= MAX_LENGTH for value in recipient.values())
    printed = [value for _key, value in sorted(recipient.items()) if value]
    assert printed == block.lines


@hypothesis_settings(max_examples=15, deadline=None)
# Found by hypothesis: œ, Œ and U+2019 were dropped from the name, though Helvetica prints them.
@example(name="Cœur d\u2019Artagnan")
@given(name=st.text(FRENCH, min_size=1, max_size=38).map(lambda text: " ".join(text.split())))
def test_it_prints_a_french_name_into_the_pdf_letter_for_letter(name: str) -> None:
    block = envelope(
        name=name, number="12", suffix="bis", street="Rue des Lilas", postcode="99100",
        locality="Bourg-lès-Vigies", fallback_name="Au résident",
    )  # fmt: skip
    now = timezone.now()

    pdf = render_letter(
        address_lines=block.lines,
        code="K7QM-R2XD-9F",
        expires_at=now + timedelta(days=35),
        language="fr",
        today=now,
    )

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert block.name == name
    assert name in text
