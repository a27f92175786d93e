"""French postal addresses: the national reference (BAN) and people's home addresses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.lib.crypto import EncryptedTextField


class BanAddress(models.Model):
    """One row of the Base Adresse Nationale, imported by ``manage.py import_ban``.

    Public open data: nothing personal, kept in clear for search.
    """

    ban_id = models.CharField(max_length=64, unique=True)
    number = models.PositiveIntegerField()
    suffix = models.CharField(max_length=16, blank=True)
    street = models.CharField(max_length=200)
    street_postal = models.CharField(max_length=64, blank=True)  # BAN's nom_afnor
    postcode = models.CharField(max_length=5, db_index=True)
    insee_code = models.CharField(max_length=5, db_index=True)
    commune = models.CharField(max_length=100)
    delivery_name = models.CharField(max_length=100, blank=True)  # libelle_acheminement
    longitude = models.FloatField()
    latitude = models.FloatField()
    search_text = models.CharField(max_length=400, db_index=True)

    class Meta:
        verbose_name = _("reference address")
        verbose_name_plural = _("reference addresses")
        indexes = [models.Index(fields=["insee_code", "street", "number"])]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        number = f"{self.number} {self.suffix}".strip()
        return f"{number} {self.street}, {self.postcode} {self.commune}"


class AddressSource(models.TextChoices):
    REFERENCE = "reference", _("chosen from the national address base")
    MANUAL = "manual", _("entered by hand")


class VerificationMethod(models.TextChoices):
    LETTER = "letter", _("code sent by letter")
    COUNTER = "counter", _("proof of residence seen at the town hall")
    STAFF = "staff", _("checked by the Vigie team")


class Address(models.Model):
    """A person's home address, encrypted at rest except for the commune.

    An account has one current address (``moved_out_at`` empty); moving ends it
    and starts a new, unverified one.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses"
    )
    number = EncryptedTextField(_("number"), blank=True)
    suffix = EncryptedTextField(_("suffix"), blank=True)
    street = EncryptedTextField(_("street"))
    complement = EncryptedTextField(_("complement"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=5)
    commune = models.CharField(_("commune"), max_length=100)
    insee_code = models.CharField(_("INSEE code"), max_length=5, blank=True, db_index=True)
    delivery_name = models.CharField(max_length=100, blank=True)
    ban_id = EncryptedTextField(_("BAN id"), blank=True)
    longitude = EncryptedTextField(blank=True)
    latitude = EncryptedTextField(blank=True)
    # Keyed hashes of the normalised address, flat included and left out:
    # "how many letters to this home, to this building?"
    fingerprint = models.CharField(max_length=64, db_index=True)
    building_fingerprint = models.CharField(max_length=64, db_index=True)
    source = models.CharField(max_length=10, choices=AddressSource.choices)
    needs_review = models.BooleanField(_("needs a person's check"), default=False)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    moved_out_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verification_method = models.CharField(
        max_length=10, choices=VerificationMethod.choices, blank=True
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("home address")
        verbose_name_plural = _("home addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(moved_out_at__isnull=True),
                name="one_current_address_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"address #{self.pk}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def street_line(self) -> str:
        number = f"{self.number} {self.suffix}".strip()
        return f"{number} {self.street}".strip()

    @property
    def coordinates(self) -> tuple[float, float] | None:
        if not self.longitude or not self.latitude:
            return None
        return float(self.longitude), float(self.latitude)
