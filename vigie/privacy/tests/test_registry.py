from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from vigie.privacy import registry
from vigie.privacy.declarations import DECLARATIONS
from vigie.privacy.register import REGISTER_PATH, render_register
from vigie.privacy.registry import Holding, holdings, problems, purposes


def test_it_has_a_declaration_for_every_model_and_every_field_that_names_a_person() -> None:
    assert problems() == []


def without(label: str) -> tuple[registry.Declaration, ...]:
    return tuple(found for found in DECLARATIONS if found.model != label)


def replaced(label: str, **changes: Any) -> tuple[registry.Declaration, ...]:
    return tuple(
        dataclasses.replace(found, **changes) if found.model == label else found
        for found in DECLARATIONS
    )


def test_it_names_a_model_left_undeclared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "declarations", lambda: without("posts.Comment"))

    assert problems() == ["posts.Comment has no declaration in vigie/privacy/declarations.py"]


def test_it_names_a_link_to_a_person_or_a_column_left_unclassified(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decision = next(found for found in DECLARATIONS if found.model == "moderation.Decision")
    assert isinstance(decision, Holding)
    changed = replaced(
        "moderation.Decision",
        actors=("moderator",),
        fields=tuple(name for name in decision.fields if name != "explanation"),
    )
    monkeypatch.setattr(registry, "declarations", lambda: changed)

    assert problems() == [
        "moderation.Decision.confirmed_by links to an account: name it as the owner or "
        "among the actors",
        "moderation.Decision.explanation is not classified: list it in fields, withheld or "
        "not_personal",
    ]


def test_it_refuses_a_model_said_to_hold_nothing_that_points_at_a_person(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    changed = (
        *without("posts.Comment"),
        registry.NoPersonalData("posts.Comment", "Claimed to hold nothing."),
    )
    monkeypatch.setattr(registry, "declarations", lambda: changed)

    assert problems() == [
        "posts.Comment.author links to an account: declare the model as a Holding"
    ]


def test_it_keeps_the_committed_record_of_processing_current() -> None:
    assert REGISTER_PATH.read_text(encoding="utf-8") == render_register(), (
        "docs/registre-des-traitements.md is out of date: run python manage.py privacy_register"
    )


def test_it_writes_the_record_of_processing_in_french_from_the_registry() -> None:
    text = render_register()

    assert text.startswith("# Registre des activités de traitement")
    with translation.override("en"):
        english = [str(found.name) for found in purposes()]
    with translation.override("fr"):
        french = [str(found.name) for found in purposes()]
    assert all(name in text for name in french)
    assert not any(name in text for name in english)
    assert "Base légale" in text
    assert "`addresses.Address.street`" in text  # the encrypted columns, found in the models
    assert text.count("| `") == len(list(holdings()))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fr", "en"])
def test_it_lists_every_purpose_and_retention_on_the_privacy_policy(language: str) -> None:
    page = Client(headers={"accept-language": language}).get("/confidentialite/")

    assert page.status_code == 200
    text = page.content.decode().replace("&#x27;", "'").lower()
    with translation.override(language):
        for found in purposes():
            assert str(found.name).lower() in text
        for holding in holdings():
            assert holding.retention.describe().lower() in text
