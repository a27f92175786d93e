"""Neighbourhoods (and the commune-wide community above them) and their members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.addresses.models import Address

NAME_MAX_LENGTH = 80


class CommunityKind(models.TextChoices):
    NEIGHBOURHOOD = "neighbourhood", _("neighbourhood")
    COMMUNE = "commune", _("whole commune")


class Community(models.Model):
    """A neighbourhood drawn on the map, or the community of a whole commune.

    Every neighbourhood has a commune-wide community above it (``parent``);
    a verified resident belongs to both.
    """

    kind = models.CharField(max_length=16, choices=CommunityKind.choices)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    insee_code = models.CharField(_("INSEE code"), max_length=5, db_index=True)
    commune_name = models.CharField(_("commune"), max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="neighbourhoods"
    )
    # GeoJSON geometry (WGS84); empty for a commune-wide community.
    boundary = models.TextField(blank=True)
    west = models.FloatField(null=True, blank=True)
    south = models.FloatField(null=True, blank=True)
    east = models.FloatField(null=True, blank=True)
    north = models.FloatField(null=True, blank=True)
    area_m2 = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Months its posts and alerts are kept, when the neighbourhood chose less than the
    # platform's (settings.RETENTION["content_months"]); never more.
    content_retention_months = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        constraints = [
            models.UniqueConstraint(
                fields=["insee_code"],
                condition=models.Q(kind="commune"),
                name="one_commune_community_per_commune",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_neighbourhood(self) -> bool:
        return self.kind == CommunityKind.NEIGHBOURHOOD


class Role(models.TextChoices):
    MEMBER = "member", _("member")
    REFERENT = "referent", _("référent")
    DEPUTY = "deputy", _("deputy référent")


class MembershipState(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    LEFT = "left", _("left")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    # The verified home that opened this membership.
    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(
        max_length=10, choices=MembershipState.choices, default=MembershipState.ACTIVE
    )
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    suspended_until = models.DateTimeField(null=True, blank=True)
    listed_in_directory = models.BooleanField(_("listed in the directory"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "community"],
                condition=~models.Q(state="left"),
                name="one_current_membership_per_community",
            )
        ]
        indexes = [models.Index(fields=["community", "state"])]

    def __str__(self) -> str:
        return f"membership #{self.pk}"

    @property
    def can_write(self) -> bool:
        return self.state == MembershipState.ACTIVE

    @property
    def is_referent(self) -> bool:
        """A référent or a deputy référent: the rules of settings, alerts and reports
        treat both alike."""
        return self.role in (Role.REFERENT, Role.DEPUTY)


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class NeighbourhoodRequest(models.Model):
    """A resident whose address lies in no neighbourhood asks for one; the team decides."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="neighbourhood_requests"
    )
    insee_code = models.CharField(max_length=5)
    commune_name = models.CharField(max_length=100)
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    community = models.ForeignKey(
        Community, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"request #{self.pk}"
