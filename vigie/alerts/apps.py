from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "vigie.alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        from vigie.alerts import emails, messages, tasks  # noqa: F401 - registers what they send
