"""Test personas and helpers, as DESIGN.md names them.

alice    verified member of neighbourhood A
bob      registered, address not yet verified
carol    moderator: staff, with an authenticator (second factor)
dave     référent of A
mallory  verified member of neighbourhood B
sam      suspended member of A

Homes are in the fictional commune of Bourg-lès-Vigies (the demo's): A is
"Quartier des Lilas", B "Hameau de la Forêt" (vigie/communities/demo.py).
Every access test includes mallory, bob and an anonymous visitor.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models import Max
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_tasks_db.models import DBTaskResult

from vigie.accounts import session_store
from vigie.accounts.backends import BACKEND
from vigie.accounts.models import TOTPDevice, User
from vigie.addresses.actions import CleanAddress, do_set_home_address
from vigie.addresses.ban import import_ban_file
from vigie.addresses.demo import DEMO_BAN_FILE
from vigie.addresses.models import Address, AddressSource, VerificationMethod
from vigie.communities.actions import do_set_role, do_suspend_member
from vigie.communities.demo import (
    INSIDE_A,
    INSIDE_B,
    NEIGHBOURHOOD_A,
    NEIGHBOURHOOD_B,
    create_neighbourhoods,
)
from vigie.communities.models import Community, Membership, Role
from vigie.lib import cache as shared_cache
from vigie.lib import frames
from vigie.municipalities.models import TownHall
from vigie.operations.worker import ResumingWorker
from vigie.verification.actions import do_complete_verification

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

    from vigie.alerts.models import Alert
else:
    Response = object

PASSWORD = "Persona-password-2026!"
TOTP_KEY_HEX = "3132333435363738393031323334353637383930"


@functools.cache
def password_hash() -> str:
    """One Argon2 hash per test process: personas share it, tests stay fast."""
    return make_password(PASSWORD)


@dataclass(frozen=True)
class Personas:
    alice: User
    bob: User
    carol: User
    dave: User
    mallory: User
    sam: User
    # The agent of the town hall of A's commune (Bourg-lès-Vigies), with a second factor.
    townhall: User


def make_user(email: str, first_name: str, last_name: str, *, is_staff: bool = False) -> User:
    """An account that confirmed its e-mail and accepted the terms in force."""
    from vigie.moderation import terms
    from vigie.moderation.models import TermsAcceptance

    user = User.objects.create(
        email=email,
        first_name=first_name,
        last_name=last_name,
        display_name=f"{first_name} {last_name[0]}.",
        password=password_hash(),
        is_staff=is_staff,
        email_confirmed_at=timezone.now(),
        accepted_terms_version=terms.CURRENT.number,
    )
    TermsAcceptance.objects.create(user=user, version=terms.CURRENT.number)
    return user


def home(
    street: str,
    number: int,
    *,
    ban_street: int,
    suffix: str = "",
    at: tuple[float, float] = INSIDE_A,
) -> CleanAddress:
    """A home of the demo commune, as the reference would give it."""
    return CleanAddress(
        number=str(number),
        suffix=suffix,
        street=street,
        complement="",
        postcode="99100",
        commune="Bourg-lès-Vigies",
        insee_code="99101",
        delivery_name="BOURG LES VIGIES",
        ban_id=f"99101_{ban_street:04d}_{number:05d}" + (f"_{suffix}" if suffix else ""),
        longitude=at[0],
        latitude=at[1],
        source=AddressSource.REFERENCE,
        needs_review=False,
    )


def give_home(user: User, address: CleanAddress, *, verified: bool, by: User) -> Address:
    created = do_set_home_address(user, address, acting_user=user)
    if verified:
        do_complete_verification(created, method=VerificationMethod.STAFF, acting_user=by)
    return created


def make_personas() -> Personas:
    carol = make_user("carol@example.org", "Carol", "Petit", is_staff=True)
    TOTPDevice.objects.create(user=carol, name="authenticator", key=TOTP_KEY_HEX, confirmed=True)
    personas = Personas(
        alice=make_user("alice@example.org", "Alice", "Martin"),
        bob=make_user("bob@example.org", "Bob", "Durand"),
        carol=carol,
        dave=make_user("dave@example.org", "Dave", "Lefèvre"),
        mallory=make_user("mallory@example.org", "Mallory", "Roux"),
        sam=make_user("sam@example.org", "Sam", "Moreau"),
        townhall=make_town_hall_agent(carol),
    )
    with transaction.atomic():
        create_neighbourhoods(carol)
        give_home(personas.alice, home("Rue des Lilas", 12, ban_street=1), verified=True, by=carol)
        give_home(
            personas.bob, home("Impasse du Moulin", 3, ban_street=5), verified=False, by=carol
        )
        give_home(personas.dave, home("Rue des Lilas", 7, ban_street=1), verified=True, by=carol)
        give_home(personas.sam, home("Rue des Lilas", 30, ban_street=1), verified=True, by=carol)
        give_home(
            personas.mallory,
            home("Route de la Forêt", 15, ban_street=8, at=INSIDE_B),
            verified=True,
            by=carol,
        )
        a = Community.objects.get(name=NEIGHBOURHOOD_A[0])
        do_set_role(
            Membership.objects.get(user=personas.dave, community=a),
            role=Role.REFERENT,
            acting_user=carol,
        )
        do_suspend_member(personas.sam, until=None, acting_user=carol)
    return personas


def make_town_hall_agent(team: User) -> User:
    """Hélène, agent of the town hall of Bourg-lès-Vigies (A's and B's commune)."""
    from vigie.municipalities.models import Agent

    town_hall = TownHall.objects.create(
        insee_code="99101",
        commune_name="Bourg-lès-Vigies",
        population=4_200,
        billing_name="Mairie de Bourg-lès-Vigies",
        billing_address="1 place de la Mairie",
        billing_postcode="99100",
        billing_city="Bourg-lès-Vigies",
        siret="21990101000011",
        contact_email="mairie@bourg-les-vigies.example",
    )
    helene = make_user("helene@example.org", "Hélène", "Roche")
    helene.is_town_hall_agent = True
    helene.save(update_fields=["is_town_hall_agent"])
    Agent.objects.create(town_hall=town_hall, user=helene, invited_by=team)
    TOTPDevice.objects.create(user=helene, name="authenticator", key=TOTP_KEY_HEX, confirmed=True)
    return helene


def town_hall() -> TownHall:
    return TownHall.objects.get(insee_code="99101")


def neighbourhood_a() -> Community:
    return Community.objects.get(name=NEIGHBOURHOOD_A[0])


def urgent_burglary_alert(author: User) -> Alert:
    """An urgent alert by ``author`` in their neighbourhood, as the fan-out drills send it."""
    from vigie.alerts.actions import AlertInput, do_create_alert

    membership = Membership.objects.select_related("user", "community").get(
        user=author, community__kind="neighbourhood"
    )
    return do_create_alert(
        membership,
        data=AlertInput(
            category="burglary",
            urgency="urgent",
            happened_at=timezone.now(),
            place="Rue des Lilas",
            description="Cambriolage en cours au bout de la rue, la police est prévenue.",
        ),
    )


def neighbourhood_b() -> Community:
    return Community.objects.get(name=NEIGHBOURHOOD_B[0])


def load_address_reference() -> None:
    """The demo commune's BAN file, for tests that search or choose addresses."""
    import_ban_file(DEMO_BAN_FILE)


