"""HTTP hygiene the OWASP ASVS asks for and no feature test covers (docs/security.md)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings

from vigie.lib.http import client_ip

pytestmark = pytest.mark.django_db

PAGES = ["/", "/connexion/", "/api/v1/openapi.json"]


def test_it_sends_no_cors_header_whatever_the_origin(client: Client) -> None:
    for path in PAGES:
        response = client.get(path, HTTP_ORIGIN="https://evil.example")
        assert "Access-Control-Allow-Origin" not in response, path
        assert "Access-Control-Allow-Credentials" not in response, path


def test_it_refuses_the_trace_method(client: Client) -> None:
    for path in PAGES:
        for method in ("TRACE", "CONNECT", "PROPFIND"):
            response = client.generic(method, path)
            assert response.status_code == 405, (path, method, response.status_code)


def test_it_names_the_charset_of_every_text_answer(client: Client) -> None:
    # text/* carries its charset; application/json has none to carry (RFC 8259: UTF-8).
    for path in PAGES:
        content_type = client.get(path)["Content-Type"].lower()
        if content_type.startswith("text/"):
            assert "charset=utf-8" in content_type, (path, content_type)
        else:
            assert content_type.split(";")[0] == "application/json", (path, content_type)


def test_it_serves_no_source_control_folder_and_no_listing(client: Client) -> None:
    for path in ["/.git/", "/.git/HEAD", "/.git/config", "/static/", "/media/"]:
        assert client.get(path).status_code == 404, path


def test_it_believes_only_the_proxys_own_hop_of_x_forwarded_for() -> None:
    factory = RequestFactory()
    forged = factory.get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7"
    )
    with override_settings(TRUST_PROXY_HEADERS=True):
        assert client_ip(forged) == "198.51.100.7"
    with override_settings(TRUST_PROXY_HEADERS=False):
        assert client_ip(forged) == "10.0.0.1"
    garbage = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    with override_settings(TRUST_PROXY_HEADERS=True):
        assert client_ip(garbage) is None
