"""A person's data as a ZIP (GDPR art. 15 and 20), from the registry's declarations.

For each declared holding: ``data/<model>.json`` (every declared field of every
row about the person, as it is stored, addresses and phones in clear) and
``data/<model>.csv``; the photos they posted under ``files/``; and
``index.html``, a summary a person can read without tools. Nothing about
anyone else: only rows whose owner is the person, only declared fields.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vigie.accounts.models import User
from vigie.lib.spreadsheet import safe_cell
from vigie.privacy.registry import Holding, holdings_owned_by_a_person, owner_filter, purpose


@dataclass(frozen=True)
class Section:
    holding: Holding
    rows: list[dict[str, Any]]

    @property
    def file_stem(self) -> str:
        return self.holding.model.lower()


def _value(row: models.Model, field: models.Field[Any, Any]) -> Any:
    value = field.value_from_object(row)
    if isinstance(field, models.FileField):
        return str(value) if value else ""
    if isinstance(field, models.ForeignKey):
        # An id says little to a person: the related row's name goes with it.
        related = getattr(row, field.name)
        return {"id": value, "name": str(related)} if related is not None else None
    return value


def _rows_about(holding: Holding, user: User) -> list[dict[str, Any]]:
    model = holding.model_class
    rows = model._default_manager.filter(**owner_filter(holding, user.pk))
    if holding.model == "audit.AuditEvent":
        # The audit log names a person as its actor or as its target: both are about them.
        rows = model._default_manager.filter(
            models.Q(actor_id=user.pk)
            | models.Q(target_type="accounts.user", target_id=str(user.pk))
        )
    fields = [model._meta.get_field(name) for name in holding.fields]
    related = [found.name for found in fields if isinstance(found, models.ForeignKey)]
    found_rows = [
        {"id": row.pk} | {found.name: _value(row, found) for found in fields}  # type: ignore[arg-type]
        for row in rows.select_related(*related).order_by("pk")
    ]
    if holding.model == "audit.AuditEvent":
        for row in found_rows:
            about_her = row.get("target_type") == "accounts.user" and row.get("target_id") == str(
                user.pk
            )
            if not about_her and "data" in row:
                # What she did to someone else's content (a moderator's edit keeps the
                # author's original words) is the other person's data: when and what only.
                row["data"] = {}
    return found_rows


def collect(user: User) -> list[Section]:
    return [
        Section(holding, _rows_about(holding, user)) for holding in holdings_owned_by_a_person()
    ]


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    key: safe_cell(
                        json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
                        if isinstance(value, dict | list)
                        else value
                    )
                    for key, value in row.items()
                }
            )
    return buffer.getvalue()


def write_archive(user: User, target: Path) -> int:
    """Write the ZIP to ``target``; returns its size in bytes."""
    sections = collect(user)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for section in sections:
            archive.writestr(
                f"data/{section.file_stem}.json",
                json.dumps(section.rows, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            )
            archive.writestr(f"data/{section.file_stem}.csv", _csv(section.rows))
            _add_files(archive, section)
        with translation.override(user.language):
            archive.writestr("index.html", _summary(user, sections))
    return target.stat().st_size


def _add_files(archive: zipfile.ZipFile, section: Section) -> None:
    for field_name in section.holding.files:
        storage = section.holding.model_class._meta.get_field(field_name).storage  # type: ignore[union-attr]
        for row in section.rows:
            name = row.get(field_name)
            if name and storage.exists(name):
                with storage.open(name) as source:
                    archive.writestr(f"files/{name}", source.read())


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict) and set(value) == {"id", "name"}:
        return str(value["name"])
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _verbose_name(model: type[models.Model], name: str) -> str:
    found = model._meta.get_field(name)
    return str(getattr(found, "verbose_name", name))


def _table(section: Section) -> dict[str, Any]:
    model = section.holding.model_class
    return {
        "category": section.holding.category,
        "retention": section.holding.retention.describe(),
        "file_stem": section.file_stem,
        "headers": [_verbose_name(model, name) for name in section.holding.fields],
        "rows": [[_shown(row[name]) for name in section.holding.fields] for row in section.rows],
    }


def _summary(user: User, sections: list[Section]) -> str:
    groups: dict[str, list[dict[str, Any]]] = {}
    for section in sections:
        if section.rows:
            groups.setdefault(section.holding.purpose, []).append(_table(section))
    return render_to_string(
        "privacy/export_summary.html",
        {
            "made_at": timezone.now(),
            "purposes": [
                {"purpose": purpose(code), "tables": found} for code, found in groups.items()
            ],
        },
    )
