"""``manage.py demo_code EMAIL``: the current authenticator code of a demo account."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP

from vigie.accounts.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current six-digit code of a demo account's authenticator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "email", help="The demo account's e-mail address, such as carol@demo.vigie.test."
        )

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Only for the demo.")
        device = TOTPDevice.objects.filter(user__email=email.lower(), confirmed=True).first()
        if device is None:
            raise CommandError(f"No authenticator for {email}.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
