"""The append-only, hash-chained audit log.

Each row stores the digest of its own content, the hash of the row before it
and its own hash, ``sha256(previous_hash + content_digest)``; so altering,
removing or inserting a row anywhere breaks every link after it, and
``manage.py verify_audit_log`` finds the first break. Rows hold ids, never
names or addresses, so they survive an erasure as pseudonymous records.

The chain covers the digest rather than the content itself so that an entry
past its retention can be redacted (its data, actor and target emptied) and
the chain still verify: the redacted row keeps its digest, so its link and
every later one still check, while its content, gone, no longer can.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC
from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64

# What a redaction leaves in the fields it empties; the PostgreSQL trigger
# (migration 0005) accepts an UPDATE only if it writes exactly these.
REDACTED_CONTENT: Mapping[str, Any] = {
    "data": {},
    "actor_id": None,
    "target_type": "",
    "target_id": "",
}


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
    # sha256 of canonical_content(), fixed at append time and kept through a redaction.
    content_digest = models.CharField(_("content digest"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)
    redacted_at = models.DateTimeField(_("redacted on"), null=True, blank=True, editable=False)

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

    def compute_content_digest(self) -> str:
        return hashlib.sha256(self.canonical_content().encode()).hexdigest()

    def compute_hash(self) -> str:
        """The link: covers the stored digest, which a redaction leaves in place."""
        chained = self.previous_hash + self.content_digest
        return hashlib.sha256(chained.encode()).hexdigest()

    @property
    def is_redacted(self) -> bool:
        return self.redacted_at is not None

    def holds_content(self) -> bool:
        """Whether anything a redaction empties is still there."""
        return any(getattr(self, name) != empty for name, empty in REDACTED_CONTENT.items())
