"""Writers for neighbourhoods and memberships."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vigie.accounts.models import User
from vigie.addresses.models import Address
from vigie.audit import events as audit
from vigie.communities import caching
from vigie.communities.models import (
    NAME_MAX_LENGTH,
    Community,
    CommunityKind,
    Membership,
    MembershipState,
    NeighbourhoodRequest,
    RequestStatus,
    Role,
)
from vigie.lib.errors import Conflict, InvalidInput
from vigie.lib.validators import clean_multiline, clean_single_line
from vigie.privacy.consents import record_consent
from vigie.privacy.models import ConsentKind

# Two neighbourhoods may share an edge, never ground: past this overlap, refused.
OVERLAP_TOLERANCE_M2 = 1.0
_CURRENT = [MembershipState.ACTIVE, MembershipState.SUSPENDED]


def _clean_name(value: str) -> str:
    try:
        return clean_single_line(value, max_length=NAME_MAX_LENGTH)
    except ValidationError as error:
        raise InvalidInput({"name": error.messages}) from None


def _commune_community(insee_code: str, commune_name: str) -> Community:
    community, _created = Community.objects.get_or_create(
        kind=CommunityKind.COMMUNE,
        insee_code=insee_code,
        defaults={"name": commune_name, "commune_name": commune_name},
    )
    return community


@transaction.atomic
def do_create_neighbourhood(
    *,
    name: str,
    insee_code: str,
    commune_name: str,
    boundary: str,
    acting_user: User,
    request: NeighbourhoodRequest | None = None,
) -> Community:
    """Draw a neighbourhood; residents of the commune waiting inside it join at once.

    Neighbourhoods never overlap (sharing an edge is fine): an address lies in
    at most one, so placement is never ambiguous.
    """
    # shapely and numpy load with the first boundary drawn, not in every web worker.
    from vigie.communities import geometry
    from vigie.communities.placement import current_index

    clean_name = _clean_name(name)
    if not (len(insee_code) == 5 and insee_code.replace("A", "0").replace("B", "0").isdigit()):
        raise InvalidInput({"insee_code": [_("An INSEE code has 5 characters, like 99101.")]})
    checked = geometry.parse_boundary(boundary)
    for other_id, other in current_index().intersecting(checked.geometry):
        shared = geometry.area_m2(other.intersection(checked.geometry))
        if shared > OVERLAP_TOLERANCE_M2:
            name_of_other = Community.objects.get(pk=other_id).name
            raise InvalidInput(
                {
                    "boundary": [
                        _("This boundary overlaps the neighbourhood “%(name)s” (%(area).0f m²).")
                        % {"name": name_of_other, "area": shared}
                    ]
                },
                code="overlap",
            )
    parent = _commune_community(insee_code, commune_name)
    west, south, east, north = checked.bbox
    community = Community.objects.create(
        kind=CommunityKind.NEIGHBOURHOOD,
        name=clean_name,
        insee_code=insee_code,
        commune_name=commune_name,
        parent=parent,
        boundary=checked.geojson,
        west=west,
        south=south,
        east=east,
        north=north,
        area_m2=checked.area_m2,
        created_by=acting_user,
    )
    audit.neighbourhood_created(community, actor_id=acting_user.pk)
    if request is not None:
        request.status = RequestStatus.APPROVED
        request.decided_at = timezone.now()
        request.decided_by = acting_user
        request.community = community
        request.save(update_fields=["status", "decided_at", "decided_by", "community"])
    _place_waiting_residents(community, acting_user=acting_user)
    return community


def _place_waiting_residents(community: Community, *, acting_user: User) -> int:
    from vigie.communities import geometry

    shape = geometry.load(community.boundary)
    placed = 0
    waiting = Address.objects.select_related("user").filter(
        insee_code=community.insee_code, moved_out_at__isnull=True, verified_at__isnull=False
    )
    for address in waiting:
        point = address.coordinates
        if point is None or not shape.covers(geometry.point(*point)):
            continue
        if _join(address.user, community, address=address, acting_user=acting_user):
            placed += 1
    return placed


def _join(
    user: User, community: Community, *, address: Address, acting_user: User
) -> Membership | None:
    if Membership.objects.filter(user=user, community=community, state__in=_CURRENT).exists():
        return None
    # A member suspended anywhere stays suspended in a newly joined community.
    suspended = (
        Membership.objects.filter(user=user, state=MembershipState.SUSPENDED)
        .values_list("suspended_until", flat=True)
        .first()
    )
    membership = Membership.objects.create(
        user=user,
        community=community,
        address=address,
        state=MembershipState.SUSPENDED if suspended is not None else MembershipState.ACTIVE,
        suspended_until=suspended,
    )
    audit.membership_started(membership, actor_id=acting_user.pk)
    return membership


@transaction.atomic
def do_place_resident(address: Address, *, acting_user: User) -> list[Membership]:
    """A verified home joins its commune's community and, if drawn, its neighbourhood."""
    if address.verified_at is None or address.moved_out_at is not None or not address.insee_code:
        return []
    joined = []
    commune = _commune_community(address.insee_code, address.commune)
    if membership := _join(address.user, commune, address=address, acting_user=acting_user):
        joined.append(membership)
    point = address.coordinates
    from vigie.communities.placement import current_index  # shapely: on first use

    neighbourhood_id = current_index().neighbourhood_at(*point) if point else None
    if neighbourhood_id is not None:
        neighbourhood = Community.objects.get(pk=neighbourhood_id)
        if membership := _join(
            address.user, neighbourhood, address=address, acting_user=acting_user
        ):
            joined.append(membership)
    return joined


