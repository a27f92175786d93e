"""Production settings, checked in a separate process that starts as production would."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from vigie.notifications.vapid import new_key_pair

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("collectstatic", interactive=False, verbosity=0)
client = Client(HTTP_HOST="vigie.example.org")
page = client.get("/", secure=True)
again = client.get("/", secure=True)
api = client.get("/api/v1/openapi.json", secure=True)
plain = client.get("/")
api_plain = client.get("/api/v1/openapi.json")
api_plain_token = client.post(
    "/api/v1/auth/logout", HTTP_AUTHORIZATION="Bearer vigie_not-a-real-token"
)
api_secure = client.get("/api/v1/openapi.json", secure=True)
print(json.dumps({
    "page": dict(page.headers), "page_cookies": {k: dict(v) for k, v in page.cookies.items()},
    "again": dict(again.headers), "page_body": page.content.decode(),
    "api": dict(api.headers), "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "api_plain": [
        {"status": r.status_code, "location": r.get("Location"),
         "type": r.get("Content-Type"), "body": r.content.decode()}
        for r in (api_plain, api_plain_token)
    ],
    "api_secure_status": api_secure.status_code,
}))
"""


VAPID = new_key_pair()


def production_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("VIGIE_", "DATABASE_URL", "REDIS_URL", "PYTEST"))
    }
    environment.update(
        VIGIE_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        VIGIE_FIELD_KEYS=Fernet.generate_key().decode(),
        VIGIE_FINGERPRINT_KEY=secrets.token_urlsafe(32),
        VIGIE_MONETICO_KEY=secrets.token_hex(20).upper(),
        VIGIE_SELLER_NAME="Vigie SAS",
        VIGIE_SELLER_SIRET="12345678900011",
        VIGIE_SELLER_VAT_NUMBER="FR12123456789",
        VIGIE_SELLER_PHONE="+33 1 23 45 67 89",
        VIGIE_PUBLICATION_DIRECTOR="Claire Fontaine",
        VIGIE_HOST_NAME="Hébergeur Exemple SAS",
        VIGIE_HOST_ADDRESS="5 quai des Données, 59100 Roubaix",
        VIGIE_HOST_PHONE="+33 3 20 00 00 00",
        VIGIE_CONTACT_EMAIL="contact@vigie.example.org",
        VIGIE_VAPID_PRIVATE_KEY=VAPID.private_key,
        VIGIE_VAPID_PUBLIC_KEY=VAPID.public_key,
        ALLOWED_HOSTS="vigie.example.org",
        VIGIE_BASE_URL="https://vigie.example.org",
        VIGIE_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="vigie.settings",
    )
    environment.update(extra)
    return environment


def run(code: str, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def production_answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    result = run(PROBE, production_environment(tmp_path_factory.mktemp("prod")))
    assert result.returncode == 0, result.stderr
    answers: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return answers


@pytest.mark.parametrize("kind", ["page", "api"])
def test_it_sends_every_security_header_in_production(
    production_answers: dict[str, dict[str, str]], kind: str
) -> None:
    headers = {name.lower(): value for name, value in production_answers[kind].items()}

    csp = headers["content-security-policy"]
    for directive in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]:
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert headers["strict-transport-security"].startswith("max-age=31536000; includeSubDomains")
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    permissions = headers["permissions-policy"]
    for feature in ["geolocation=()", "camera=()", "microphone=()", "payment=()"]:
        assert feature in permissions


def test_it_uses_a_nonce_that_changes_with_every_response(
    production_answers: dict[str, dict[str, str]],
) -> None:
    first = production_answers["page"]["Content-Security-Policy"]
    second = production_answers["again"]["Content-Security-Policy"]
    nonce = first.split("'nonce-")[1].split("'")[0]

    assert len(nonce) >= 16
    assert nonce not in second
    assert f'nonce="{nonce}"' in str(production_answers["page_body"])


def test_it_redirects_plain_http_to_https(production_answers: dict[str, object]) -> None:
    assert production_answers["plain_status"] == 301
    assert str(production_answers["plain_location"]).startswith("https://")


