"""Writers for addresses, and the validation of an address someone typed or chose."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import User
from vigie.addresses.geocoding import Suggestion
from vigie.addresses.models import Address, AddressSource, BanAddress, VerificationMethod
from vigie.addresses.postal import MAX_LENGTH as ENVELOPE_LINE_LENGTH
from vigie.addresses.text import SUFFIXES, is_latin, normalize_suffix, postal_upper, search_key
from vigie.audit import events as audit
from vigie.lib.crypto import fingerprint
from vigie.lib.errors import InvalidInput, Message
from vigie.lib.validators import clean_single_line

STREET_MAX_LENGTH = 200
COMPLEMENT_MAX_LENGTH = 100
COMMUNE_MAX_LENGTH = 100
# [0-9], not \d: Python's \d takes every script's digits, which envelopes cannot print.
_NUMBER = re.compile(r"^[0-9]{1,5}$")
# The BAN's ids: commune, street and number codes joined by underscores ("2A004_0010_00003").
BAN_ID = re.compile(r"[0-9A-Za-z_]{1,64}")
_POSTCODE = re.compile(r"^[0-9]{5}$")
_ENVELOPE_LETTER = re.compile(r"[A-Z]")
# The complement takes lines 2 and 3 of the envelope (NF Z10-011): it must fit them whole.
COMPLEMENT_ENVELOPE_LINES = 2


def fits_an_envelope(complement: str) -> bool:
    lines = textwrap.wrap(postal_upper(complement), ENVELOPE_LINE_LENGTH)
    return len(lines) <= COMPLEMENT_ENVELOPE_LINES


def _printable_on_an_envelope(value: str) -> bool:
    """Latin letters, and at least one that capitals A to Z can write (not only ʃ or ə)."""
    return is_latin(value) and bool(_ENVELOPE_LETTER.search(postal_upper(value)))


@dataclass(frozen=True)
class AddressInput:
    """What a form or the API sends: a reference id, or the parts typed by hand."""

    ban_id: str = ""
    complement: str = ""
    number: str = ""
    suffix: str = ""
    street: str = ""
    postcode: str = ""
    commune: str = ""


@dataclass(frozen=True)
class CleanAddress:
    number: str
    suffix: str
    street: str
    complement: str
    postcode: str
    commune: str
    insee_code: str
    delivery_name: str
    ban_id: str
    longitude: float | None
    latitude: float | None
    source: str
    needs_review: bool

    @property
    def _building(self) -> str:
        if self.ban_id:
            return f"ban:{self.ban_id}"
        return f"manual:{self.postcode}|{self.number}|{self.suffix}|{search_key(self.street)}"

    @property
    def fingerprint(self) -> str:
        """Equal for two entries of the same home (flat included), whatever the spelling."""
        return fingerprint("address", f"{self._building}|{search_key(self.complement)}")

    @property
    def building_fingerprint(self) -> str:
        """Equal for every home behind one street number: the complement left out."""
        return fingerprint("building", self._building)

    @classmethod
    def from_reference(cls, row: BanAddress, *, complement: str) -> CleanAddress:
        return cls(
            number=str(row.number),
            suffix=row.suffix,
            street=row.street,
            complement=complement,
            postcode=row.postcode,
            commune=row.commune,
            insee_code=row.insee_code,
            delivery_name=row.delivery_name,
            ban_id=row.ban_id,
            longitude=row.longitude,
            latitude=row.latitude,
            source=AddressSource.REFERENCE,
            needs_review=False,
        )


def _text(
    errors: dict[str, list[Message]],
    field: str,
    value: str,
    *,
    max_length: int,
    required: bool,
) -> str:
    try:
        return clean_single_line(value, max_length=max_length, required=required)
    except ValidationError as error:
        errors.setdefault(field, []).extend(error.messages)
        return ""


def clean_address(data: AddressInput, *, field_prefix: str = "") -> CleanAddress:
    """Check an address and resolve it against the reference; raise InvalidInput.

    A chosen reference id must exist. A typed address must be well formed and
    its postcode must belong to its commune when the reference knows either;
    one found in the reference is taken from it, one not found is accepted but
    flagged for a person to check.
    """
    errors: dict[str, list[Message]] = {}

    def fail(field: str, message: Message) -> None:
        errors.setdefault(field_prefix + field, []).append(message)

    complement = _text(
        errors, field_prefix + "complement", data.complement,
        max_length=COMPLEMENT_MAX_LENGTH, required=False,
    )  # fmt: skip
    if complement and not is_latin(complement):
        fail("complement", _("Write the address in the Latin alphabet, as on an envelope."))
    elif complement and not fits_an_envelope(complement):
        fail(
            "complement",
            _("This complement does not fit an envelope: at most two lines of 38 characters."),
        )
    if data.ban_id.strip():
        ban_id = data.ban_id.strip()[:64]
        # The BAN's ids are letters, digits and underscores; anything else names no address
        # (and a NUL would not even reach PostgreSQL).
        row = BanAddress.objects.filter(ban_id=ban_id).first() if BAN_ID.fullmatch(ban_id) else None
        if row is None:
            fail("ban_id", _("This address is not in our list. Search again, or type it by hand."))
        if errors:
            raise InvalidInput(errors)
        assert row is not None
        return CleanAddress.from_reference(row, complement=complement)

    if not any(
        value.strip()
        for value in (data.number, data.suffix, data.street, data.postcode, data.commune)
    ):
        fail("ban_id", _("Choose your address in the list, or type it by hand."))
        raise InvalidInput(errors)
    number = data.number.strip()
    if number and not _NUMBER.match(number):
        fail("number", _("The number has digits only (put bis or ter in the next field)."))
    suffix = normalize_suffix(data.suffix) if data.suffix.strip() else ""
    if suffix and suffix not in SUFFIXES.values() and not re.fullmatch(r"[a-z]", suffix):
        fail("suffix", _("Write bis, ter, quater or a single letter."))
    street = _text(
        errors, field_prefix + "street", data.street,
        max_length=STREET_MAX_LENGTH, required=True,
    )  # fmt: skip
    if street and not any(character.isalpha() for character in street):
        fail("street", _("A street name contains letters."))
    postcode = data.postcode.strip()
    if not _POSTCODE.match(postcode):
        fail("postcode", _("A postcode has exactly 5 digits."))
    commune = _text(
        errors, field_prefix + "commune", data.commune,
        max_length=COMMUNE_MAX_LENGTH, required=True,
    )  # fmt: skip
    for field, value in (("street", street), ("commune", commune)):
        if value and not _printable_on_an_envelope(value):
            fail(field, _("Write the address in the Latin alphabet, as on an envelope."))
    if errors:
        raise InvalidInput(errors)

    communes_of_postcode = set(
        BanAddress.objects.filter(postcode=postcode).values_list("commune", "insee_code").distinct()
    )
    postcodes_of_commune = {
        code
        for name, code in BanAddress.objects.filter(commune__iexact=commune)
        .values_list("commune", "postcode")
        .distinct()
        if search_key(name) == search_key(commune)
    }
    matching = {
        (name, insee)
        for name, insee in communes_of_postcode
        if search_key(name) == search_key(commune)
    }
    if communes_of_postcode and not matching:
        fail("postcode", _("This postcode does not belong to this commune."))
    elif not communes_of_postcode and postcodes_of_commune:
        fail(
            "postcode",
            _("This postcode does not belong to this commune (its postcodes: %(codes)s).")
            % {"codes": ", ".join(sorted(postcodes_of_commune))},
        )
    if errors:
        raise InvalidInput(errors)

    if number and matching:
        street_key = search_key(street)
        for row in BanAddress.objects.filter(postcode=postcode, number=int(number), suffix=suffix):
            if search_key(row.street) == street_key:
                return CleanAddress.from_reference(row, complement=complement)
    insee_code = next(iter(matching))[1] if matching else ""
    return CleanAddress(
        number=number,
        suffix=suffix,
        street=street,
        complement=complement,
        postcode=postcode,
        commune=commune,
        insee_code=insee_code,
        delivery_name="",
        ban_id="",
        longitude=None,
        latitude=None,
        source=AddressSource.MANUAL,
        needs_review=True,
    )


@transaction.atomic
def do_set_home_address(user: User, address: CleanAddress, *, acting_user: User) -> Address:
    """Make ``address`` the account's home, ending the previous one (a move)."""
    now = timezone.now()
    previous = Address.objects.select_for_update().filter(user=user, moved_out_at__isnull=True)
    moved_from = [row.pk for row in previous]
    previous.update(moved_out_at=now)
    home = Address.objects.create(
        user=user,
        number=address.number,
        suffix=address.suffix,
        street=address.street,
        complement=address.complement,
        postcode=address.postcode,
        commune=address.commune,
        insee_code=address.insee_code,
        delivery_name=address.delivery_name,
        ban_id=address.ban_id,
        longitude="" if address.longitude is None else repr(address.longitude),
        latitude="" if address.latitude is None else repr(address.latitude),
        fingerprint=address.fingerprint,
        building_fingerprint=address.building_fingerprint,
        source=address.source,
        needs_review=address.needs_review,
        created_at=now,
    )
    audit.home_address_set(home, actor_id=acting_user.pk, moved_from=moved_from)
    return home


