"""Which neighbourhood a point lies in: a grid of cells over every boundary, and an STRtree.

One point is placed through the grid: the cell it falls in lists the
neighbourhoods whose bounding boxes meet that cell, and one shapely call tests
the point against them by its coordinates (``intersects_xy``: a point
intersects a polygon exactly when the polygon covers it).  Making a point to
query the STRtree with took half of a placement.  Many points at once, and
shapes, go through the STRtree.

The index lives in each process and is rebuilt when the set of
neighbourhoods changes (count or latest change differs from when it was
built), so every worker follows a new or redrawn neighbourhood on its next
placement.  A point on the edge between two neighbourhoods goes to the older
one (smallest id): the same answer everywhere, every time.
"""

from __future__ import annotations

import math
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

# The grid's cells start twice the typical neighbourhood's size, and grow until the
# shapes are listed at most this many times in all (a few large neighbourhoods among
# small ones would otherwise be listed in thousands of cells each).
CELL_SIZE_IN_NEIGHBOURHOODS = 2.0
MAX_LISTINGS_PER_SHAPE = 8


@dataclass(frozen=True)
class Grid:
    """Each shape listed in every cell its bounding box meets, smallest id first."""

    west: float
    south: float
    cell_width: float
    cell_height: float
    columns: int
    rows: int
    # A cell's number (column * rows + row) to its stretch of ``shapes`` and ``ids``;
    # cells that no bounding box meets are not listed.
    cells: dict[int, slice]
    shapes: NDArray[numpy.object_]
    ids: tuple[int, ...]


@dataclass(frozen=True)
class PlacementIndex:
    version: tuple[int, datetime | None]
    ids: tuple[int, ...]
    shapes: tuple[BaseGeometry, ...]
    tree: STRtree | None
    grid: Grid | None

    def neighbourhood_at(self, longitude: float, latitude: float) -> int | None:
        grid = self.grid
        if grid is None:
            return None
        column = (longitude - grid.west) / grid.cell_width
        row = (latitude - grid.south) / grid.cell_height
        # Also false for NaN: outside every cell is outside every neighbourhood.
        if not (0.0 <= column < grid.columns and 0.0 <= row < grid.rows):
            return None
        cell = grid.cells.get(math.floor(column) * grid.rows + math.floor(row))
        if cell is None:
            return None
        # The shapes are not prepared: as fast here, 15 MiB less for 100,000, and GEOS builds
        # a prepared shape's own index on its first test without a guard (libgeos/geos#825)
        # while shapely lets the web worker's other threads run.
        covering = shapely.intersects_xy(grid.shapes[cell], longitude, latitude).tolist()
        if True not in covering:
            return None
        # The cell lists its shapes by id: the first that covers the point has the smallest.
        return grid.ids[cell.start + covering.index(True)]

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
        version=version,
        ids=tuple(ids),
        shapes=kept,
        tree=STRtree(kept) if kept else None,
        grid=grid_of(ids, kept) if kept else None,
    )


def grid_of(ids: Sequence[int], shapes: Sequence[BaseGeometry]) -> Grid:
    """The grid over ``shapes`` (at least one), each listed in the cells its box meets."""
    shape_array = numpy.empty(len(shapes), dtype=object)
    shape_array[:] = shapes
    id_array = numpy.asarray(ids, dtype=numpy.int64)
    west, south, east, north = shapely.bounds(shape_array).T
    origin_x, origin_y = float(west.min()), float(south.min())
    # A shape of no width or height (a team cannot draw one) still gets cells of some size.
    width = max(float(numpy.median(east - west)), 1e-9) * CELL_SIZE_IN_NEIGHBOURHOODS
    height = max(float(numpy.median(north - south)), 1e-9) * CELL_SIZE_IN_NEIGHBOURHOODS
    while True:
        # The same arithmetic as neighbourhood_at's, so that a point on a box's edge
        # falls in a cell the box was listed in.
        first_column = numpy.floor((west - origin_x) / width).astype(numpy.int64)
        last_column = numpy.floor((east - origin_x) / width).astype(numpy.int64)
        first_row = numpy.floor((south - origin_y) / height).astype(numpy.int64)
        last_row = numpy.floor((north - origin_y) / height).astype(numpy.int64)
        spans_x = last_column - first_column + 1
        spans_y = last_row - first_row + 1
        listings = spans_x * spans_y
        if int(listings.sum()) <= MAX_LISTINGS_PER_SHAPE * len(shapes):
            break
        width, height = width * 2, height * 2
    rows = int(last_row.max()) + 1
    # Every (shape, cell) pair, enumerated shape by shape.
    owner = numpy.repeat(numpy.arange(len(shapes)), listings)
    rank = numpy.arange(len(owner)) - numpy.repeat(numpy.cumsum(listings) - listings, listings)
    column = first_column[owner] + rank // spans_y[owner]
    row = first_row[owner] + rank % spans_y[owner]
    cell = column * rows + row
    order = numpy.lexsort((id_array[owner], cell))
    cell, owner = cell[order], owner[order]
    numbers, starts = numpy.unique(cell, return_index=True)
    ends = numpy.append(starts[1:], len(cell))
    return Grid(
        west=origin_x,
        south=origin_y,
        cell_width=width,
        cell_height=height,
        columns=int(last_column.max()) + 1,
        rows=rows,
        cells={
            number: slice(start, end)
            for number, start, end in zip(
                numbers.tolist(), starts.tolist(), ends.tolist(), strict=True
            )
        },
        shapes=shape_array[owner],
        ids=tuple(ids[listed] for listed in owner.tolist()),
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
