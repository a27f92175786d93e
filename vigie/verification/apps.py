from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "vigie.verification"
    verbose_name = _("Address verification")

    def ready(self) -> None:
        from vigie.verification import tasks  # noqa: F401 - registers the periodic jobs
