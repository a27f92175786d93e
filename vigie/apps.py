from django.apps import AppConfig


class VigieConfig(AppConfig):
    """The site itself: base templates, the stylesheet, template tags."""

    name = "vigie"
    verbose_name = "Vigie"
