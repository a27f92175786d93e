"""The record of processing activities (GDPR art. 30), written from the registry.

``manage.py privacy_register`` writes it to docs/registre-des-traitements.md, in
French, the language the CNIL reads; a test fails when the committed file is
not what the registry says today.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from vigie.lib.crypto import encrypted_columns
from vigie.privacy.legal import map_tile_origin
from vigie.privacy.registry import Holding, Purpose, holdings, purposes

REGISTER_PATH = Path(settings.BASE_DIR) / "docs" / "registre-des-traitements.md"


def _security_measures() -> list[str]:
    encrypted = sorted(
        f"`{model._meta.label}.{name}`" for model, names in encrypted_columns() for name in names
    )
    origin = map_tile_origin()
    if origin:
        served = _(
            "HTTPS only (HSTS), a strict Content-Security-Policy; map tiles alone come from "
            "another site, %(origin)s, which sees the visitor's IP address."
        ) % {"origin": origin}
    else:
        served = _(
            "HTTPS only (HSTS), a strict Content-Security-Policy, no resource from another site."
        )
    return [
        served,
        _("Passwords hashed with Argon2id, the CNIL's password policy, sign-in limits."),
        _("A second factor required for the team and town hall agents."),
        _("Encrypted at rest, with keys kept outside the database: %(fields)s.")
        % {"fields": ", ".join(encrypted)},
        _("Activation codes, recovery codes and tokens stored as hashes only."),
        _(
            "Every read on a person's behalf goes through one access layer; another "
            "neighbourhood's content answers as if it did not exist."
        ),
        _("An append-only, hash-chained audit log of every change."),
        _("Card payments on the bank's own page only: no card data ever reaches Vigie."),
        _("Retention periods applied every day by an automatic purge."),
    ]


def _labelled(label: str, value: object) -> str:
    return f"- **{label}** : {value}"


def _purpose_section(number: int, found: Purpose, rows: list[Holding]) -> list[str]:
    recipients = " ; ".join(str(recipient) for recipient in found.recipients)
    lines = [
        f"## {number}. {found.name}",
        "",
        _labelled(_("Legal basis"), found.basis.value),
        _labelled(_("People concerned"), found.people),
        _labelled(_("Recipients"), recipients),
    ]
    if found.joint_controller is not None:
        lines.append(_labelled(_("Joint controller"), found.joint_controller))
    header = " | ".join((_("Data"), _("Where"), _("Kept")))
    lines += [
        _labelled(_("Transfers outside the European Union"), _("none")),
        "",
        f"| {header} |",
        "|---|---|---|",
    ]
    lines += [
        f"| {holding.category} | `{holding.model}` | {holding.retention.describe()} |"
        for holding in rows
    ]
    return [*lines, ""]


def render_register() -> str:
    with translation.override("fr"):
        title = _("Record of processing activities")
        controller = _("Controller")
        contact = _("Contact for personal data")
        measures = _("Security measures (art. 32)")
        lines = [
            f"# {title}",
            "",
            _(
                "Written by `python manage.py privacy_register` from "
                "vigie/privacy/declarations.py: do not edit by hand."
            ),
            "",
            f"## {controller}",
            "",
            f"- {settings.SELLER_NAME}, {settings.SELLER_LEGAL_FORM}",
            f"- {settings.SELLER_ADDRESS}",
            f"- SIRET {settings.SELLER_SIRET}",
            f"- {contact} : {settings.PRIVACY_CONTACT_EMAIL}",
            "",
        ]
        every_holding = list(holdings())
        for number, found in enumerate(purposes(), start=1):
            rows = [holding for holding in every_holding if holding.purpose == found.code]
            lines += _purpose_section(number, found, rows)
        lines += [f"## {measures}", ""]
        lines += [f"- {measure}" for measure in _security_measures()]
        return "\n".join(lines) + "\n"
