"""What LCEN art. 6-III requires a French site to state about who runs it, from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


@dataclass(frozen=True)
class Publisher:
    name: str
    legal_form: str
    address: str
    phone: str
    siret: str
    rcs: str
    vat_number: str


@dataclass(frozen=True)
class Host:
    name: str
    address: str
    phone: str


@dataclass(frozen=True)
class LegalNotice:
    publisher: Publisher
    publication_director: str
    contact_email: str
    host: Host


def legal_notice() -> LegalNotice:
    # The publisher is the company that invoices the town halls: one identity, stated once.
    return LegalNotice(
        publisher=Publisher(
            name=settings.SELLER_NAME,
            legal_form=settings.SELLER_LEGAL_FORM,
            address=settings.SELLER_ADDRESS,
            phone=settings.SELLER_PHONE,
            siret=settings.SELLER_SIRET,
            rcs=settings.SELLER_RCS,
            vat_number=settings.SELLER_VAT_NUMBER,
        ),
        publication_director=settings.PUBLICATION_DIRECTOR,
        contact_email=settings.CONTACT_EMAIL,
        host=Host(
            name=settings.HOST_NAME, address=settings.HOST_ADDRESS, phone=settings.HOST_PHONE
        ),
    )


def map_tile_origin() -> str:
    """The one other site pages may load from (map tiles), when one is configured."""
    return urlsplit(settings.MAP_TILE_URL).netloc if settings.MAP_TILE_URL else ""
