"""A web worker does not load what only a few requests need (PDF, images, geometry).

Each of these modules costs a web worker megabytes of resident memory for its
whole life (bench/memory.py); they are imported where they are used instead.
Checked in a fresh interpreter, as granian starts a worker: the WSGI
application, then requests that load every URL pattern, page and API alike.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ON_FIRST_USE = ["reportlab", "shapely", "numpy", "PIL", "segno", "phonenumbers"]

WORKER = """
import gc, io, json, sys
from vigie.wsgi import application
frozen_at_start = gc.get_freeze_count()

def get(path):
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000", "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
        "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }
    statuses = []
    body = application(environ, lambda status, headers, *rest: statuses.append(status))
    b"".join(body)
    body.close()
    return statuses[0]

loaded_at_start = sorted(sys.modules)
statuses = [get("/hors-ligne/"), get("/api/v1/openapi.json")]
modules = sorted(sys.modules)
print(json.dumps({
    "statuses": statuses, "modules": modules, "at_start": loaded_at_start,
    "frozen_at_start": frozen_at_start,
}))
"""


def run_fresh_worker(tmp_path: Path) -> dict[str, Any]:
    environment = {
        **os.environ,
        "VIGIE_ENV": "test",
        "VIGIE_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "vigie.settings",
        "PYTHONPATH": str(ROOT),
    }
    environment.pop("DATABASE_URL", None)  # these two requests read no table
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", WORKER],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def test_it_serves_pages_and_the_api_without_loading_pdf_image_or_geometry_modules(
    tmp_path: Path,
) -> None:
    answer = run_fresh_worker(tmp_path)
    loaded = {name.split(".")[0] for name in answer["modules"]}

    assert answer["statuses"] == ["200 OK", "200 OK"]
    assert "vigie.urls" in answer["modules"]  # every view and API router was imported
    assert not loaded & set(ON_FIRST_USE)


def test_it_loads_every_view_and_api_operation_before_the_first_request(tmp_path: Path) -> None:
    answer = run_fresh_worker(tmp_path)

    assert {"vigie.urls", "vigie.api.api", "vigie.posts.views"} <= set(answer["at_start"])


def test_it_sets_what_it_loaded_aside_from_the_garbage_collector(tmp_path: Path) -> None:
    answer = run_fresh_worker(tmp_path)

    # Django, Vigie and the URLconf: about 145,000 objects no full collection walks again.
    assert answer["frozen_at_start"] > 50_000
