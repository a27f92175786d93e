from __future__ import annotations

from django.contrib import admin

from vigie.notifications.models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin[OutgoingEmail]):
    list_display = ["id", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [field.name for field in OutgoingEmail._meta.fields]
