"""Benchmark: 10,000 activation letters into one print-ready PDF.

Renders each letter as the worker does (reportlab, one PDF per letter, its
QR code included), then merges them as ``manage.py print_letters`` does
(pypdf).  Prints seconds for each step and the peak resident memory.

    .venv/bin/python bench/letters.py [COUNT]
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
os.environ.setdefault("VIGIE_ENV", "test")

import django

django.setup()

from django.utils import timezone  # noqa: E402

from vigie.addresses.postal import envelope_lines  # noqa: E402
from vigie.verification.codes import new_code  # noqa: E402
from vigie.verification.letter_pdf import render_letter  # noqa: E402
from vigie.verification.printing import merge_pdfs  # noqa: E402


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(count: int) -> None:
    now = timezone.now()
    folder = Path(tempfile.mkdtemp(prefix="vigie-bench-letters-"))
    started = time.perf_counter()
    paths = []
    for number in range(count):
        lines = envelope_lines(
            name=f"Résident numéro {number}",
            number=str(number % 200 + 1),
            suffix="",
            street="Avenue du Général de Gaulle",
            complement="Appartement 12",
            postcode="99100",
            locality="Bourg-lès-Vigies",
        )
        pdf = render_letter(
            address_lines=lines,
            code=new_code(),
            expires_at=now + timedelta(days=35),
            language="fr",
            today=now,
        )
        path = folder / f"letter-{number:09d}.pdf"
        path.write_bytes(pdf)
        paths.append(path)
    rendered = time.perf_counter()
    target = folder / "print.pdf"
    merge_pdfs(paths, target)
    merged = time.perf_counter()

    print(f"letters rendered        {count:>10,}")
    per_letter = (rendered - started) / count * 1000
    print(f"render, seconds         {rendered - started:>10.1f}   ({per_letter:.1f} ms a letter)")
    print(f"merge, seconds          {merged - rendered:>10.1f}")
    print(f"total, seconds          {merged - started:>10.1f}")
    print(f"print PDF, MiB          {target.stat().st_size / 2**20:>10.1f}")
    print(f"peak memory, MiB        {peak_memory_mib():>10.1f}")
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
