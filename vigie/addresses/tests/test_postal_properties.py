"""Properties of addresses as typed and as printed: an envelope's rules, whatever is typed."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from vigie.addresses.actions import AddressInput, CleanAddress, clean_address
from vigie.addresses.postal import MAX_LENGTH, MAX_LINES, Envelope, envelope
from vigie.addresses.text import postal_upper
from vigie.lib.errors import InvalidInput

FAST = hypothesis_settings(max_examples=200, deadline=None)

# Any character at all: hypothesis leaves lone surrogates out unless asked.
characters = st.characters() | st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Co", "Cs"])
any_text = st.text(characters, max_size=80)
postcodes = st.from_regex(r"[0-9]{5}", fullmatch=True)
# How French names are written: accents, œ and æ, Ÿ, the typographic apostrophe.
FRENCH = (
    "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿœæ" + "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÂÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ"
)
french_words = st.text(FRENCH, min_size=1, max_size=10)
french_names = st.lists(
    st.tuples(french_words, st.sampled_from([" ", "-", "'", "\u2019", " d\u2019", " de "])),
    min_size=1,
    max_size=4,
).map(lambda parts: "".join(word + joint for word, joint in parts) + "x")
# Latin letters of European languages and Vietnamese: Łódź, Đorđević, Þór, Nguyễn.
latin_letters = st.text(
    st.characters(min_codepoint=0xC0, max_codepoint=0x17F, categories=["Lu", "Ll"])
    | st.characters(min_codepoint=0x1EA0, max_codepoint=0x1EF9, categories=["Lu", "Ll"]),
    min_size=1,
    max_size=19,  # ĳ and Þ spell two letters: 38 characters at most, nothing cut
)


def in_the_letters_font(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def assert_fits(block: Envelope, postcode: str) -> None:
    """NF Z10-011: at most six lines of 38 characters, the locality line last."""
    lines = block.lines
    assert 1 <= len(lines) <= MAX_LINES
    assert all(len(line) <= MAX_LENGTH for line in lines)
    assert lines[-1] == block.last_line
    assert lines[-1].split(" ")[0] == postcode
    for line in lines:
        assert line == line.strip()
        assert all(character.isprintable() for character in line), line
        assert in_the_letters_font(line), line
    for line in (block.street_line, block.last_line, *block.complement_lines):
        assert re.fullmatch(r"[A-Z0-9 ]*", line), line


@FAST
@given(
    name=any_text,
    number=any_text,
    suffix=any_text,
    street=any_text,
    complement=any_text,
    postcode=postcodes,
    locality=any_text,
    street_postal=any_text,
)
def test_it_fits_an_envelope_whatever_it_is_given(
    name: str,
    number: str,
    suffix: str,
    street: str,
    complement: str,
    postcode: str,
    locality: str,
    street_postal: str,
) -> None:
    block = envelope(
        name=name, number=number, suffix=suffix, street=street, complement=complement,
        postcode=postcode, locality=locality, street_postal=street_postal,
        fallback_name="Au résident",
    )  # fmt: skip

    assert_fits(block, postcode)


@FAST
@given(name=french_names, decomposed=st.booleans())
# Found by hypothesis: "Cœur" came out "Cur", and N'Diaye written with the typographic
# apostrophe (U+2019) "NDiaye": only Latin-1 was kept, though the letter's font prints
# œ, Œ, Ÿ and that apostrophe. And a name typed with
# combining accents (e + U+0301, as some keyboards send it) lost every accent.
@example(name="Cœur d\u2019Artagnan", decomposed=False)
@example(name="Hélène", decomposed=True)
def test_it_prints_a_french_name_exactly_as_it_is_written(name: str, decomposed: bool) -> None:
    typed = unicodedata.normalize("NFD", name) if decomposed else name

    block = envelope(
        name=typed, number="3", suffix="", street="Rue des Lilas", postcode="99100",
        locality="Bourg-lès-Vigies",
    )  # fmt: skip

    assert block.name == name[:MAX_LENGTH].rstrip()


@FAST
@given(name=latin_letters, decomposed=st.booleans())
# Found by hypothesis: "Łukasz" was printed "ukasz", "Wałęsa" "Wasa".
@example(name="Łukaszęł", decomposed=False)
def test_it_writes_every_latin_letter_of_a_name(name: str, decomposed: bool) -> None:
    typed = unicodedata.normalize("NFD", name) if decomposed else name

    block = envelope(
        name=typed, number="3", suffix="", street="Rue des Lilas", postcode="99100",
        locality="Paris",
    )  # fmt: skip

    assert sum(character.isalpha() for character in block.name) >= len(name)
    assert in_the_letters_font(block.name)


@FAST
@given(street=latin_letters, locality=latin_letters)
# Found by hypothesis: "Łódź" was written "ODZ", "Đurđevac" "UREVAC", "Þór" "OR".
@example(street="Łódź", locality="Þór")
def test_it_writes_every_latin_letter_of_a_street_and_a_locality_in_capitals(
    street: str, locality: str
) -> None:
    block = envelope(
        name="", number="", suffix="", street=street, postcode="99100", locality=locality
    )

    assert len(re.sub("[^A-Z]", "", block.street_line)) >= len(street)
    assert len(re.sub("[^A-Z]", "", block.last_line)) >= len(locality)


# clean_address: what a form or the API sends, against the demo commune's reference.

FIELDS = {"ban_id", "complement", "number", "suffix", "street", "postcode", "commune"}
inputs = st.builds(
    AddressInput,
    ban_id=st.sampled_from(["", "", "99101_0001_00020", "99101_9999_99999"]) | any_text,
    complement=st.sampled_from(["", "Appartement 4, 2e étage", "Bât. C " * 20])
    | st.text("ABCDEFGHIJ ", min_size=70, max_size=100)
    | any_text,
    number=st.sampled_from(["20", "3", "", "12 bis"]) | any_text,
    suffix=st.sampled_from(["", "bis", "B"]) | any_text,
    street=st.sampled_from(["rue des Lilas", "Impasse du Moulin", "ĸ", "ə"]) | any_text,
    postcode=st.sampled_from(["99100", "75001", "9910"]) | any_text,
    commune=st.sampled_from(["Bourg-lès-Vigies", "BOURG LES VIGIES", "Paris", "Ŋ"]) | any_text,
)


# Typed by hand in a commune the reference does not hold: only the checks of the text apply.
# Latin letters, from A to the phonetic alphabet (ə, ʃ, ŋ…): all pass as "Latin".
letters = st.text(
    st.characters(min_codepoint=0x41, max_codepoint=0x2AF, categories=["Lu", "Ll", "Lo"]),
    min_size=1,
    max_size=8,
)
typed_elsewhere = st.builds(
    AddressInput, number=st.just("7"), street=letters, postcode=st.just("75001"), commune=letters
)


def cleaned(data: AddressInput) -> CleanAddress | None:
    """The clean address, or None when refused field by field with InvalidInput."""
    try:
        address = clean_address(data)
    except InvalidInput as error:
        fields = set(error.errors)
    else:
        return address
    assert fields
    assert fields <= FIELDS
    return None


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=150,
    deadline=None,
    # address_reference loads the demo commune once; clean_address only reads it.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=inputs | typed_elsewhere, name=any_text)
# Found by hypothesis: a complement of up to 100 characters was accepted, then cut
# to two envelope lines on the letter; a street of letters La Poste's capitals cannot
# write ("ĸ", "ə") left the street line without its street.
@example(data=AddressInput(ban_id="99101_0001_00020", complement="Bât. C " * 14), name="Bob")
@example(data=AddressInput(number="7", street="ə", postcode="75001", commune="Paris"), name="Bob")
def test_it_accepts_only_an_address_an_envelope_can_hold_whole(
    address_reference: None, data: AddressInput, name: str
) -> None:
    address = cleaned(data)
    if address is None:
        return

    block = envelope(
        name=name, number=address.number, suffix=address.suffix, street=address.street,
        complement=address.complement, postcode=address.postcode,
        locality=address.delivery_name or address.commune, fallback_name="Au résident",
    )  # fmt: skip

    assert_fits(block, address.postcode)
    # The whole complement, though a word longer than a line is split across two.
    printed = "".join(block.complement_lines).replace(" ", "")
    assert printed == postal_upper(address.complement).replace(" ", "")
    assert re.search("[A-Z]", block.street_line.removeprefix(address.number))
    assert re.search("[A-Z]", block.last_line)
