"""The append-only, hash-chained audit log.

Each row stores the hash of the row before it and the hash of its own content
chained to that one, so altering, removing or inserting a row anywhere breaks
every link after it; ``manage.py verify_audit_log`` finds the first break.
Rows hold ids, never names or addresses, so they survive an erasure as
pseudonymous records.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditLogIsAppendOnly(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("Audit events cannot be updated.")

    def delete(self) -> NoReturn:
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")


class AuditEvent(models.Model):
    position = models.BigIntegerField(_("position"), unique=True, editable=False)
    created_at = models.DateTimeField(_("time"), editable=False)
    event_type = models.CharField(_("event"), max_length=64, editable=False)
    # A plain id, not a foreign key: the record outlives the account as a pseudonym.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, editable=False)
    target_type = models.CharField(_("target type"), max_length=64, blank=True, editable=False)
    target_id = models.CharField(_("target id"), max_length=64, blank=True, editable=False)
    data = models.JSONField(_("data"), default=dict, blank=True, editable=False)
    previous_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["actor_id"]),
            models.Index(fields=["event_type", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.position} {self.event_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit events cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

    def canonical_content(self) -> str:
        """The exact bytes the hash covers, independent of database and key order."""
        return json.dumps(
            {
                "position": self.position,
                "created_at": self.created_at.astimezone(UTC).isoformat(),
                "event_type": self.event_type,
                "actor_id": self.actor_id,
                "target_type": self.target_type,
                "target_id": self.target_id,
                "data": self.data,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )

    def compute_hash(self) -> str:
        chained = self.previous_hash + self.canonical_content()
        return hashlib.sha256(chained.encode()).hexdigest()
