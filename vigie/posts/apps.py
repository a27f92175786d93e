from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsConfig(AppConfig):
    name = "vigie.posts"
    verbose_name = _("Posts")

    def ready(self) -> None:
        from vigie.posts import caching

        caching.connect()
