"""The deployment files say what docs/security.md promises: TLS, strong suites, least privilege.

They are read, not run (CI scans `make serve` itself with sslyze; the proxies were scanned
by hand, deploy/README.md): a change that weakens one of them fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
AEAD = re.compile(
    r"(AES128-GCM|AES256-GCM|AES_128_GCM|AES_256_GCM|CHACHA20-POLY1305|CHACHA20_POLY1305)"
)
UNITS = ["vigie-web.service", "vigie-worker.service", "vigie-messages-worker@.service"]


def read(name: str) -> str:
    return (DEPLOY / name).read_text(encoding="utf-8")


def directives(text: str, name: str) -> list[str]:
    """The values of an nginx directive, comments left out."""
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    return [match.strip() for match in re.findall(rf"^\s*{name}\s+([^;]+);", code, re.MULTILINE)]


def test_it_has_nginx_speak_tls_1_2_and_1_3_only_with_ecdhe_and_aead_suites() -> None:
    nginx = read("nginx.conf")

    assert directives(nginx, "ssl_protocols") == ["TLSv1.2 TLSv1.3"]
    [ciphers] = directives(nginx, "ssl_ciphers")
    for suite in ciphers.split(":"):
        assert suite.startswith("ECDHE-"), suite
        assert AEAD.search(suite), suite


def test_it_has_caddy_speak_tls_1_2_and_1_3_only_with_ecdhe_and_aead_suites() -> None:
    caddy = read("Caddyfile")

    assert re.search(r"^\s*protocols tls1\.2 tls1\.3\s*$", caddy, re.MULTILINE)
    [ciphers] = re.findall(r"^\s*ciphers (.+)$", caddy, re.MULTILINE)
    for suite in ciphers.split():
        assert suite.startswith("TLS_ECDHE_"), suite
        assert AEAD.search(suite), suite


@pytest.mark.parametrize("unit", UNITS)
def test_it_runs_each_service_unprivileged_and_confined(unit: str) -> None:
    text = read(unit)
    settings = dict(
        line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#")
    )

    assert settings["User"] == "vigie"
    assert settings["Group"] == "vigie"
    assert settings["NoNewPrivileges"] == "true"
    assert settings["ProtectSystem"] == "strict"
    assert settings["ProtectHome"] == "true"
    assert settings["PrivateTmp"] == "true"
    # Secrets come from a root-owned file, never from the unit or the repository.
    assert settings["EnvironmentFile"] == "/etc/vigie/vigie.env"


def test_it_has_one_worker_serve_every_queue_and_the_others_queues_that_exist() -> None:
    from django.conf import settings

    def queues(unit: str) -> list[str]:
        [names] = re.findall(r"^ExecStart=.* run_worker .*--queue-name=(\S+)", read(unit), re.M)
        return names.split(",")

    # The heartbeat (/healthz) and the periodic jobs are on "default": one worker takes all.
    assert queues("vigie-worker.service") == ["*"]
    assert set(queues("vigie-messages-worker@.service")) <= set(settings.TASKS["default"]["QUEUES"])
    assert queues("vigie-messages-worker@.service") == ["messages"]