@transaction.atomic
def do_mark_address_verified(
    address: Address, *, method: VerificationMethod, acting_user: User
) -> Address:
    if address.verified_at is None:
        address.verified_at = timezone.now()
        address.verification_method = method
        address.verified_by = acting_user
        address.save(update_fields=["verified_at", "verification_method", "verified_by"])
        User.objects.filter(pk=address.user_id, first_verified_at__isnull=True).update(
            first_verified_at=address.verified_at
        )
        audit.home_address_verified(address, actor_id=acting_user.pk, method=method)
    return address


@transaction.atomic
def do_mark_address_reviewed(address: Address, *, acting_user: User) -> Address:
    if address.needs_review:
        address.needs_review = False
        address.reviewed_at = timezone.now()
        address.save(update_fields=["needs_review", "reviewed_at"])
        audit.home_address_reviewed(address, actor_id=acting_user.pk)
    return address


@transaction.atomic
def do_remember_reference_addresses(suggestions: Iterable[Suggestion]) -> int:
    """Keep addresses an online geocoder suggested, so they can be chosen by id."""
    rows = [
        BanAddress(
            ban_id=suggestion.ban_id,
            number=suggestion.number,
            suffix=suggestion.suffix,
            street=suggestion.street,
            postcode=suggestion.postcode,
            insee_code=suggestion.insee_code,
            commune=suggestion.commune,
            longitude=suggestion.longitude,
            latitude=suggestion.latitude,
            search_text=search_key(suggestion.label)[:400],
        )
        for suggestion in suggestions
    ]
    BanAddress.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


