from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "vigie.operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from vigie.operations import tasks  # noqa: F401 - registers the periodic jobs
