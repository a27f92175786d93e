from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "vigie.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from vigie.notifications import digest, tasks  # noqa: F401 - registers e-mails and jobs
