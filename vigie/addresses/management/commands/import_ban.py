"""``manage.py import_ban FILE.csv[.gz]``: load a Base Adresse Nationale file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigie.addresses.ban import BanFileError, import_ban_file
from vigie.lib.progress import ProgressBar, progress_wanted


class Command(BaseCommand):
    help = (
        "Load addresses from files of the Base Adresse Nationale (the national address base, "
        "CSV with 22 or 23 columns, gzipped or not) into Vigie's own list of addresses. "
        "Running it again with a newer file updates what changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "files",
            nargs="+",
            type=Path,
            metavar="FILE",
            help="A BAN file, such as adresses-75.csv.gz; give several to load them in turn.",
        )

    def handle(self, *args: Any, files: list[Path], **options: Any) -> None:
        show_progress = progress_wanted(self.stdout, options["verbosity"])
        for path in files:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
            size = path.stat().st_size
            bar = ProgressBar(self.stdout, total=size, unit="rows", enabled=show_progress)
            try:
                report = import_ban_file(path, on_progress=bar.update_with_count)
            except BanFileError as error:
                raise CommandError(f"{path}: {error}") from None
            bar.finish(size, count=report.rows)
            self.stdout.write(
                f"{path.name}: {report.rows:,} rows, {report.created:,} created, "
                f"{report.updated:,} updated, {report.unchanged:,} unchanged, "
                f"{report.bad_rows:,} bad."
            )
            for problem in report.errors:
                self.stderr.write(f"  {problem}")
            if report.bad_rows > len(report.errors):
                self.stderr.write(f"  … and {report.bad_rows - len(report.errors)} more bad rows.")
