"""Benchmark: 10,000 activation letters into one print-ready PDF.

Renders each letter as the worker does (reportlab, one PDF per letter, its
QR code included), then merges them as ``manage.py print_letters`` does
(pypdf).  Prints seconds for each step and the peak resident memory, and
writes its figures through ``bench/results.py`` (targets: under 60 s and under
300 MB at peak for 10,000 letters).

    .venv/bin/python bench/letters.py [COUNT]     # 10,000; 100 with BENCH_QUICK=1
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's vigie
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vigie.settings")
os.environ.setdefault("VIGIE_ENV", "test")

import django

django.setup()

from django.utils import timezone  # noqa: E402

from bench.results import Figure, machine_info, quick, write_results  # noqa: E402
from vigie.addresses.postal import envelope_lines  # noqa: E402
from vigie.verification.codes import new_code  # noqa: E402
from vigie.verification.letter_pdf import render_letter  # noqa: E402
from vigie.verification.printing import merge_pdfs  # noqa: E402

BENCHMARK = "letters"


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
    size_mb = target.stat().st_size / 1e6
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    # The targets are for 10,000 letters; a smaller run is held to them pro rata for the time.
    share = count / 10_000
    write_results(
        BENCHMARK,
        [
            Figure(
                f"{count:,} letters into one PDF, total", merged - started, "s", "<", 60 * share
            ),
            Figure("render, per letter", per_letter, "ms"),
            Figure("merge", merged - rendered, "s"),
            Figure("print PDF size", size_mb, "MB"),
            Figure("peak resident memory", peak_memory_mib() * 2**20 / 1e6, "MB", "<", 300),
        ],
        machine=machine_info(),
        parameters={"letters": count},
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "count",
        nargs="?",
        type=int,
        default=100 if quick() else 10_000,
        help="how many letters (10,000; 100 with BENCH_QUICK=1)",
    )
    main(parser.parse_args().count)
