from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "vigie.moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from vigie.moderation import emails, tasks  # noqa: F401 - registers e-mails and jobs
