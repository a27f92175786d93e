"""Start `make serve` over HTTPS for a check, and stop it the way systemd would.

Shared by `.ci/https_check.py` and `.ci/tls_check.py`. Standard library only: the TLS
check runs in sslyze's own environment (`make tls-check`), not in Vigie's.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from base64 import urlsafe_b64encode
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"

# What a check sets itself: nothing of the caller's own settings may leak into the server.
_SETTINGS_PREFIXES = ("VIGIE_", "DJANGO_", "PYTEST")
_SETTINGS = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "HOST", "PORT"}


@dataclass(frozen=True)
class Server:
    port: int
    certificate: Path
    process: subprocess.Popen[bytes]

    def verified_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's self-signed certificate only."""
        return ssl.create_default_context(cafile=str(self.certificate))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_environment() -> dict[str, str]:
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_SETTINGS_PREFIXES) and key not in _SETTINGS
    }


def manage(environment: dict[str, str], *arguments: str) -> str:
    """Run `manage.py` with Vigie's interpreter; return what it printed."""
    completed = subprocess.run(
        [PYTHON, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return completed.stdout


def development_settings(data: Path) -> dict[str, str]:
    """The demo's profile, in its own data folder."""
    return {"VIGIE_ENV": "development", "VIGIE_DATA_DIR": str(data)}


def production_settings(data: Path) -> dict[str, str]:
    """Production settings with throw-away secrets, for https://localhost."""
    vapid = dict(
        line.split("=", 1)
        for line in manage(
            {**clean_environment(), **development_settings(data)}, "generate_vapid_keys"
        ).splitlines()
        if "=" in line
    )
    return {
        "VIGIE_ENV": "production",
        "VIGIE_DATA_DIR": str(data),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "VIGIE_FIELD_KEYS": urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "VIGIE_FINGERPRINT_KEY": secrets.token_urlsafe(32),
        "VIGIE_MONETICO_KEY": secrets.token_hex(20).upper(),
        "VIGIE_VAPID_PRIVATE_KEY": vapid["VIGIE_VAPID_PRIVATE_KEY"],
        "VIGIE_VAPID_PUBLIC_KEY": vapid["VIGIE_VAPID_PUBLIC_KEY"],
        "VIGIE_SELLER_NAME": "Vigie SAS",
        "VIGIE_SELLER_SIRET": "12345678900011",
        "VIGIE_SELLER_VAT_NUMBER": "FR12123456789",
        "VIGIE_SELLER_PHONE": "+33 1 23 45 67 89",
        "VIGIE_PUBLICATION_DIRECTOR": "Claire Fontaine",
        "VIGIE_HOST_NAME": "Hébergeur Exemple SAS",
        "VIGIE_HOST_ADDRESS": "5 quai des Données, 59100 Roubaix",
        "VIGIE_HOST_PHONE": "+33 3 20 00 00 00",
        "VIGIE_CONTACT_EMAIL": "contact@vigie.example.org",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "VIGIE_BASE_URL": "https://localhost",
    }


@contextmanager
def https_server(settings: dict[str, str], *, timeout: float = 60) -> Iterator[Server]:
    """`make serve` with a new self-signed certificate, up once /healthz answers over TLS.

    `settings` name the profile and its data folder (development_settings or
    production_settings). They are given to make as command-line variables, so that a
    developer's `.env` (which the Makefile reads) cannot override them.
    """
    data = Path(settings["VIGIE_DATA_DIR"])
    setup = {**clean_environment(), **development_settings(data)}
    manage(setup, "migrate", "--noinput", "-v", "0")
    manage(setup, "createcachetable")
    manage(setup, "make_dev_certificate")
    port = free_port()
    served = {
        **settings,
        "VIGIE_TLS_CERT": str(data / "tls" / "localhost.crt"),
        "VIGIE_TLS_KEY": str(data / "tls" / "localhost.key"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "VIGIE_WEB_WORKERS": "1",
    }
    # Whoever runs a check has installed Vigie already (make or .ci/run): never reinstall.
    command = ["make", "--no-print-directory", "-o", ".venv/.installed", "serve"]
    command += [f"{key}={value}" for key, value in served.items()]
    process = subprocess.Popen(
        command, cwd=ROOT, env={**clean_environment(), **served}, start_new_session=True
    )
    server = Server(port=port, certificate=Path(served["VIGIE_TLS_CERT"]), process=process)
    try:
        wait_until_serving(server, timeout=timeout)
        yield server
    finally:
        stop(process)


def wait_until_serving(server: Server, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(
                f"https://localhost:{server.port}/healthz",
                context=server.verified_context(),
                timeout=5,
            ):
                return
        except urllib.error.HTTPError:
            return  # it answered over TLS: the caller judges the answer
        except (OSError, ssl.SSLError) as error:
            if server.process.poll() is not None:
                raise RuntimeError(f"make serve stopped: {error}") from error
            if time.monotonic() > deadline:
                raise RuntimeError(f"no HTTPS answer in {timeout:.0f} s: {error}") from error
            time.sleep(0.3)


def children(pid: int) -> list[int]:
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in listed.split()]


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop granian the way systemd's KillMode=mixed does: SIGTERM to the main process only.

    Signalling the whole group lets a worker die before granian's main process
    knows it is shutting down; it then counts that as a crash and respawns it.
    """
    if process.poll() is None:
        for pid in children(process.pid) or [process.pid]:
            os.kill(pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
