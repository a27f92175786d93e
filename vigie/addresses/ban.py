"""Importing a Base Adresse Nationale CSV file into the local reference.

Streaming and batched, so a département's file (a few million rows) fits in
little memory; idempotent, so a second run changes nothing; a bad row is
counted and reported with its line number, never fatal.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import BinaryIO

from vigie.addresses.actions import (
    BAN_ID,
    REFERENCE_FIELDS,
    do_import_reference_batch,
    do_record_reference_import,
)
from vigie.addresses.models import BanAddress
from vigie.addresses.text import normalize_suffix, search_key
from vigie.lib.validators import has_control_characters

HEADER_22 = [
    "id",
    "id_fantoir",
    "numero",
    "rep",
    "nom_voie",
    "code_postal",
    "code_insee",
    "nom_commune",
    "code_insee_ancienne_commune",
    "nom_ancienne_commune",
    "x",
    "y",
    "lon",
    "lat",
    "type_position",
    "alias",
    "nom_ld",
    "libelle_acheminement",
    "nom_afnor",
    "source_position",
    "source_nom_voie",
    "certification_commune",
]
HEADER_23 = [*HEADER_22, "cad_parcelles"]

BATCH_SIZE = 2000
MAX_REPORTED_ERRORS = 50
_POSTCODE = re.compile(r"^[0-9]{5}$")
_INSEE = re.compile(r"^([0-9]{5}|2[AB][0-9]{3})$")
# Numbers as the BAN writes them, in ASCII: int() and float() would also read
# "1_2" as 12, "١٢" (Arabic-Indic digits) as 12 and " 1e3" as 1000.
_NUMERO = re.compile(r"[0-9]{1,9}")
_COORDINATE = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
# The text columns kept: none may hold a control or invisible character (a bidi
# override, an escape sequence…), which a typed address may not hold either.
_TEXT_COLUMNS = ("id", "rep", "nom_voie", "nom_commune", "libelle_acheminement", "nom_afnor")

_FIELDS = tuple(REFERENCE_FIELDS)


class BanFileError(Exception):
    """The file as a whole cannot be read (not a BAN file, or cut short)."""


@dataclass(frozen=True)
class BanRow:
    ban_id: str
    number: int
    suffix: str
    street: str
    street_postal: str
    postcode: str
    insee_code: str
    commune: str
    delivery_name: str
    longitude: float
    latitude: float
    search_text: str

    def values(self) -> tuple[object, ...]:
        return astuple(self)[1:]


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad_rows: int = 0
    errors: list[str] = field(default_factory=list)

    def bad(self, line: int, reason: str) -> None:
        self.bad_rows += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(f"line {line}: {reason}")


def parse_row(values: dict[str, str]) -> BanRow:
    """One BAN row, validated; raises ValueError with the reason."""
    for column in _TEXT_COLUMNS:
        if has_control_characters(values[column]):
            raise ValueError(f"{column} holds control or invisible characters")
    ban_id = values["id"].strip()
    if not BAN_ID.fullmatch(ban_id):
        raise ValueError("missing, over-long or malformed id")
    if not _NUMERO.fullmatch(values["numero"].strip()):
        raise ValueError(f"numero is not a number: {values['numero'][:20]!r}")
    number = int(values["numero"])
    if not 0 <= number <= 99999:
        raise ValueError(f"numero out of range: {number}")
    street = values["nom_voie"].strip()
    if not street:
        raise ValueError("missing nom_voie")
    postcode = values["code_postal"].strip()
    if not _POSTCODE.match(postcode):
        raise ValueError(f"code_postal is not 5 digits: {postcode!r}")
    insee_code = values["code_insee"].strip().upper()
    if not _INSEE.match(insee_code):
        raise ValueError(f"code_insee is not an INSEE code: {insee_code!r}")
    commune = values["nom_commune"].strip()
    if not commune:
        raise ValueError("missing nom_commune")
    if not all(_COORDINATE.fullmatch(values[name].strip()) for name in ("lon", "lat")):
        raise ValueError("lon/lat are not numbers")
    longitude, latitude = float(values["lon"]), float(values["lat"])
    if not (
        math.isfinite(longitude)
        and math.isfinite(latitude)
        and -180 <= longitude <= 180
        and -90 <= latitude <= 90
    ):
        raise ValueError(f"coordinates out of range: {longitude}, {latitude}")
    suffix = normalize_suffix(values["rep"]) if values["rep"].strip() else ""
    return BanRow(
        ban_id=ban_id,
        number=number,
        suffix=suffix[:16],
        street=street[:200],
        street_postal=values["nom_afnor"].strip()[:64],
        postcode=postcode,
        insee_code=insee_code,
        commune=commune[:100],
        delivery_name=values["libelle_acheminement"].strip()[:100],
        longitude=longitude,
        latitude=latitude,
        search_text=search_key(f"{number} {suffix} {street} {postcode} {commune}")[:400],
    )


def _open(path: Path) -> tuple[BinaryIO, io.TextIOWrapper]:
    raw = path.open("rb")
    stream: BinaryIO = gzip.GzipFile(fileobj=raw) if path.suffix == ".gz" else raw  # type: ignore[assignment]
    # surrogateescape keeps a bad byte inside its own row (reported there) instead of
    # losing the block around it.
    return raw, io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="")


def _readable(value: str) -> bool:
    return "\x00" not in value and not any("\udc80" <= c <= "\udcff" for c in value)


def _rows(text: io.TextIOWrapper, report: ImportReport) -> Iterator[tuple[int, BanRow]]:
    reader = csv.reader(text, delimiter=";")
    try:
        header = next(reader)
    except (StopIteration, UnicodeDecodeError, csv.Error):
        raise BanFileError("empty or unreadable file") from None
    header = [name.strip().lstrip("\ufeff") for name in header]
    if header not in (HEADER_22, HEADER_23):
        raise BanFileError(
            "unexpected header: a BAN file starts with "
            f"'{';'.join(HEADER_22[:5])};…' (22 or 23 columns)"
        )
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except (csv.Error, UnicodeDecodeError) as error:
            report.rows += 1
            report.bad(reader.line_num, f"unreadable ({error})")
            continue
        report.rows += 1
        line = reader.line_num
        if not all(_readable(value) for value in values):
            report.bad(line, "invalid bytes (not UTF-8, or NUL)")
            continue
        if len(values) != len(header):
            report.bad(line, f"expected {len(header)} columns, found {len(values)}")
            continue
        try:
            yield line, parse_row(dict(zip(header, values, strict=True)))
        except ValueError as error:
            report.bad(line, str(error))


def _save_batch(batch: dict[str, BanRow], report: ImportReport) -> None:
    rows = [
        BanAddress(ban_id=ban_id, **dict(zip(_FIELDS, row.values(), strict=True)))
        for ban_id, row in batch.items()
    ]
    created, updated = do_import_reference_batch(rows)
    report.created += created
    report.updated += updated
    report.unchanged += len(batch) - created - updated


def import_ban_file(
    path: Path, *, on_progress: Callable[[int, int, int], None] | None = None
) -> ImportReport:
    """Import one BAN CSV (plain or gzipped). ``on_progress(bytes_read, total, rows)``."""
    report = ImportReport()
    total = path.stat().st_size
    raw, text = _open(path)
    with raw, text:
        batch: dict[str, BanRow] = {}
        try:
            for _line, row in _rows(text, report):
                batch[row.ban_id] = row  # a repeated id keeps its last row, as a re-import would
                if len(batch) >= BATCH_SIZE:
                    _save_batch(batch, report)
                    batch = {}
                    if on_progress:
                        on_progress(raw.tell(), total, report.rows)
        except (OSError, EOFError, zlib.error) as error:
            # A damaged or cut gzip file: what came before is kept (each batch stands alone).
            if batch:
                _save_batch(batch, report)
            raise BanFileError(
                f"the file is damaged after {report.rows:,} rows ({type(error).__name__}); "
                f"{report.created:,} created, {report.updated:,} updated before that"
            ) from None
        if batch:
            _save_batch(batch, report)
    do_record_reference_import(
        file_name=path.name, created=report.created, updated=report.updated, bad=report.bad_rows
    )
    if on_progress:
        on_progress(total, total, report.rows)
    return report
