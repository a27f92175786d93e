"""The Django admin, for superusers only, behind the second factor.

The moderation team works in Vigie's own team pages, whose actions write the
audit log; the admin stays for the few who run the installation.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.admin import OTPAdminSite


class VigieAdminSite(OTPAdminSite):
    site_header = "Vigie"
    site_title = "Vigie"

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """The team logs in through Vigie's own pages, second factor included."""
        next_url = request.GET.get("next") or reverse("admin:index")
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(next_url, login_url=reverse("accounts:login"))
        if not user.is_superuser:
            raise Http404()
        query = urlencode({"next": next_url})
        return redirect(f"{reverse('accounts:second_factor_required')}?{query}")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser) and super().has_permission(request)
