"""Fault drills that are cheap enough to be tests (bench/faults/README.md lists them all)."""

from __future__ import annotations

import pytest

from bench.faults.spool_full import drill
from vigie.test import Personas
from vigie.verification.actions import do_request_letter
from vigie.verification.models import LetterReason

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("address_reference")]


def test_it_keeps_letters_queued_while_the_spool_disk_is_full_and_sends_them_after(
    personas: Personas,
) -> None:
    do_request_letter(personas.bob, reason=LetterReason.NEW_LETTER, acting_user=personas.bob)

    # More runs on a full disk than a letter's attempt limit (6): none may fail for good.
    report = drill(rounds=8)

    assert report.letters == 1
    assert report.failures == []
