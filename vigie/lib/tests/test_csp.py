from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def nonces(client: Client) -> tuple[str, set[str]]:
    response = client.get("/connexion/")
    header = response["Content-Security-Policy"]
    in_header = re.search(r"'nonce-([^']+)'", header)
    assert in_header is not None
    return in_header.group(1), set(re.findall(r'nonce="([^"]+)"', response.content.decode()))


def test_it_puts_each_pages_own_nonce_in_its_policy(client: Client) -> None:
    first, first_in_page = nonces(client)
    second, second_in_page = nonces(client)

    assert first_in_page == {first}
    assert second_in_page == {second}
    assert first != second
    assert len(first) >= 22  # 16 random bytes


def test_it_sends_the_policy_without_a_nonce_when_the_page_has_no_script(
    client: Client,
) -> None:
    header = client.get("/healthz")["Content-Security-Policy"]

    assert "nonce-" not in header
    assert "default-src 'self'" in header
    assert "frame-ancestors 'none'" in header
