"""Reads on a person's behalf: their communities, and who else is in them.

Only current memberships (active or suspended) open a community; anyone
else, an unverified account included, gets NotFound, as for a community that
does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vigie.accounts.backends import person_family
from vigie.accounts.models import User
from vigie.communities.models import (
    Community,
    CommunityKind,
    Membership,
    MembershipState,
    NeighbourhoodRequest,
    RequestStatus,
)
from vigie.lib import cache
from vigie.lib.errors import Forbidden, NotFound

CURRENT_STATES = [MembershipState.ACTIVE, MembershipState.SUSPENDED]


def members_family(community_id: int) -> str:
    return f"members:{community_id}"


def feed_family(community_id: int) -> str:
    """What a community's feed shows every member (see vigie.posts.access.feed_page)."""
    return f"feed:{community_id}"


def absences_family(community_id: int) -> str:
    """The holiday absences a community's feed shows to each member, apart from the rest:
    a comment or a post elsewhere in the feed leaves every member's absences as they were."""
    return f"absences:{community_id}"


def feed_families(community_id: int) -> tuple[str, str]:
    """Both, for a change that shows in every part of a feed (a name, a role, a membership)."""
    return feed_family(community_id), absences_family(community_id)


def memberships_for(user: object) -> QuerySet[Membership]:
    if not isinstance(user, User) or not user.is_active:
        return Membership.objects.none()
    return (
        Membership.objects.select_related("community")
        .filter(user=user, state__in=CURRENT_STATES)
        .order_by("community__kind", "community__name")
    )


def visible_communities_for(user: object) -> QuerySet[Community]:
    if not isinstance(user, User) or not user.is_active:
        return Community.objects.none()
    return Community.objects.filter(
        memberships__user=user, memberships__state__in=CURRENT_STATES
    ).order_by("kind", "name")


def current_memberships(user: object) -> list[Membership]:
    """As memberships_for, remembered in the person's cache family (bumped on any change)."""
    if not isinstance(user, User) or not user.is_active:
        return []
    return cache.remember(
        person_family(user.pk), lambda: list(memberships_for(user)), detail="memberships"
    )


def membership_in(user: object, community_id: int) -> Membership:
    """The person's current membership of this community, or NotFound; for reading."""
    for membership in current_memberships(user):
        if membership.community_id == community_id:
            # What a community's pages read next, asked for in one round trip.
            cache.prefetch(members_family(community_id), *feed_families(community_id))
            return membership
    raise NotFound()


def membership_to_change(user: object, community_id: int) -> Membership:
    """As membership_in, read from the database: for the actions that change it."""
    membership = memberships_for(user).filter(community_id=community_id).first()
    if membership is None:
        raise NotFound()
    return membership


def access_community(user: object, community_id: int) -> Community:
    return membership_in(user, community_id).community


def writable_membership(user: object, community_id: int) -> Membership:
    """The membership to write with, from the database, so that a suspension counts at once.

    NotFound outside the community; Forbidden for a suspended member: they read, never write.
    """
    membership = membership_to_change(user, community_id)
    if not membership.can_write:
        raise Forbidden(code="suspended")
    if isinstance(user, User) and user.processing_restricted_at is not None:
        # GDPR art. 18: while restricted, the account reads and exports, nothing more.
        raise Forbidden(
            _("Your account's processing is restricted: you cannot publish for now."),
            code="processing_restricted",
        )
    return membership


def referent_membership(user: object, community_id: int) -> Membership:
    """The membership of a référent or deputy, for the community's settings.

    NotFound outside the community, like every read; Forbidden for a plain member.
    """
    membership = writable_membership(user, community_id)
    if not membership.is_referent:
        raise Forbidden(
            _("Only the neighbourhood's référents can change this."), code="not_referent"
        )
    return membership


@dataclass(frozen=True)
class DirectoryEntry:
    member_id: int  # the membership's id: what a holiday absence's author picks
    display_name: str
    role: str
    is_me: bool


def directory_for(user: User, community_id: int) -> list[DirectoryEntry]:
    """The neighbours who chose to be listed, by display name only."""
    membership_in(user, community_id)
    rows = (
        Membership.objects.filter(
            community_id=community_id,
            state=MembershipState.ACTIVE,
            listed_in_directory=True,
            user__processing_restricted_at__isnull=True,
        )
        .select_related("user")
        .order_by("user__display_name")
    )
    return [
        DirectoryEntry(
            member_id=row.pk,
            display_name=row.user.display_name,
            role=row.role,
            is_me=row.user_id == user.pk,
        )
        for row in rows
    ]


# The member count's entry in its family, shared by member_count and feed_page.
MEMBER_COUNT_DETAIL = "count"


def counted_members(community_id: int) -> QuerySet[Membership]:
    """Who a community's member count counts (vigie.posts.access reads it with a feed)."""
    return Membership.objects.filter(community_id=community_id, state__in=CURRENT_STATES)


def member_count(community: Community) -> int:
    # A number: shared as it is, never copied.
    return cache.remember(
        members_family(community.pk),
        lambda: counted_members(community.pk).count(),
        detail=MEMBER_COUNT_DETAIL,
        immutable=True,
    )


def waiting_requests() -> QuerySet[NeighbourhoodRequest]:
    """For the team's page (staff only: the decorator checks)."""
    return NeighbourhoodRequest.objects.filter(status=RequestStatus.PENDING).order_by("created_at")


def neighbourhoods_of_commune(insee_code: str) -> QuerySet[Community]:
    return Community.objects.filter(kind=CommunityKind.NEIGHBOURHOOD, insee_code=insee_code)


def all_neighbourhoods() -> QuerySet[Community]:
    """For the team's page (staff only: the decorator checks)."""
    return Community.objects.filter(kind=CommunityKind.NEIGHBOURHOOD).order_by(
        "commune_name", "name"
    )


@dataclass(frozen=True)
class WaitingHomes:
    insee_code: str
    commune_name: str
    homes: int


def homes_waiting_for_a_neighbourhood() -> list[WaitingHomes]:
    """For the team's page: verified homes that lie in no neighbourhood, counted by commune.

    Counts only, never who or where: drawing a neighbourhood places them all at once.
    """
    from django.db.models import Count, Exists, OuterRef

    from vigie.addresses.models import Address

    placed = Membership.objects.filter(
        address=OuterRef("pk"),
        community__kind=CommunityKind.NEIGHBOURHOOD,
        state__in=CURRENT_STATES,
    )
    rows = (
        Address.objects.filter(verified_at__isnull=False, moved_out_at__isnull=True)
        .exclude(Exists(placed))
        .values("insee_code", "commune")
        .annotate(homes=Count("pk"))
        .order_by("commune", "insee_code")
    )
    return [
        WaitingHomes(insee_code=row["insee_code"], commune_name=row["commune"], homes=row["homes"])
        for row in rows
    ]
