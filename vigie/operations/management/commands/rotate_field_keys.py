"""``manage.py rotate_field_keys``: every encrypted column re-encrypted under the first key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigie.lib.crypto import encrypted_columns
from vigie.lib.progress import ProgressBar
from vigie.operations.key_rotation import BATCH_SIZE, rotate_model


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column under the first key of VIGIE_FIELD_KEYS, so that "
        "the keys after it can be removed. Safe to interrupt and run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count the rows that are not under the first key yet; change nothing.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help="How many rows to re-encrypt in each transaction (default %(default)s).",
        )

    def handle(self, *args: Any, dry_run: bool, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        verb = "would re-encrypt" if dry_run else "re-encrypted"
        self.stdout.write(
            f"{len(settings.FIELD_KEYS)} key(s) in VIGIE_FIELD_KEYS; the first one encrypts."
        )
        total = 0
        for model, fields in encrypted_columns():
            label = model._meta.label
            bar = ProgressBar(self.stdout, total=model._base_manager.count(), unit="rows")
            try:
                outcome = rotate_model(
                    model, fields, dry_run=dry_run, batch_size=batch_size, progress=bar.update
                )
            except ImproperlyConfigured as error:
                # A token that no key reads: the key it needs was removed too early.
                raise CommandError(f"{label}: {error}") from None
            bar.finish(outcome.rows)
            self.stdout.write(
                f"{label} ({', '.join(fields)}): {verb} {outcome.rewritten} of {outcome.rows} rows"
            )
            total += outcome.rewritten
        self.stdout.write(f"Total: {verb} {total} rows.")
