from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunitiesConfig(AppConfig):
    name = "vigie.communities"
    verbose_name = _("Neighbourhoods")

    def ready(self) -> None:
        from vigie.communities import caching

        caching.connect()
