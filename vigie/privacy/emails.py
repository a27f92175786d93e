"""The privacy e-mails: what each one says is in templates/privacy/email/."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from vigie.accounts import links
from vigie.notifications.emails import register
from vigie.notifications.models import OutgoingEmail
from vigie.privacy.models import DataExport, ExportState


@register("data_export_ready", template="privacy/email/data_export_ready")
def data_export_ready(email: OutgoingEmail) -> dict[str, object] | None:
    user = email.user
    data_export = DataExport.objects.filter(pk=email.context.get("export_id")).first()
    if user is None or not user.is_active or data_export is None:
        return None
    if data_export.state != ExportState.READY:
        return None
    # The link leads to the account page: the file itself needs the person's session.
    return {
        "first_name": user.first_name,
        "link": links.absolute(reverse("privacy:my_data")),
        "hours": settings.RETENTION["export_hours"],
    }


@register("inactive_account_warning", template="privacy/email/inactive_account_warning")
def inactive_account_warning(email: OutgoingEmail) -> dict[str, object] | None:
    user = email.user
    if user is None or not user.is_active or user.erased_at is not None:
        return None
    return {
        "first_name": user.first_name,
        "login_url": links.absolute(reverse("accounts:login")),
        "months": settings.RETENTION["inactive_months"],
    }
