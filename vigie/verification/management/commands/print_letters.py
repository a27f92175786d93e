"""``manage.py print_letters``: one print-ready PDF of every letter waiting in the outbox."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from vigie.lib.progress import ProgressBar, progress_wanted
from vigie.verification.models import Letter, LetterStatus
from vigie.verification.printing import print_spooled_letters


class Command(BaseCommand):
    help = (
        "Put every activation letter waiting to be printed into one PDF file, ready for the "
        "printer, and mark those letters as posted."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        waiting = Letter.objects.filter(status=LetterStatus.HANDED_OVER, sender="spool").count()
        bar = ProgressBar(
            self.stdout,
            total=waiting,
            unit="letters",
            enabled=progress_wanted(self.stdout, options["verbosity"]),
        )
        run = print_spooled_letters(
            acting_user=None, on_progress=lambda done, _total: bar.update(done, count=done)
        )
        if run.path is None:
            self.stdout.write("No letter to print.")
        else:
            bar.finish(run.letters, count=run.letters)
            self.stdout.write(
                f"{run.letters} letters in {run.path}: print them, post them, then delete the file."
            )
        if run.missing:
            self.stderr.write(f"PDF missing for letters {run.missing}: ask for new letters.")
