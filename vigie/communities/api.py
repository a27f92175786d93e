"""/api/v1/communities: my neighbourhoods, their directory, leaving and coming back."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status

from vigie.accounts.models import User
from vigie.api.auth import member_auth
from vigie.api.schemas import ERRORS, Id
from vigie.communities import access, actions
from vigie.communities.models import Community, Membership
from vigie.communities.schemas import (
    CommunityDetailOut,
    CommunityOut,
    ContentRetentionIn,
    DirectoryEntryOut,
    DirectoryListingIn,
    NeighbourhoodRequestIn,
    NeighbourhoodRequestOut,
)

router = Router(tags=["communities"], auth=member_auth)


def _caller(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def community_out(membership: Membership) -> CommunityOut:
    community = membership.community
    return CommunityOut(**_fields(community, membership))


def _fields(community: Community, membership: Membership) -> dict[str, Any]:
    return {
        "id": community.pk,
        "kind": community.kind,
        "name": community.name,
        "commune": community.commune_name,
        "insee_code": community.insee_code,
        "member_count": access.member_count(community),
        "my_role": membership.role,
        "can_write": membership.can_write,
        "listed_in_directory": membership.listed_in_directory,
    }


@router.get("", response={200: list[CommunityOut], **ERRORS}, summary="My communities")
def my_communities(request: HttpRequest) -> list[CommunityOut]:
    """The neighbourhood and the commune-wide community of my verified home."""
    return [
        community_out(membership) for membership in access.current_memberships(_caller(request))
    ]


@router.get("/{int:community_id}", response={200: CommunityDetailOut, **ERRORS})
def community(request: HttpRequest, community_id: Id) -> CommunityDetailOut:
    return community_detail_out(access.membership_in(_caller(request), community_id))


def community_detail_out(membership: Membership) -> CommunityDetailOut:
    found = membership.community
    return CommunityDetailOut(
        **_fields(found, membership),
        boundary=json.loads(found.boundary) if found.boundary else None,
        parent_id=found.parent_id,
        content_retention_months=found.content_retention_months
        or settings.RETENTION["content_months"],
    )


@router.get("/{int:community_id}/directory", response={200: list[DirectoryEntryOut], **ERRORS})
def directory(request: HttpRequest, community_id: Id) -> list[DirectoryEntryOut]:
    """Neighbours who chose to be listed, by display name only."""
    entries = access.directory_for(_caller(request), community_id)
    return [DirectoryEntryOut(**entry.__dict__) for entry in entries]


@router.put("/{int:community_id}/directory", response={200: CommunityOut, **ERRORS})
def set_listing(
    request: HttpRequest, community_id: Id, payload: DirectoryListingIn
) -> CommunityOut:
    """Choose whether neighbours see my display name in the directory."""
    membership = access.membership_to_change(_caller(request), community_id)
    return community_out(actions.do_set_directory_listing(membership, listed=payload.listed))


@router.put("/{int:community_id}/retention", response={200: CommunityDetailOut, **ERRORS})
def set_content_retention(
    request: HttpRequest, community_id: Id, payload: ContentRetentionIn
) -> CommunityDetailOut:
    """A référent keeps the community's posts and alerts for fewer months (null: the default)."""
    user = _caller(request)
    membership = access.referent_membership(user, community_id)
    actions.do_set_content_retention(membership.community, months=payload.months, acting_user=user)
    return community_detail_out(membership)


@router.post("/{int:community_id}/leave", response={204: None, **ERRORS})
def leave(request: HttpRequest, community_id: Id) -> Status[None]:
    user = _caller(request)
    actions.do_leave_community(access.membership_to_change(user, community_id), acting_user=user)
    return Status(204, None)


@router.post("/rejoin", response={200: list[CommunityOut], **ERRORS})
def rejoin(request: HttpRequest) -> list[CommunityOut]:
    """Come back to the communities of my verified home after leaving them."""
    user = _caller(request)
    actions.do_rejoin(user, acting_user=user)
    return [community_out(membership) for membership in access.current_memberships(user)]


@router.post(
    "/requests",
    response={201: NeighbourhoodRequestOut, **ERRORS},
    summary="Ask for a neighbourhood",
)
def request_neighbourhood(
    request: HttpRequest, payload: NeighbourhoodRequestIn
) -> Status[NeighbourhoodRequestOut]:
    """For a verified home in no neighbourhood yet: the team draws it, or says why not."""
    asked = actions.do_request_neighbourhood(
        _caller(request), name=payload.name, description=payload.description
    )
    return Status(
        201,
        NeighbourhoodRequestOut(
            id=asked.pk, name=asked.name, status=asked.status, created_at=asked.created_at
        ),
    )
