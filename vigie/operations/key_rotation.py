"""Re-encrypting every encrypted column under the first of VIGIE_FIELD_KEYS.

After a new key is prepended, old rows still read (every key decrypts) but
stay under the old key until rewritten; this rewrites them, so that the old
key can then be removed. Rows are taken in primary-key order, a batch per
transaction, and only those with a token the first key cannot read are
written: running it again, after an interruption or not, redoes nothing
that was done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models.functions import Cast

from vigie.lib.crypto import is_under_current_key

BATCH_SIZE = 500
# Each encrypted column is read a second time, cast to plain text, so that the
# token itself can be tested against the first key.
_RAW = "rotation_token_of_"

Progress = Callable[[int], None]  # rows checked so far


@dataclass(frozen=True)
class Outcome:
    model: type[models.Model]
    fields: tuple[str, ...]
    rows: int  # rows checked
    rewritten: int  # rows re-encrypted (or that would be, in a dry run)

    @property
    def label(self) -> str:
        return self.model._meta.label


def rotate_model(
    model: type[models.Model],
    fields: tuple[str, ...],
    *,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> Outcome:
    # The base manager: a default manager that hides rows would leave them under the old key.
    manager = model._base_manager
    raw = {f"{_RAW}{name}": Cast(name, output_field=models.TextField()) for name in fields}
    last_pk: object = None
    rows = rewritten = 0
    while True:
        with transaction.atomic():
            batch_query = manager.order_by("pk").only(*fields).annotate(**raw)
            if last_pk is not None:
                batch_query = batch_query.filter(pk__gt=last_pk)
            if not dry_run:
                # Nobody changes these rows between our read and our write, or the write
                # would put back an older value (SQLite's IMMEDIATE transactions already
                # hold the write lock from their start).
                batch_query = batch_query.select_for_update()
            batch = list(batch_query[:batch_size])
            if not batch:
                break
            stale = [row for row in batch if _is_stale(row, fields)]
            if stale and not dry_run:
                # The instances hold the clear values; saving encrypts under the first key.
                manager.bulk_update(stale, fields)
        last_pk = batch[-1].pk
        rows += len(batch)
        rewritten += len(stale)
        if progress is not None:
            progress(rows)
    return Outcome(model=model, fields=fields, rows=rows, rewritten=rewritten)


def _is_stale(row: models.Model, fields: tuple[str, ...]) -> bool:
    for name in fields:
        token = getattr(row, f"{_RAW}{name}")
        if token and not is_under_current_key(token):
            return True
    return False
