"""The demo's homes: who lives where, who is verified, and Bob's letter on its way."""

from __future__ import annotations

from io import TextIOBase

from vigie.accounts.models import User
from vigie.addresses.actions import (
    AddressInput,
    clean_address,
    do_set_home_address,
)
from vigie.addresses.models import Address, VerificationMethod
from vigie.verification.actions import do_complete_verification, do_request_letter
from vigie.verification.models import LetterReason

# email, BAN id of the home, verified
HOMES = [
    ("alice@demo.vigie.test", "99101_0001_00012_bis", True),
    ("dave@demo.vigie.test", "99101_0001_00007", True),
    ("sam@demo.vigie.test", "99101_0001_00030", True),
    ("mallory@demo.vigie.test", "99101_0008_00015", True),
    ("bob@demo.vigie.test", "99101_0005_00003", False),
]


def load(out: TextIOBase) -> None:
    team = User.objects.get(email="carol@demo.vigie.test")
    for email, ban_id, verified in HOMES:
        user = User.objects.get(email=email)
        if Address.objects.filter(user=user).exists():
            continue
        home = do_set_home_address(
            user, clean_address(AddressInput(ban_id=ban_id)), acting_user=user
        )
        if verified:
            do_complete_verification(home, method=VerificationMethod.STAFF, acting_user=team)
        else:
            do_request_letter(user, reason=LetterReason.SIGN_UP, acting_user=user)
            out.write(
                f"  {email}: letter queued; the worker writes it to var/letters/outbox/ "
                "(open it to read the code)\n"
            )
