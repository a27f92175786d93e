"""``manage.py load_demo``: a small living neighbourhood to try Vigie with.

Idempotent: running it again changes nothing.  Each app adds its part in its
own ``demo.py``; the parts run in the order below.  Refused in production.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vigie.accounts import demo as accounts_demo
from vigie.addresses import demo as addresses_demo
from vigie.alerts import demo as alerts_demo
from vigie.communities import demo as communities_demo
from vigie.moderation import demo as moderation_demo
from vigie.municipalities import demo as municipalities_demo
from vigie.posts import demo as posts_demo
from vigie.privacy import demo as privacy_demo
from vigie.verification import demo as verification_demo

PARTS = [
    accounts_demo.load,
    addresses_demo.load,
    communities_demo.load,
    verification_demo.load,
    communities_demo.load_people,
    posts_demo.load,
    alerts_demo.load,
    moderation_demo.load,
    municipalities_demo.load,
    privacy_demo.load,
]


class Command(BaseCommand):
    help = (
        "Load the demo commune, its neighbourhoods and its people. Running it again changes "
        "nothing; it refuses to run in production."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo data has known passwords: never in production.")
        for load in PARTS:
            load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
