from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import User
from vigie.addresses.models import Address, BanAddress


@admin.register(BanAddress)
class BanAddressAdmin(admin.ModelAdmin[BanAddress]):
    list_display = ["ban_id", "number", "suffix", "street", "postcode", "commune"]
    search_fields = ["ban_id", "search_text"]
    list_filter = ["insee_code"]


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin[Address]):
    """Home addresses, for the team: those typed by hand wait here for a check."""

    list_display = ["id", "user_id", "postcode", "commune", "source", "needs_review", "verified_at"]
    list_filter = ["needs_review", "source", "verification_method"]
    readonly_fields = [field.name for field in Address._meta.fields if field.name != "fingerprint"]
    exclude = ["fingerprint"]
    actions = ["mark_reviewed"]

    def has_delete_permission(self, request: HttpRequest, obj: Address | None = None) -> bool:
        return False  # addresses end by moving or by erasure, both audited

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Mark the selected addresses as checked"), permissions=["change"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Address]) -> None:
        from vigie.verification.actions import do_approve_typed_address

        assert isinstance(request.user, User)
        for address in queryset.filter(needs_review=True):
            do_approve_typed_address(address, acting_user=request.user)
