from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "vigie.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from vigie.accounts import caching, emails  # noqa: F401 - registers the account e-mails

        caching.connect()
