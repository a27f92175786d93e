from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "vigie.privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from vigie.privacy import emails, tasks  # noqa: F401 - registers e-mails and jobs
