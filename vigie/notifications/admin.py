from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from vigie.notifications.models import Delivery, OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin[OutgoingEmail]):
    list_display = ["id", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [field.name for field in OutgoingEmail._meta.fields]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    """What became of each message: the team looks here for failures and their errors."""

    list_display = [
        "id", "subject_type", "subject_id", "channel", "state", "attempts", "created_at", "sent_at",
    ]  # fmt: skip
    list_filter = ["state", "channel", "subject_type"]
    search_fields = ["subject_id"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Delivery | None = None) -> bool:
        return False
