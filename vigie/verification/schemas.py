from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from vigie.addresses.schemas import AddressIn, HomeAddressOut
from vigie.verification.access import VerificationState, expected_delivery


class LetterOut(Schema):
    status: str = Field(
        description=(
            "awaiting_email, awaiting_review, queued, handed_over, posted, failed, cancelled"
        )
    )
    created_at: datetime
    posted_at: datetime | None
    expected_from: datetime | None
    expected_until: datetime | None


class VerificationOut(Schema):
    address_verified: bool
    address: HomeAddressOut | None
    letter: LetterOut | None
    code_tries_left: int | None
    can_ask_for_letter: bool
    next_letter_possible_at: datetime | None

    @classmethod
    def of(cls, state: VerificationState) -> VerificationOut:
        letter = None
        if state.letter is not None:
            window = expected_delivery(state.letter)
            letter = LetterOut(
                status=state.letter.status,
                created_at=state.letter.created_at,
                posted_at=state.letter.posted_at,
                expected_from=window[0] if window else None,
                expected_until=window[1] if window else None,
            )
        address = None
        if state.address is not None:
            address = HomeAddressOut(
                street_line=state.address.street_line,
                complement=state.address.complement,
                postcode=state.address.postcode,
                commune=state.address.commune,
                verified=state.address.is_verified,
                needs_review=state.address.needs_review,
            )
        return cls(
            address_verified=state.verified,
            address=address,
            letter=letter,
            code_tries_left=state.tries_left,
            can_ask_for_letter=state.can_ask_letter,
            next_letter_possible_at=state.next_letter_at,
        )


class ActivateIn(Schema):
    code: str = Field(max_length=40, description="The code of the letter, e.g. K7QM-R2XD-9F")


class MoveIn(Schema):
    address: AddressIn
