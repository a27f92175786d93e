"""A signed link works only for the purpose it was signed for."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client

from vigie.accounts import links
from vigie.accounts.models import EmailChange
from vigie.lib.security_log import email_digest
from vigie.moderation.tests.test_appeals import removed_post
from vigie.test import Personas

pytestmark = pytest.mark.django_db

APPEAL_SALT = "vigie.moderation.appeal"
PURPOSES = {
    "sign-up": (links.SIGN_UP_CONFIRMATION_SALT, "/lien/confirmer-email/{}/"),
    "email-change": (links.EMAIL_CHANGE_SALT, "/lien/nouvel-email/{}/"),
    "appeal": (APPEAL_SALT, "/lien/recours/{}/"),
}


def follow(link: str) -> int:
    """Open a mailed link in a fresh browser: the status of the page it leads to."""
    client = Client()
    answer = client.get(link)
    if answer.status_code == 302:
        answer = client.get(answer["Location"])
    return answer.status_code


def test_it_opens_each_link_only_with_a_value_signed_for_its_own_purpose(
    personas: Personas,
) -> None:
    _post, decision_id, _hugo = removed_post(personas)
    change = EmailChange.objects.create(user=personas.alice, new_email="alice@new.example")
    # The very payload each link expects, so that only the purpose tells them apart.
    payloads: dict[str, dict[str, object]] = {
        "sign-up": {"user": personas.bob.pk, "email": email_digest(personas.bob.email)},
        "email-change": {"change": change.pk},
        "appeal": {"decision": decision_id},
    }
    everything = {key: value for payload in payloads.values() for key, value in payload.items()}

    for purpose, (salt, link) in PURPOSES.items():
        right = signing.dumps(payloads[purpose], salt=salt)
        assert follow(link.format(right)) == 200, purpose
        for other, (other_salt, _link) in PURPOSES.items():
            if other != purpose:
                wrong = signing.dumps(everything, salt=other_salt)
                assert follow(link.format(wrong)) == 404, (purpose, other)
        unsalted = signing.dumps(everything)
        assert follow(link.format(unsalted)) == 404, purpose


def test_it_refuses_a_real_sign_up_confirmation_on_the_other_links(personas: Personas) -> None:
    token = links.sign_up_confirmation_token(personas.bob)

    assert follow(f"/lien/confirmer-email/{token}/") == 200
    assert follow(f"/lien/nouvel-email/{token}/") == 404
    assert follow(f"/lien/recours/{token}/") == 404
