from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from vigie.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = [
        "position",
        "created_at",
        "event_type",
        "actor_id",
        "target_type",
        "target_id",
        "redacted_at",
    ]
    list_filter = ["event_type"]
    search_fields = ["target_id", "event_type"]
    ordering = ["-position"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
