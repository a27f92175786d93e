"""Which neighbourhood a point lies in: a shapely STRtree over every boundary.

The index lives in each process and is rebuilt when the set of
neighbourhoods changes (count or latest change differs from when it was
built), so every worker follows a new or redrawn neighbourhood on its next
placement.  A point on the edge between two neighbourhoods goes to the older
one (smallest id): the same answer everywhere, every time.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

from vigie.communities import geometry
from vigie.communities.models import Community, CommunityKind


@dataclass(frozen=True)
class PlacementIndex:
    version: tuple[int, datetime | None]
    ids: tuple[int, ...]
    shapes: tuple[BaseGeometry, ...]
    tree: STRtree | None

    def neighbourhood_at(self, longitude: float, latitude: float) -> int | None:
        if self.tree is None:
            return None
        found = self.tree.query(geometry.point(longitude, latitude), predicate="covered_by")
        return min((self.ids[int(index)] for index in found), default=None)

    def intersecting(self, shape: BaseGeometry) -> list[tuple[int, BaseGeometry]]:
        if self.tree is None:
            return []
        return [
            (self.ids[int(index)], self.shapes[int(index)])
            for index in self.tree.query(shape, predicate="intersects")
        ]


_lock = threading.Lock()
_index: PlacementIndex | None = None


def _version() -> tuple[int, datetime | None]:
    found = Community.objects.filter(kind=CommunityKind.NEIGHBOURHOOD).aggregate(
        count=Count("id"), latest=Max("updated_at")
    )
    return found["count"], found["latest"]


def build_index(
    rows: list[tuple[int, str]], *, version: tuple[int, datetime | None]
) -> PlacementIndex:
    ids = tuple(community_id for community_id, _boundary in rows)
    shapes = tuple(geometry.load(boundary) for _community_id, boundary in rows)
    return PlacementIndex(
        version=version, ids=ids, shapes=shapes, tree=STRtree(shapes) if shapes else None
    )


def current_index() -> PlacementIndex:
    """The index, rebuilt first if neighbourhoods changed since it was made."""
    global _index
    version = _version()
    with _lock:
        if _index is None or _index.version != version:
            rows = list(
                Community.objects.filter(kind=CommunityKind.NEIGHBOURHOOD)
                .order_by("pk")
                .values_list("pk", "boundary")
            )
            _index = build_index(rows, version=version)
        return _index