def test_it_refuses_the_api_over_plain_http_instead_of_redirecting(
    production_answers: dict[str, object],
) -> None:
    """ASVS 4.1.2: only pages are redirected; an API client whose token went in clear
    gets an error it cannot miss, not a redirect it would follow."""
    answers = production_answers["api_plain"]
    assert isinstance(answers, list)
    for answer in answers:
        assert answer["status"] == 403
        assert answer["location"] is None
        assert answer["type"] == "application/json"
        body = json.loads(answer["body"])
        assert body["code"] == "https_required"
        assert body["detail"]
    assert production_answers["api_secure_status"] == 200


def test_it_marks_cookies_secure_and_host_prefixed(
    production_answers: dict[str, dict[str, dict[str, object]]],
) -> None:
    cookies = production_answers["page_cookies"]
    assert cookies, "the page sets its CSRF cookie"
    for name, attributes in cookies.items():
        assert name.startswith("__Host-")
        assert attributes["secure"]
        assert attributes["httponly"]
        assert attributes["samesite"] == "Lax"


def test_it_passes_the_deployment_check_without_a_warning(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set"),
        ({"VIGIE_DEBUG": "true"}, "VIGIE_DEBUG cannot be true"),
        ({"VIGIE_FIELD_KEYS": ""}, "VIGIE_FIELD_KEYS must be set"),
        ({"VIGIE_FIELD_ENCRYPTION_KEYS": "old"}, "now called VIGIE_FIELD_KEYS"),
        ({"VIGIE_PUBLICATION_DIRECTOR": ""}, "the legal notice states who publishes"),
        ({"VIGIE_HOST_NAME": ""}, "the legal notice states who publishes"),
        ({"VIGIE_CONTACT_EMAIL": "contact@vigie.test"}, "an address that works"),
        ({"VIGIE_PRIVACY_CONTACT_EMAIL": "dpo@vigie.test"}, "an address that works"),
        # ASVS 12.3.1: no connection to another machine in clear.
        ({"EMAIL_HOST": "smtp.example.org"}, "EMAIL_HOST is another machine"),
        (
            {"EMAIL_HOST": "smtp.example.org", "EMAIL_USE_TLS": "false"},
            "EMAIL_HOST is another machine",
        ),
        (
            {"DATABASE_URL": "postgres://vigie:Pa55-w0rd@db.example.org:5432/vigie"},
            "DATABASE_URL points to another machine without TLS",
        ),
        (
            {"DATABASE_URL": "postgres://vigie:Pa55-w0rd@10.0.0.5/vigie?sslmode=prefer"},
            "DATABASE_URL points to another machine without TLS",
        ),
        (
            {"REDIS_URL": "redis://:Pa55-w0rd@cache.example.org:6379/0"},
            "REDIS_URL points to another machine without TLS",
        ),
        (
            {"REDIS_URL": "rediss://cache-1.example.org:6380/0,redis://cache-2.example.org/0"},
            "REDIS_URL points to another machine without TLS",
        ),
    ],
)
def test_it_refuses_to_start_in_production_without_safe_settings(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    result = run("import django; django.setup()", production_environment(tmp_path, **change))

    assert result.returncode != 0
    assert message in result.stderr
    assert "Pa55-w0rd" not in result.stderr  # never the URL's password


@pytest.mark.parametrize(
    "change",
    [
        # Encrypted, or never leaving the machine.
        {"EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "587", "EMAIL_USE_TLS": "true"},
        {"EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "465", "EMAIL_USE_SSL": "true"},
        {"EMAIL_HOST": "127.0.0.1"},
        {"DATABASE_URL": "postgres://vigie:Pa55-w0rd@db.example.org/vigie?sslmode=verify-full"},
        {"DATABASE_URL": "postgres://vigie:Pa55-w0rd@db.example.org/vigie?sslmode=require"},
        {"DATABASE_URL": "postgres://vigie@127.0.0.1:5432/vigie"},
        {"DATABASE_URL": "postgres://vigie@%2Frun%2Fpostgresql/vigie"},
        {"DATABASE_URL": "postgres:///vigie"},
        {"REDIS_URL": "rediss://:Pa55-w0rd@cache.example.org:6380/0"},
        {"REDIS_URL": "redis://127.0.0.1:6379/0"},
        {"REDIS_URL": "unix:///run/redis/redis.sock"},
    ],
)
def test_it_starts_in_production_with_encrypted_or_local_backends(
    tmp_path: Path, change: dict[str, str]
) -> None:
    result = run("import django; django.setup()", production_environment(tmp_path, **change))

    assert result.returncode == 0, result.stderr
