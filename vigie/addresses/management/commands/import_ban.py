"""``manage.py import_ban FILE.csv[.gz]``: load a Base Adresse Nationale file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigie.addresses.ban import BanFileError, import_ban_file
from vigie.lib.progress import ProgressBar


class Command(BaseCommand):
    help = "Import a BAN CSV file (22 or 23 columns, optionally gzipped) into the local reference."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args: Any, files: list[Path], **options: Any) -> None:
        show_progress = options["verbosity"] >= 1
        for path in files:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
            bar = ProgressBar(self.stdout, total=path.stat().st_size, unit="rows")
            progress = bar.update_with_count if show_progress else None
            try:
                report = import_ban_file(path, on_progress=progress)
            except BanFileError as error:
                raise CommandError(f"{path}: {error}") from None
            if show_progress:
                bar.finish(path.stat().st_size, count=report.rows)
            self.stdout.write(
                f"{path.name}: {report.rows:,} rows, {report.created:,} created, "
                f"{report.updated:,} updated, {report.unchanged:,} unchanged, "
                f"{report.bad_rows:,} bad."
            )
            for problem in report.errors:
                self.stderr.write(f"  {problem}")
            if report.bad_rows > len(report.errors):
                self.stderr.write(f"  … and {report.bad_rows - len(report.errors)} more bad rows.")
