"""``manage.py end_all_sessions``: everyone is logged out, at once (after a compromise)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from vigie.accounts.actions import do_end_all_sessions


class Command(BaseCommand):
    help = (
        "End every session of every account, at once, cached copies included: everyone "
        "logs in again. Personal access tokens are not revoked. Audited per account."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count the sessions; end none.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        count = do_end_all_sessions(dry_run=dry_run)
        verb = "would end" if dry_run else "ended"
        self.stdout.write(f"{verb.capitalize()} {count} session(s).")
