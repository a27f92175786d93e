from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from vigie.addresses.postal import MAX_LENGTH, MAX_LINES, envelope_lines

text = st.text(min_size=0, max_size=120)
LAST_LINE = re.compile(r"^\d{5} [A-Z0-9 ]+$")


@given(
    name=text,
    number=st.from_regex(r"\d{0,5}", fullmatch=True),
    suffix=st.sampled_from(["", "bis", "ter", "a"]),
    street=text.filter(lambda value: any(c.isalpha() for c in value)),
    complement=text,
    postcode=st.from_regex(r"\d{5}", fullmatch=True),
    locality=st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzéèêàçô -'ÉÈ", min_size=1, max_size=60
    ).filter(lambda value: any(c.isalpha() for c in value)),
)
def test_it_always_fits_an_envelope(
    name: str, number: str, suffix: str, street: str, complement: str, postcode: str, locality: str
) -> None:
    lines = envelope_lines(
        name=name, number=number, suffix=suffix, street=street,
        complement=complement, postcode=postcode, locality=locality,
    )  # fmt: skip

    assert len(lines) <= MAX_LINES
    assert all(len(line) <= MAX_LENGTH for line in lines)
    assert LAST_LINE.match(lines[-1]), lines[-1]


def test_it_writes_a_french_address_the_postal_way() -> None:
    lines = envelope_lines(
        name="Jeanne Dupont",
        number="12",
        suffix="bis",
        street="Avenue du Maréchal de Lattre de Tassigny prolongée",
        complement="Appartement 4, 2e étage",
        postcode="44000",
        locality="Saint-Herblain-lès-Nantes",
    )

    assert lines == [
        "Jeanne Dupont",
        "APPARTEMENT 4 2E ETAGE",
        "12 BIS AV DU MAL DE LATTRE DE TASSIGNY",
        "44000 SAINT HERBLAIN LES NANTES",
    ]


def test_it_spells_ligatures_and_keeps_letter_suffixes() -> None:
    lines = envelope_lines(
        name="Zoë Œlberg",
        number="3",
        suffix="b",
        street="Rue du Sacré-Cœur",
        postcode="75018",
        locality="Paris",
    )

    assert lines[1] == "3 B RUE DU SACRE COEUR"
    assert lines[0] == "Zoë Œlberg"  # the letter's font prints Œ


def test_it_falls_back_on_the_resident_when_a_name_cannot_be_printed() -> None:
    from vigie.addresses.postal import envelope

    block = envelope(
        name="王小明",
        number="3",
        suffix="",
        street="Rue des Lilas",
        postcode="99100",
        locality="Bourg-lès-Vigies",
        fallback_name="Au résident",
    )

    assert block.name == "Au résident"
