"""The demo's people: the personas of DESIGN.md, with one shared demo password."""

from __future__ import annotations

from dataclasses import dataclass
from io import TextIOBase

from vigie.accounts import actions
from vigie.accounts.models import User
from vigie.moderation import terms
from vigie.moderation.actions import do_accept_terms

DEMO_PASSWORD = "Demo-Tournesol-2026!"  # noqa: S105 - demo data, refused in production
# Carol's authenticator secret: `manage.py demo_code carol@demo.vigie.test` prints its code.
DEMO_TOTP_SECRET_HEX = "3132333435363738393031323334353637383930"  # noqa: S105


@dataclass(frozen=True)
class DemoPerson:
    email: str
    first_name: str
    last_name: str
    is_staff: bool = False


PEOPLE = [
    DemoPerson("alice@demo.vigie.test", "Alice", "Martin"),
    DemoPerson("bob@demo.vigie.test", "Bob", "Durand"),
    DemoPerson("carol@demo.vigie.test", "Carol", "Petit", is_staff=True),
    DemoPerson("dave@demo.vigie.test", "Dave", "Lefèvre"),
    DemoPerson("mallory@demo.vigie.test", "Mallory", "Roux"),
    DemoPerson("sam@demo.vigie.test", "Sam", "Moreau"),
]


def load(out: TextIOBase) -> None:
    for person in PEOPLE:
        if User.objects.filter(email=person.email).exists():
            continue
        user = actions.do_create_account(
            email=person.email,
            password=DEMO_PASSWORD,
            first_name=person.first_name,
            last_name=person.last_name,
            is_staff=person.is_staff,
            acting_user=None,
        )
        do_accept_terms(user, version=terms.CURRENT.number)
        if person.is_staff:
            actions.do_enrol_known_authenticator(user, secret_hex=DEMO_TOTP_SECRET_HEX)
        out.write(f"  created {person.email}\n")
