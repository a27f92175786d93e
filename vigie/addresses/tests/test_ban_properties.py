"""Properties of the BAN import: a good row comes in whole, a bad one is reported, never half."""

from __future__ import annotations

import gzip
import math
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from vigie.addresses.ban import (
    HEADER_22,
    HEADER_23,
    BanFileError,
    BanRow,
    ImportReport,
    import_ban_file,
    parse_row,
)
from vigie.addresses.models import BanAddress
from vigie.lib.validators import has_control_characters

FAST = hypothesis_settings(max_examples=150, deadline=None)
pytestmark = pytest.mark.django_db

# Any character at all: hypothesis leaves lone surrogates out unless asked.
characters = st.characters() | st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Co", "Cs"])
any_text = st.text(characters, max_size=30)
numbers_as_written = st.one_of(
    st.integers(-10, 100_010).map(str),
    # Fullwidth and Arabic-Indic digits, which int() reads as ASCII ones.
    st.sampled_from(
        ["", " 12 ", "+12", "1_2", "\uff11\uff12", "\u0661\u0662", "12bis", "1e3", "9" * 5000]
    ),
    any_text,
)
coordinates_as_written = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(-200, 200).map(str),
    st.sampled_from(["", "nan", "-inf", "Infinity", "1_0.5", "2,35", "\u0662.\u0665", "1e400"]),
    any_text,
)
LETTERS = "abcdefghijklmnopqrstuvwxyzéèêëàâçîïôöùûüÿœæ ABCDEFGHIJKLMNOPQRSTUVWXYZÉÈÀÇ-'\u2019"


GOOD_ROW = dict.fromkeys(HEADER_23, "") | {
    "id": "99101_0001_00012",
    "numero": "12",
    "rep": "bis",
    "nom_voie": "Rue des Lilas",
    "code_postal": "99100",
    "code_insee": "99101",
    "nom_commune": "Bourg-lès-Vigies",
    "lon": "2.400539",
    "lat": "46.800218",
}


def model_lengths() -> dict[str, int]:
    return {
        field.name: field.max_length
        for field in BanAddress._meta.concrete_fields
        if field.max_length is not None
    }


def assert_whole(row: BanRow) -> None:
    """What every accepted row is: every field well formed, each fitting its column."""
    assert 0 <= row.number <= 99_999
    assert re.fullmatch(r"[0-9]{5}", row.postcode)
    assert re.fullmatch(r"[0-9]{5}|2[AB][0-9]{3}", row.insee_code)
    assert math.isfinite(row.longitude)
    assert math.isfinite(row.latitude)
    assert -180 <= row.longitude <= 180
    assert -90 <= row.latitude <= 90
    assert all((row.ban_id, row.street, row.commune))
    lengths = model_lengths()
    for name in ("ban_id", "suffix", "street", "street_postal", "commune", "delivery_name"):
        value = getattr(row, name)
        assert len(value) <= lengths[name], name
        assert not has_control_characters(value), (name, value)
        value.encode("utf-8")
    assert len(row.search_text) <= lengths["search_text"]


def parsed(values: dict[str, str]) -> BanRow | None:
    """The row, or None when refused with the documented ValueError and a reason."""
    try:
        row = parse_row(values)
    except ValueError as error:
        reason = str(error)
    else:
        assert_whole(row)
        return row
    assert reason
    return None


@st.composite
def good_rows(draw: st.DrawFn, ban_id: str | None = None) -> dict[str, str]:
    """A row as the BAN writes it, French typography included."""
    words = st.text(LETTERS, min_size=1, max_size=40).filter(lambda value: value.strip())
    values = dict.fromkeys(HEADER_23, "")
    values.update(
        id=ban_id or draw(st.from_regex(r"[0-9]{5}_[0-9a-z]{4}_[0-9]{5}", fullmatch=True)),
        numero=str(draw(st.integers(0, 99_999))),
        rep=draw(st.sampled_from(["", "bis", "ter", "quater", "a", "b", "BIS"])),
        nom_voie=draw(words).strip(),
        code_postal=draw(st.from_regex(r"[0-9]{5}", fullmatch=True)),
        code_insee=draw(st.from_regex(r"[0-9]{5}|2[AB][0-9]{3}", fullmatch=True)),
        nom_commune=draw(words).strip(),
        lon=repr(draw(st.floats(-180, 180))),
        lat=repr(draw(st.floats(-90, 90))),
        libelle_acheminement=draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ ", max_size=30)),
        nom_afnor=draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ ", max_size=32)),
    )
    return values


def csv_line(values: dict[str, str]) -> str:
    return ";".join(values[name] for name in HEADER_23)


@FAST
@given(values=st.fixed_dictionaries(dict.fromkeys(HEADER_23, any_text)))
def test_it_reads_any_row_whole_or_says_why_not(values: dict[str, str]) -> None:
    parsed(values)


