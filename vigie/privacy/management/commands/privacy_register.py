from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigie.privacy.register import REGISTER_PATH, render_register


class Command(BaseCommand):
    help = (
        "Write the record of processing activities (GDPR article 30) into "
        "docs/registre-des-traitements.md, from what each model declares about personal data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail if the file in docs/ is out of date (for CI).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = render_register()
        if options["check"]:
            current = REGISTER_PATH.read_text(encoding="utf-8") if REGISTER_PATH.exists() else ""
            if current != text:
                raise CommandError(
                    f"{REGISTER_PATH.name} is out of date: run python manage.py privacy_register"
                )
            self.stdout.write(f"{REGISTER_PATH.name} is up to date.")
            return
        REGISTER_PATH.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {REGISTER_PATH}.")
