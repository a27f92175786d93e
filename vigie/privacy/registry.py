"""The personal-data registry: what Vigie holds about people, why, and for how long.

Every model is declared here once (in ``declarations.py``): either the
personal data it holds — whose it is, which fields, for which purpose and
legal basis, how long, and what erasure does to it — or why it holds none.
Export, erasure, the retention purge, the record of processing and the
privacy policy are all read from these declarations, so adding a model
without declaring it fails a test, and declaring it is enough for the
person's export and erasure to cover it.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class LegalBasis(enum.Enum):
    """GDPR art. 6(1): each purpose rests on exactly one."""

    CONSENT = _("consent (art. 6(1)(a))")
    CONTRACT = _("performance of the terms of use the person accepted (art. 6(1)(b))")
    LEGAL_OBLIGATION = _("a legal obligation (art. 6(1)(c))")
    LEGITIMATE_INTEREST = _("legitimate interest (art. 6(1)(f))")


class Erasure(enum.Enum):
    """What "delete my account" does to a declared row."""

    DELETE = "delete"
    # The person's posts, comments and alerts: deleted, or kept under "former neighbour"
    # as the person chooses.
    CONTRIBUTION = "contribution"
    # Records others rely on (moderation, billing): kept, pointing at the account's
    # pseudonymous remains, with nothing left in them that names the person.
    PSEUDONYMISE = "pseudonymise"
    # The account row itself: its personal fields are emptied, the row stays as the
    # pseudonym the kept records point at.
    SCRUB = "scrub"


@dataclass(frozen=True)
class Purpose:
    code: str
    name: Promise
    basis: LegalBasis
    people: Promise  # the categories of people concerned
    recipients: tuple[Promise, ...]
    # Town halls decide with us what official messages and counter checks are for.
    joint_controller: Promise | None = None


@dataclass(frozen=True)
class Retention:
    """How long rows live. ``rule`` names the purge rule that applies it (retention.py);
    none means the rows live as long as the account and go with its erasure.

    ``text`` may use the values of ``settings.RETENTION`` as %(name)s placeholders.
    """

    text: Promise
    rule: str | None = None

    def describe(self) -> str:
        return str(self.text) % settings.RETENTION


@dataclass(frozen=True)
class Holding:
    """One model's personal data."""

    model: str  # "app_label.ModelName"
    purpose: str  # a Purpose code
    category: Promise  # the category of data, for the record of processing
    # The path from a row to the person it is about ("" for the account itself);
    # None when rows belong to no one in particular (they are then not exported).
    owner: str | None
    fields: tuple[str, ...]  # the personal fields, exported as they are
    retention: Retention
    erasure: Erasure
    # Links to other people acting on the row (the moderator, the agent): erasing one
    # of them keeps the row, pointing at their pseudonymous account.
    actors: tuple[str, ...] = ()
    # Fields that are personal but never exported: secrets (hashes, keys) and
    # keyed fingerprints, useless to the person and dangerous to hand out.
    withheld: tuple[str, ...] = ()
    # Columns that say nothing about the person (flags, counters, the row's mechanics).
    not_personal: tuple[str, ...] = ()
    # File fields whose files go with the rows.
    files: tuple[str, ...] = ()
    note: str = ""  # for reviewers; not shown to users

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


@dataclass(frozen=True)
class NoPersonalData:
    model: str
    reason: str  # for reviewers: why nothing here is about a person
    # Fields that look personal (a name, an e-mail) but are not a person's.
    reviewed: tuple[str, ...] = field(default=())


Declaration = Holding | NoPersonalData


def declarations() -> tuple[Declaration, ...]:
    from vigie.privacy.declarations import DECLARATIONS

    return DECLARATIONS


def purposes() -> tuple[Purpose, ...]:
    from vigie.privacy.declarations import PURPOSES

    return PURPOSES


def holdings() -> Iterator[Holding]:
    return (found for found in declarations() if isinstance(found, Holding))


def purpose(code: str) -> Purpose:
    return next(found for found in purposes() if found.code == code)


def declaration_of(model: type[models.Model]) -> Declaration | None:
    label = model._meta.label
    return next((found for found in declarations() if found.model == label), None)


def holdings_owned_by_a_person() -> Iterator[Holding]:
    return (found for found in holdings() if found.owner is not None)


def owner_filter(holding: Holding, user_id: int) -> dict[str, int]:
    """The queryset filter for the rows of ``holding`` about one person."""
    if holding.owner is None:
        raise ValueError(f"{holding.model} has no owner")
    return {"pk" if holding.owner == "" else f"{holding.owner}_id": user_id}


