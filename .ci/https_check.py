"""Serve Vigie over HTTPS with `make serve` and a self-signed certificate, then fetch /healthz.

Runs in a throw-away data folder; fails unless the answer comes over TLS,
verified against the certificate just made.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> int:
    data = Path(tempfile.mkdtemp(prefix="vigie-https-"))
    environment = {**os.environ, "VIGIE_DATA_DIR": str(data), "VIGIE_ENV": "development"}
    for name in ("DATABASE_URL", "REDIS_URL"):
        environment.pop(name, None)

    def manage(*arguments: str) -> None:
        subprocess.run([PYTHON, "manage.py", *arguments], cwd=ROOT, env=environment, check=True)

    manage("migrate", "--noinput", "-v", "0")
    manage("createcachetable")
    manage("make_dev_certificate")
    port = free_port()
    environment.update(
        VIGIE_TLS_CERT=str(data / "tls" / "localhost.crt"),
        VIGIE_TLS_KEY=str(data / "tls" / "localhost.key"),
        PORT=str(port),
        VIGIE_WEB_WORKERS="1",
    )
    server = subprocess.Popen(["make", "serve"], cwd=ROOT, env=environment, start_new_session=True)
    context = ssl.create_default_context(cafile=environment["VIGIE_TLS_CERT"])
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(
                    f"https://localhost:{port}/healthz", context=context, timeout=5
                ) as answer:
                    body = json.loads(answer.read())
                    print(f"HTTPS /healthz answered {answer.status}: {body}")
                    return 0 if answer.status == 200 and body["database"] == "ok" else 1
            except (OSError, ssl.SSLError) as error:
                if time.monotonic() > deadline or server.poll() is not None:
                    print(f"HTTPS check failed: {error}", file=sys.stderr)
                    return 1
                time.sleep(0.5)
    finally:
        stop(server)


def children(pid: int) -> list[int]:
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in listed.split()]


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop granian the way systemd's KillMode=mixed does: SIGTERM to the main process only.

    Signalling the whole group lets a worker die before granian's main process
    knows it is shutting down; it then counts that as a crash and respawns it.
    """
    for pid in children(server.pid) or [server.pid]:
        os.kill(pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        raise


if __name__ == "__main__":
    sys.exit(main())
