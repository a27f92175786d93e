from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipalitiesConfig(AppConfig):
    name = "vigie.municipalities"
    verbose_name = _("Town halls")

    def ready(self) -> None:
        from vigie.municipalities import emails, tasks  # noqa: F401 - registers e-mails and jobs
