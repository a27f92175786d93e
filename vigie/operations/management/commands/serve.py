"""``manage.py serve``: the production web server (granian, WSGI).

HOST and PORT (default 127.0.0.1:8000), VIGIE_WEB_WORKERS (processes, default 2)
and VIGIE_WEB_THREADS (threads per process, default 4) choose where and how wide;
with VIGIE_TLS_CERT and VIGIE_TLS_KEY it serves HTTPS.
Static files are served by granian itself from STATIC_ROOT.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from vigie.lib.environment import Environment


def granian_arguments(env: Environment) -> list[str]:
    host = env.string("HOST", default="127.0.0.1")
    port = env.integer("PORT", default=8000, minimum=1, maximum=65535)
    workers = env.integer("VIGIE_WEB_WORKERS", default=2, minimum=1, maximum=64)
    # Each thread keeps its own database connection (VIGIE_DB_CONN_MAX_AGE). granian's own
    # default for WSGI is 256 threads per process, started as requests come: 200 people at
    # once opened 200 connections to PostgreSQL, past its max_connections (100), and every
    # request then failed (bench/load_run.py found it). Beyond these threads, requests wait
    # in granian's queue, holding no connection.
    threads = env.integer("VIGIE_WEB_THREADS", default=4, minimum=1, maximum=256)
    arguments = [
        "--interface", "wsgi",
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
        "--blocking-threads", str(threads),
        "--no-ws",
        "--static-path-route", settings.STATIC_URL.rstrip("/"),
        "--static-path-mount", str(settings.STATIC_ROOT),
        "--respawn-failed-workers",
    ]  # fmt: skip
    certificate = env.optional_string("VIGIE_TLS_CERT")
    key = env.optional_string("VIGIE_TLS_KEY")
    if bool(certificate) != bool(key):
        raise CommandError("Set both VIGIE_TLS_CERT and VIGIE_TLS_KEY, or neither.")
    if certificate and key:
        for path in (certificate, key):
            if not os.path.isfile(path):
                raise CommandError(f"TLS file not found: {path}")
        arguments += ["--ssl-certificate", certificate, "--ssl-keyfile", key]
        arguments += ["--ssl-protocol-min", "tls1.2"]
    return [*arguments, "vigie.wsgi:application"]


class Command(BaseCommand):
    help = (
        "Serve Vigie on the web with granian, over HTTPS when VIGIE_TLS_CERT and "
        "VIGIE_TLS_KEY are set; HOST, PORT, VIGIE_WEB_WORKERS and VIGIE_WEB_THREADS choose "
        "where and how many."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        arguments = granian_arguments(Environment())
        granian = os.path.join(os.path.dirname(sys.executable), "granian")
        self.stdout.write("granian " + " ".join(arguments))
        sys.stdout.flush()
        os.execv(granian, [granian, *arguments])  # noqa: S606 - our own venv's granian