def totp_code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def log_in_as(client: Client, user: User, *, second_factor: bool = False) -> Client:
    """A logged-in session as Vigie's own login makes it (limits and all)."""
    client.force_login(user, backend=BACKEND)
    session = client.session
    now = timezone.now().isoformat()
    session[session_store.AUTHENTICATED_AT] = now
    session[session_store.LAST_SEEN_AT] = now
    if second_factor:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def task_worker(
    *queues: str, worker_id: str = "tests", max_tasks: int | None = None
) -> ResumingWorker:
    """The worker ``run_worker`` makes, of these queues (every one by default), in batch mode:
    its ``run()`` stops once nothing is due, and closes its database connections then."""
    return ResumingWorker(
        queue_names=list(queues) or ["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def run_tasks() -> int:
    """Run every task that is due, as the worker would; returns how many ran."""
    worker = task_worker()
    ran = 0
    while (result := DBTaskResult.objects.ready().first()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran


def forget_shared_cache() -> None:
    """Forget what is cached: unlike the database, caches are not rolled back after a test.

    Without it, a test could meet a session, an account or a feed cached by
    the previous one (SQLite even gives the same ids again). The frames this
    process keeps go too (vigie.lib.frames).
    """
    shared_cache.forget_local_values()
    frames.forget()
    if not settings.REDIS_URL:
        caches["shared"].clear()  # local memory, this process's own
        return  # the database cache is rolled back with the test
    # Not cache.clear(): that would empty the other test processes' keys too.
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def gone_account_id() -> int:
    """An account id no row holds: what a delivery, which keeps no foreign key in the
    database, points at once its account was deleted behind Django's back."""
    highest = User.objects.aggregate(highest=Max("pk"))["highest"] or 0
    return int(highest) + 1000


def give_verified_phone(user: User, number: str = "+33612345678") -> None:
    """A mobile number the person proved, as if they had entered the code sent to it."""
    from vigie.lib.crypto import fingerprint
    from vigie.notifications.models import PhoneNumber

    PhoneNumber.objects.create(
        user=user,
        number=number,
        fingerprint=fingerprint("phone", number),
        verified_at=timezone.now(),
    )
