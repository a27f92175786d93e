"""Which neighbourhood a point lies in: a shapely STRtree over every boundary.

The index lives in each process and is rebuilt when the set of
neighbourhoods changes (count or latest change differs from when it was
built), so every worker follows a new or redrawn neighbourhood on its next
placement.  A point on the edge between two neighbourhoods goes to the older
one (smallest id): the same answer everywhere, every time.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

import numpy
import shapely
from django.db.models import Count, Max
from numpy.typing import ArrayLike, NDArray
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
        # A point as an array of one: Point() and STRtree.query's path for one geometry
        # (numpy.expand_dims) took longer than the search itself (cProfile, 100,000 shapes).
        # Making the point is still about half of a placement (callgrind, 100,000 shapes:
        # 26,000 of some 46,000 instructions); from a numpy array it costs less than a list.
        _point, found = self.tree.query(
            shapely.points(numpy.array(((longitude, latitude),))), predicate="covered_by"
        )
        if len(found) == 1:  # the usual answer: inside one neighbourhood, not on an edge
            return self.ids[found[0]]
        return min((self.ids[index] for index in found.tolist()), default=None)

    def neighbourhoods_at(self, points: ArrayLike) -> list[int | None]:
        """``neighbourhood_at`` for many (longitude, latitude) at once: one query for all."""
        coordinates = numpy.asarray(points, dtype=numpy.float64).reshape(-1, 2)
        if self.tree is None:
            return [None] * len(coordinates)
        found_point, found_shape = self.tree.query(
            shapely.points(coordinates), predicate="covered_by"
        )
        nowhere = numpy.iinfo(numpy.int64).max
        smallest = numpy.full(len(coordinates), nowhere, dtype=numpy.int64)
        numpy.minimum.at(smallest, found_point, self._id_array[found_shape])
        return [None if found == nowhere else found for found in smallest.tolist()]

    @cached_property
    def _id_array(self) -> NDArray[numpy.int64]:
        return numpy.array(self.ids, dtype=numpy.int64)

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
    """The index of (id, GeoJSON boundary) rows, as read from the database."""
    return index_of_shapes(
        [community_id for community_id, _boundary in rows],
        [geometry.load(boundary) for _community_id, boundary in rows],
        version=version,
    )


def index_of_shapes(
    ids: Sequence[int],
    shapes: Sequence[BaseGeometry],
    *,
    version: tuple[int, datetime | None] = (0, None),
) -> PlacementIndex:
    """The index of shapes already read (the benchmark builds 100,000 in memory)."""
    if len(ids) != len(shapes):
        raise ValueError("one id for each shape")
    kept = tuple(shapes)
    return PlacementIndex(
        version=version, ids=tuple(ids), shapes=kept, tree=STRtree(kept) if kept else None
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
