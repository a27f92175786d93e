from django.contrib.admin.apps import AdminConfig


class VigieAdminConfig(AdminConfig):
    """Django's admin, with Vigie's site (second factor required)."""

    default_site = "vigie.admin_site.VigieAdminSite"
