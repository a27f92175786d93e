"""What the fault drills share: Django on a throw-away database, in the drill's own process."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def django_on_a_new_database(prefix: str) -> Path:
    """Set Django up on a new SQLite database in a temporary folder; answer the folder.

    Nothing of the caller's own settings leaks in (no DATABASE_URL, no REDIS_URL):
    the drill can never touch a database someone uses.
    """
    data = Path(tempfile.mkdtemp(prefix=prefix))
    for key in list(os.environ):
        if key.startswith(("VIGIE_", "DATABASE_URL", "REDIS_URL", "DJANGO_")):
            del os.environ[key]
    os.environ.update(
        VIGIE_ENV="development",
        VIGIE_DATA_DIR=str(data),
        DJANGO_SETTINGS_MODULE="vigie.settings",
    )
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    return data


def verdict(failures: list[str], success: str) -> int:
    """Print the drill's last line; answer the exit status."""
    if failures:
        for failure in failures:
            print(f"  - {failure}")
        print(f"FAIL: {len(failures)} check(s) failed")
        return 1
    print(f"PASS: {success}")
    return 0
