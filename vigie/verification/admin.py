from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from vigie.verification.models import ActivationCode, Letter


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin[Letter]):
    list_display = ["id", "user_id", "reason", "status", "sender", "created_at", "posted_at"]
    list_filter = ["status", "sender", "reason"]
    readonly_fields = [field.name for field in Letter._meta.fields]

    def has_delete_permission(self, request: HttpRequest, obj: Letter | None = None) -> bool:
        return False  # deleting would reset the letter limits, unaudited

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ActivationCode)
class ActivationCodeAdmin(admin.ModelAdmin[ActivationCode]):
    list_display = ["id", "user_id", "state", "wrong_entries", "created_at", "expires_at"]
    list_filter = ["state"]
    # The hash is never shown, even to the team.
    exclude = ["code_hash"]
    readonly_fields = [
        "user",
        "address",
        "letter",
        "state",
        "created_at",
        "expires_at",
        "wrong_entries",
        "closed_at",
    ]

    def has_delete_permission(
        self, request: HttpRequest, obj: ActivationCode | None = None
    ) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