@FAST
@given(
    row=good_rows(),
    field=st.sampled_from(["numero", "lon", "lat"]),
    written=numbers_as_written | coordinates_as_written,
)
# Found by hypothesis: int() and float() read "1_2" as 12, "١٢" as 12 and
# "1_0.5" as 10.5; the BAN writes plain ASCII numbers.
@example(row=GOOD_ROW, field="numero", written="1_2")
@example(row=GOOD_ROW, field="numero", written="١٢")
@example(row=GOOD_ROW, field="lon", written="1_0.5")
def test_it_reads_numbers_only_as_the_ban_writes_them(
    row: dict[str, str], field: str, written: str
) -> None:
    read = parsed(row | {field: written})

    if read is not None:
        stripped = written.strip()
        assert re.fullmatch(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", stripped), written
        value = {"numero": read.number, "lon": read.longitude, "lat": read.latitude}[field]
        assert value == (int(stripped) if field == "numero" else float(stripped))


@FAST
@given(row=good_rows(), field=st.sampled_from(["nom_voie", "nom_commune", "id", "nom_afnor"]))
def test_it_refuses_a_row_with_control_or_invisible_characters(
    row: dict[str, str], field: str
) -> None:
    """Found by hypothesis: a street name with a bidi override (U+202E) or an escape
    character came into the reference, then into suggestions shown to residents."""
    for hidden in ("\u202e", "\x1b[31m", "\u200b", "\u2028"):
        assert parsed(row | {field: row[field] + hidden}) is None


@FAST
@given(row=good_rows())
def test_it_keeps_every_letter_of_a_good_row(row: dict[str, str]) -> None:
    read = parsed(row)

    assert read is not None
    assert read.street == row["nom_voie"][:200]
    assert read.commune == row["nom_commune"][:100]
    assert read.number == int(row["numero"])
    assert (read.longitude, read.latitude) == (float(row["lon"]), float(row["lat"]))


def import_text(text: bytes, *, name: str = "ban.csv") -> ImportReport:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_bytes(text)
        return import_ban_file(path)


@hypothesis_settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.one_of(
            st.integers(1, 10**6).flatmap(lambda n: good_rows(ban_id=f"99101_t_{n:07d}")),
            st.fixed_dictionaries(dict.fromkeys(HEADER_23, any_text)),
        ),
        max_size=12,
    ),
    header=st.sampled_from([HEADER_22, HEADER_23]),
    zipped=st.booleans(),
)
def test_it_imports_exactly_the_good_rows_and_counts_every_bad_one(
    rows: list[dict[str, str]], header: list[str], zipped: bool
) -> None:
    BanAddress.objects.all().delete()
    good: dict[str, BanRow] = {}
    bad = 0
    lines = [";".join(header)]
    for values in rows:
        text = ";".join(values[name] for name in header)
        line_is_one_row = not re.search(r'[\r\n";\x00]|[\ud800-\udfff]', "".join(values.values()))
        if not line_is_one_row:
            continue  # this row would not be one CSV line: the random files test covers them
        lines.append(text)
        read = parsed(values)
        if read is None:
            bad += 1
        else:
            good[read.ban_id] = read
    content = ("\n".join(lines) + "\n").encode("utf-8")

    report = import_text(
        gzip.compress(content) if zipped else content, name="ban.csv.gz" if zipped else "ban.csv"
    )

    assert report.rows == len(lines) - 1
    assert report.bad_rows == bad
    assert report.created == len(good)
    stored = {address.ban_id: address for address in BanAddress.objects.all()}
    assert set(stored) == set(good)
    for ban_id, row in good.items():
        assert (stored[ban_id].street, stored[ban_id].number, stored[ban_id].latitude) == (
            row.street,
            row.number,
            row.latitude,
        )
    again = import_text(content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(good))


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=600),
    with_header=st.booleans(),
    zipped=st.booleans(),
    damage=st.integers(0, 5000),
)
def test_it_reads_any_file_or_says_it_cannot_and_keeps_only_good_rows(
    data: bytes, with_header: bool, zipped: bool, damage: int
) -> None:
    BanAddress.objects.all().delete()
    content = (";".join(HEADER_23).encode() + b"\n" if with_header else b"") + data
    if zipped:
        packed = bytearray(gzip.compress(content))
        if damage < len(packed) and damage >= 10:
            packed[damage] ^= 0x55  # a bit flipped inside the compressed data
        content = bytes(packed)

    try:
        report = import_text(content, name="ban.csv.gz" if zipped else "ban.csv")
    except BanFileError as error:
        reason = str(error)
    else:
        reason = "read"
        assert report.created + report.bad_rows <= report.rows
    assert reason
    for address in BanAddress.objects.all():
        assert not has_control_characters(address.street)
        assert re.fullmatch(r"[0-9]{5}", address.postcode)
