from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "vigie.api"
    verbose_name = "API"