@transaction.atomic
def do_end_memberships(user: User, *, reason: str, acting_user: User) -> int:
    """Moving home or closing the account: every current membership ends."""
    memberships = list(Membership.objects.filter(user=user, state__in=_CURRENT))
    now = timezone.now()
    for membership in memberships:
        membership.state = MembershipState.LEFT
        membership.left_at = now
        membership.save(update_fields=["state", "left_at"])
        audit.membership_ended(membership, actor_id=acting_user.pk, reason=reason)
    return len(memberships)


@transaction.atomic
def do_leave_community(membership: Membership, *, acting_user: User) -> Membership:
    if membership.state == MembershipState.SUSPENDED:
        # Leaving must not be a way out of a suspension.
        raise Conflict(_("You cannot leave while suspended."), code="suspended")
    membership.state = MembershipState.LEFT
    membership.left_at = timezone.now()
    membership.save(update_fields=["state", "left_at"])
    audit.membership_ended(membership, actor_id=acting_user.pk, reason="left")
    return membership


@transaction.atomic
def do_rejoin(user: User, *, acting_user: User) -> list[Membership]:
    """Come back to the communities one's verified home belongs to."""
    address = Address.objects.filter(
        user=user, moved_out_at__isnull=True, verified_at__isnull=False
    ).first()
    if address is None:
        raise Conflict(_("Your address must be verified first."), code="not_verified")
    return do_place_resident(address, acting_user=acting_user)


@transaction.atomic
def do_set_role(membership: Membership, *, role: Role, acting_user: User) -> Membership:
    if membership.role != role:
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit.membership_role_changed(membership, actor_id=acting_user.pk, previous=previous)
    return membership


@transaction.atomic
def do_suspend_member(user: User, *, until: datetime | None, acting_user: User) -> int:
    """A suspended member reads but cannot write, in every community (set by moderation)."""
    suspended = Membership.objects.filter(user=user, state__in=_CURRENT)
    communities = list(suspended.values_list("community_id", flat=True))
    count = suspended.update(state=MembershipState.SUSPENDED, suspended_until=until)
    caching.memberships_changed(user_ids=[user.pk], community_ids=communities)
    audit.member_suspended(user, actor_id=acting_user.pk, until=until)
    return count


@transaction.atomic
def do_lift_suspension(user: User, *, acting_user: User | None) -> int:
    """No acting user: the suspension's time is over."""
    suspended = Membership.objects.filter(user=user, state=MembershipState.SUSPENDED)
    communities = list(suspended.values_list("community_id", flat=True))
    count = suspended.update(state=MembershipState.ACTIVE, suspended_until=None)
    caching.memberships_changed(user_ids=[user.pk], community_ids=communities)
    audit.member_suspension_lifted(user, actor_id=acting_user.pk if acting_user else None)
    return count


def retention_choices() -> list[int]:
    """What a neighbourhood may choose: shorter than the platform's rule, never longer."""
    return list(range(1, settings.RETENTION["content_months"]))


@transaction.atomic
def do_set_content_retention(
    community: Community, *, months: int | None, acting_user: User
) -> Community:
    """Keep the community's posts and alerts for fewer months than the default (None: default)."""
    if months is not None and months not in retention_choices():
        raise InvalidInput(
            {
                "months": [
                    _("Choose between 1 and %(limit)s months, or the default.")
                    % {"limit": settings.RETENTION["content_months"] - 1}
                ]
            }
        )
    if community.content_retention_months != months:
        previous = community.content_retention_months
        community.content_retention_months = months
        community.save(update_fields=["content_retention_months"])
        audit.content_retention_changed(
            community, actor_id=acting_user.pk, previous=previous, months=months
        )
    return community


@transaction.atomic
def do_set_directory_listing(membership: Membership, *, listed: bool) -> Membership:
    if membership.listed_in_directory != listed:
        membership.listed_in_directory = listed
        membership.save(update_fields=["listed_in_directory"])
    still_listed = Membership.objects.filter(
        user_id=membership.user_id, listed_in_directory=True
    ).exclude(state=MembershipState.LEFT)
    record_consent(membership.user, ConsentKind.DIRECTORY, given=still_listed.exists())
    return membership


@transaction.atomic
def do_request_neighbourhood(user: User, *, name: str, description: str) -> NeighbourhoodRequest:
    address = Address.objects.filter(
        user=user, moved_out_at__isnull=True, verified_at__isnull=False
    ).first()
    if address is None or not address.insee_code:
        raise Conflict(_("Your address must be verified first."), code="not_verified")
    point = address.coordinates
    from vigie.communities.placement import current_index  # shapely: on first use

    if point and current_index().neighbourhood_at(*point) is not None:
        raise Conflict(_("Your address already lies in a neighbourhood."), code="already_placed")
    if NeighbourhoodRequest.objects.filter(
        requested_by=user, status=RequestStatus.PENDING
    ).exists():
        raise Conflict(_("You already have a request waiting."), code="request_pending")
    clean_name = _clean_name(name)
    try:
        clean_description = clean_multiline(description, max_length=1000, required=False)
    except ValidationError as error:
        raise InvalidInput({"description": error.messages}) from None
    request = NeighbourhoodRequest.objects.create(
        requested_by=user,
        insee_code=address.insee_code,
        commune_name=address.commune,
        name=clean_name,
        description=clean_description,
    )
    audit.neighbourhood_requested(request)
    return request


@transaction.atomic
def do_reject_neighbourhood_request(
    request: NeighbourhoodRequest, *, acting_user: User
) -> NeighbourhoodRequest:
    request.status = RequestStatus.REJECTED
    request.decided_at = timezone.now()
    request.decided_by = acting_user
    request.save(update_fields=["status", "decided_at", "decided_by"])
    audit.neighbourhood_request_rejected(request, actor_id=acting_user.pk)
    return request
