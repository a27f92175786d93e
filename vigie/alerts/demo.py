"""The demo's alerts: one sent at once by the référent, one closed, one waiting for Carol.

Dave is the référent of A, so his alerts take the fast path (delivered at once,
reviewed after); Alice's waits in Carol's queue at /equipe/alertes/. The
worker of ``make demo`` does the fan-out: deliveries land in Alice's inbox,
in ``var/mail/`` and, for the urgent one, as an SMS in ``var/sms/outbox/``.
"""

from __future__ import annotations

from datetime import timedelta
from io import TextIOBase

from django.utils import timezone

from vigie.accounts.models import User
from vigie.alerts.actions import AlertInput, PeopleInput, do_close_alert, do_create_alert
from vigie.alerts.models import Alert, Category, Resolution, Urgency
from vigie.communities.models import Membership
from vigie.lib.crypto import fingerprint
from vigie.notifications.models import PhoneNumber

# A number of the range Arcep keeps for fiction (06 39 98 xx xx): it reaches nobody.
ALICE_MOBILE = "+33639980012"


def _neighbourhood_member(email: str) -> Membership:
    return Membership.objects.select_related("user", "community").get(
        user__email=email, community__kind="neighbourhood"
    )


def _give_alice_a_proven_mobile(alice: User) -> None:
    """As if she had entered the code sent to it: the demo has no phone to receive one."""
    PhoneNumber.objects.get_or_create(
        user=alice,
        defaults={
            "number": ALICE_MOBILE,
            "fingerprint": fingerprint("phone", ALICE_MOBILE),
            "verified_at": timezone.now(),
        },
    )


def load(out: TextIOBase) -> None:
    if Alert.objects.exists():
        return
    alice = _neighbourhood_member("alice@demo.vigie.test")
    dave = _neighbourhood_member("dave@demo.vigie.test")
    _give_alice_a_proven_mobile(alice.user)
    now = timezone.now()
    closed = do_create_alert(
        dave,
        data=AlertInput(
            category=Category.ROADS,
            happened_at=now - timedelta(days=2),
            place="Rue des Lilas, à hauteur du square",
            description="Fuite d'eau sur la chaussée : le service des eaux est prévenu.",
        ),
    )
    do_close_alert(
        closed,
        acting_user=dave.user,
        resolution=Resolution.RESOLVED,
        membership=dave,
        by_team=False,
    )
    do_create_alert(
        dave,
        data=AlertInput(
            category=Category.BURGLARY,
            urgency=Urgency.URGENT,
            happened_at=now - timedelta(minutes=20),
            place="Impasse du Moulin",
            description="Tentative d'effraction par la porte du garage au n° 5, les "
            "occupants sont absents. La gendarmerie est prévenue (17).",
            people=PeopleInput(
                behaviour="essayait de forcer la porte du garage, est parti en courant",
                clothing="blouson sombre à capuche, sac à dos rouge",
                direction="vers la route de la Forêt",
            ),
        ),
    )
    do_create_alert(
        alice,
        data=AlertInput(
            category=Category.DOOR_TO_DOOR,
            happened_at=now - timedelta(hours=1),
            place="Rue des Lilas",
            description="Un démarcheur se présente comme envoyé par la mairie pour vérifier "
            "les compteurs et demande à entrer. La mairie n'a envoyé personne.",
            people=PeopleInput(behaviour="insiste pour entrer dans les maisons"),
        ),
    )
    out.write(
        "  three alerts: Dave's urgent one sent at once, an older one closed, "
        "Alice's waiting for Carol\n"
    )
