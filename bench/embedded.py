"""A Vigie of its own for one benchmark: SQLite in a temporary data folder.

``prepare()`` makes the folder, points this process's environment at it
(``VIGIE_DATA_DIR``, no ``DATABASE_URL`` nor ``REDIS_URL``: SQLite and the local
caches, as ``make demo`` runs) and migrates it in a separate process, so that
the process which measures never paid for the migrations.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def prepare(prefix: str, *, collectstatic: bool = False, **settings: str) -> Path:
    data = Path(tempfile.mkdtemp(prefix=f"vigie-bench-{prefix}-"))
    for key in [key for key in os.environ if key.startswith(("VIGIE_", "DJANGO_"))]:
        del os.environ[key]
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ.update(
        PYTHONPATH=str(ROOT),
        VIGIE_ENV="development",
        VIGIE_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="vigie.settings",
        VIGIE_EMAIL_BACKEND="file",
        VIGIE_SMS_PROVIDER="file",
        **settings,
    )
    commands = [["migrate", "-v", "0"], ["createcachetable"]]
    if collectstatic:
        commands.append(["collectstatic", "--noinput", "-v", "0"])
    for command in commands:
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, check=True)
    return data
