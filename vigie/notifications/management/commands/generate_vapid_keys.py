"""``manage.py generate_vapid_keys``: a new VAPID pair, as lines for the environment."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vigie.notifications.vapid import new_key_pair


class Command(BaseCommand):
    help = (
        "Print a new pair of keys with which Vigie signs its push notifications (VAPID), "
        "to put in VIGIE_VAPID_PRIVATE_KEY and VIGIE_VAPID_PUBLIC_KEY."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        keys = new_key_pair()
        self.stdout.write(f"VIGIE_VAPID_PRIVATE_KEY={keys.private_key}")
        self.stdout.write(f"VIGIE_VAPID_PUBLIC_KEY={keys.public_key}")