def _user_model() -> type[models.Model]:
    return apps.get_model(settings.AUTH_USER_MODEL)


def _links_to_people(model: type[models.Model]) -> set[str]:
    user = _user_model()
    return {
        found.name
        for found in model._meta.get_fields()
        if (found.concrete or found.many_to_many)
        and found.is_relation
        and found.related_model is user
        and not found.auto_created
    }


def _resolves_to_a_person(model: type[models.Model], path: str) -> bool:
    if path == "":
        return model is _user_model()
    current: type[models.Model] = model
    for step in path.split("__"):
        try:
            found = current._meta.get_field(step)
        except Exception:
            try:
                current._meta.get_field(f"{step}_id")
            except Exception:
                return False
            return True  # a plain id column, kept apart from the account on purpose
        if not found.is_relation or found.related_model is None:
            return False
        current = found.related_model
    return current is _user_model()


# Field names that suggest a person even in a model declared as holding none.
_PERSONAL_LOOKING = ("email", "phone", "ip_address", "name", "address", "street", "number")
_PERSONAL_TYPES = ("EmailField", "GenericIPAddressField", "EncryptedTextField")


def problems() -> list[str]:
    """What is wrong with the declarations; the registry test lists them all."""
    found_problems: list[str] = []
    declared: dict[str, Declaration] = {}
    for declaration in declarations():
        if declaration.model in declared:
            found_problems.append(f"{declaration.model} is declared twice")
        declared[declaration.model] = declaration
    every_model = {model._meta.label: model for model in apps.get_models()}
    for label in sorted(set(declared) - set(every_model)):
        found_problems.append(f"{label} is declared but is not an installed model")
    for label, model in sorted(every_model.items()):
        found = declared.get(label)
        if found is None:
            found_problems.append(f"{label} has no declaration in vigie/privacy/declarations.py")
        elif isinstance(found, Holding):
            found_problems.extend(_holding_problems(found, model))
        else:
            found_problems.extend(_no_personal_data_problems(found, model))
    return found_problems


def _holding_problems(holding: Holding, model: type[models.Model]) -> list[str]:
    label = holding.model
    found_problems: list[str] = []
    if holding.purpose not in {found.code for found in purposes()}:
        found_problems.append(f"{label}: unknown purpose {holding.purpose!r}")
    if holding.owner is not None and not _resolves_to_a_person(model, holding.owner):
        found_problems.append(f"{label}: owner {holding.owner!r} does not lead to an account")
    names = {
        found.name for found in model._meta.get_fields() if found.concrete or found.many_to_many
    }
    listed = [
        *holding.fields,
        *holding.withheld,
        *holding.not_personal,
        *holding.actors,
        *holding.files,
    ]
    for name in sorted(set(listed) - names):
        found_problems.append(f"{label}: no field named {name!r}")
    owner_field = (holding.owner or "").split("__")[0]
    for name in sorted(_links_to_people(model) - {owner_field, *holding.actors}):
        found_problems.append(
            f"{label}.{name} links to an account: name it as the owner or among the actors"
        )
    # Every column is classified, so a new field gets a decision, not a default.
    other_rows = {
        found.name
        for found in model._meta.get_fields()
        if found.concrete and found.is_relation and found.related_model is not _user_model()
    }
    primary_key = model._meta.pk.name if model._meta.pk else "id"
    unclassified = (
        names
        - set(listed)
        - other_rows
        - _links_to_people(model)  # named above when left out
        - {primary_key, owner_field, f"{owner_field}_id"}
    )
    for name in sorted(unclassified):
        found_problems.append(
            f"{label}.{name} is not classified: list it in fields, withheld or not_personal"
        )
    return found_problems


def _no_personal_data_problems(declaration: NoPersonalData, model: type[models.Model]) -> list[str]:
    label = declaration.model
    found_problems = [
        f"{label}.{name} links to an account: declare the model as a Holding"
        for name in sorted(_links_to_people(model))
    ]
    for found in model._meta.get_fields():
        if not found.concrete or found.name in declaration.reviewed:
            continue
        looks_personal = type(found).__name__ in _PERSONAL_TYPES or any(
            word in found.name for word in _PERSONAL_LOOKING
        )
        if looks_personal:
            found_problems.append(
                f"{label}.{found.name} looks personal: declare the model as a Holding, "
                "or list the field as reviewed with the reason"
            )
    return found_problems