__all__ = ["AddressInput", "CleanAddress", "VerificationMethod", "clean_address"]


@transaction.atomic
def do_import_reference_batch(rows: Sequence[BanAddress]) -> tuple[int, int]:
    """Insert new reference addresses, update changed ones; returns (created, updated).

    The BAN is public open data: no audit row per address, one per import
    (``do_record_reference_import``).
    """
    existing = {
        address.ban_id: address
        for address in BanAddress.objects.filter(ban_id__in=[row.ban_id for row in rows])
    }
    to_create, to_update = [], []
    for row in rows:
        current = existing.get(row.ban_id)
        if current is None:
            to_create.append(row)
        elif any(getattr(current, name) != getattr(row, name) for name in REFERENCE_FIELDS):
            for name in REFERENCE_FIELDS:
                setattr(current, name, getattr(row, name))
            to_update.append(current)
    BanAddress.objects.bulk_create(to_create)
    BanAddress.objects.bulk_update(to_update, REFERENCE_FIELDS)
    return len(to_create), len(to_update)


@transaction.atomic
def do_record_reference_import(*, file_name: str, created: int, updated: int, bad: int) -> None:
    audit.reference_imported(file_name=file_name, created=created, updated=updated, bad=bad)


REFERENCE_FIELDS = [
    "number",
    "suffix",
    "street",
    "street_postal",
    "postcode",
    "insee_code",
    "commune",
    "delivery_name",
    "longitude",
    "latitude",
    "search_text",
]
