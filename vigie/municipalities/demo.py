"""The demo's town hall: Bourg-lès-Vigies, its agent Hélène, a year paid, one official message.

The year is paid as in life: an order, then the bank's sealed notification (the
local test bank's), which extends the subscription and issues invoice number 1.
Bob still waits for his letter: Hélène can verify him at the counter instead.
"""

from __future__ import annotations

from io import TextIOBase

from django.conf import settings

from vigie.accounts import actions as account_actions
from vigie.accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET_HEX
from vigie.accounts.models import User
from vigie.moderation import terms
from vigie.moderation.actions import do_accept_terms
from vigie.municipalities.actions import (
    OfficialMessageInput,
    TownHallInput,
    do_create_town_hall,
    do_invite_agent,
    do_publish_official_message,
)
from vigie.municipalities.models import TownHall
from vigie.payments import monetico
from vigie.payments.actions import do_create_order, do_receive_notification
from vigie.payments.testbank import notification_fields

AGENT_EMAIL = "helene@demo.vigie.test"


def load(out: TextIOBase) -> None:
    if TownHall.objects.exists():
        return
    carol = User.objects.get(email="carol@demo.vigie.test")
    town_hall = do_create_town_hall(
        TownHallInput(
            insee_code="99101",
            commune_name="Bourg-lès-Vigies",
            population=4_200,
            billing_name="Mairie de Bourg-lès-Vigies",
            billing_address="1 place de la Mairie",
            billing_postcode="99100",
            billing_city="Bourg-lès-Vigies",
            contact_email="mairie@bourg-les-vigies.demo.vigie.test",
            siret="21990101000011",
        ),
        acting_user=carol,
    )
    helene = account_actions.do_create_account(
        email=AGENT_EMAIL,
        password=DEMO_PASSWORD,
        first_name="Hélène",
        last_name="Roche",
        acting_user=carol,
    )
    do_accept_terms(helene, version=terms.CURRENT.number)
    account_actions.do_enrol_known_authenticator(helene, secret_hex=DEMO_TOTP_SECRET_HEX)
    do_invite_agent(
        town_hall, email=AGENT_EMAIL, first_name="Hélène", last_name="Roche", acting_user=carol
    )
    helene.refresh_from_db()
    order = do_create_order(town_hall, plan_code="bourg", period="yearly", acting_user=helene)
    do_receive_notification(
        notification_fields(
            {
                "TPE": settings.MONETICO_TPE,
                "montant": monetico.amount(order.total_cents),
                "reference": order.reference,
                "texte-libre": f"Vigie {town_hall.insee_code}",
            },
            accepted=True,
        )
    )
    do_publish_official_message(
        town_hall,
        agent=helene,
        data=OfficialMessageInput(
            category="roads",
            place="Rue des Lilas",
            text="Travaux sur le réseau d'eau jeudi de 8 h à 12 h : l'eau sera coupée rue des "
            "Lilas et impasse du Moulin. Merci de votre compréhension.",
        ),
    )
    out.write("  the town hall of Bourg-lès-Vigies: Hélène, a year paid, one official message\n")
