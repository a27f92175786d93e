"""The demo's privacy part: one breach in the team's register, closed as the CNIL expects.

A letter carrying an activation code went into a neighbour's letter box; the
neighbour brought it back. Carol recorded it, judged the risk unlikely (the
code was replaced at once) and wrote why the CNIL was not notified, as art.
33(5) asks. The register is at /equipe/violations/.
"""

from __future__ import annotations

from datetime import timedelta
from io import TextIOBase

from django.utils import timezone

from vigie.accounts.models import User
from vigie.privacy.actions import BreachInput, do_record_breach
from vigie.privacy.models import Breach


def load(out: TextIOBase) -> None:
    if Breach.objects.exists():
        return
    carol = User.objects.get(email="carol@demo.vigie.test")
    discovered = timezone.now() - timedelta(days=20)
    do_record_breach(
        BreachInput(
            discovered_at=discovered,
            occurred_at=discovered - timedelta(days=2),
            natures=["confidentiality"],
            description=(
                "Une lettre d'activation a été déposée dans la boîte aux lettres d'un voisin, "
                "qui l'a rapportée fermée à la mairie."
            ),
            people_categories="Un habitant en attente de vérification",
            data_categories="Nom, adresse postale, code d'activation",
            people_count=1,
            records_count=1,
            likely_consequences="Le code aurait pu servir à rejoindre le quartier à sa place.",
            measures="Code remplacé par une nouvelle lettre ; l'ancien ne vaut plus rien.",
            people_informed_at=discovered + timedelta(hours=3),
            cnil_not_notified_reason=(
                "Risque improbable : lettre rapportée fermée, code invalidé dans l'heure."
            ),
        ),
        acting_user=carol,
    )
    out.write("  the breach register: one entry, closed without notifying the CNIL, with why\n")
