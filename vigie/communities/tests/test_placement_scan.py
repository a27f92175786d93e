"""The placement index answers as a linear scan over every neighbourhood would."""

from __future__ import annotations

import numpy
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from vigie.communities.placement import PlacementIndex, index_of_shapes

# A 6 x 6 tiling of jittered quadrilaterals near Bourg-lès-Vigies, with gaps where
# cells are left out, and ids in no particular order (the smallest id wins an edge).
WEST, SOUTH, CELL_X, CELL_Y, SIDE = 2.39, 46.79, 0.004, 0.003, 6


def tiling() -> tuple[list[int], list[BaseGeometry], NDArray[numpy.float64]]:
    rng = numpy.random.default_rng(7)
    x, y = numpy.meshgrid(numpy.arange(SIDE + 1), numpy.arange(SIDE + 1), indexing="ij")
    corners = numpy.stack([WEST + x * CELL_X, SOUTH + y * CELL_Y], axis=-1)
    corners[1:-1, 1:-1] += rng.uniform(-0.3, 0.3, (SIDE - 1, SIDE - 1, 2)) * [CELL_X, CELL_Y]
    shapes: list[BaseGeometry] = [
        shapely.Polygon(
            [corners[i, j], corners[i + 1, j], corners[i + 1, j + 1], corners[i, j + 1]]
        )
        for i in range(SIDE)
        for j in range(SIDE)
        if (i * SIDE + j) % 7 != 3  # a few holes in the tiling
    ]
    ids = [int(value) for value in rng.permutation(1000)[: len(shapes)] + 1]
    return ids, shapes, corners


IDS, SHAPES, CORNERS = tiling()
INDEX = index_of_shapes(IDS, SHAPES)


def scan(longitude: float, latitude: float) -> int | None:
    point = shapely.Point(longitude, latitude)
    return min(
        (i for i, shape in zip(IDS, SHAPES, strict=True) if shape.covers(point)), default=None
    )


def test_it_places_random_points_corners_and_edges_as_a_scan() -> None:
    rng = numpy.random.default_rng(11)
    margin = 0.2 * CELL_X
    anywhere = rng.uniform(
        [WEST - margin, SOUTH - margin],
        [WEST + SIDE * CELL_X + margin, SOUTH + SIDE * CELL_Y + margin],
        (2000, 2),
    )
    corners = CORNERS.reshape(-1, 2)  # shared by up to four neighbourhoods
    edges = (CORNERS[1:, :] + CORNERS[:-1, :]).reshape(-1, 2) / 2
    points = numpy.concatenate([anywhere, corners, edges])
    expected = [scan(x, y) for x, y in points.tolist()]

    assert [INDEX.neighbourhood_at(x, y) for x, y in points.tolist()] == expected
    assert INDEX.neighbourhoods_at(points) == expected
    # Every kind of answer was met: outside, inside, and an edge given to the smaller id.
    assert None in expected
    assert len({answer for answer in expected if answer is not None}) == len(SHAPES)
    shared = [
        (x, y)
        for x, y in corners.tolist()
        if sum(shape.covers(shapely.Point(x, y)) for shape in SHAPES) > 1
    ]
    assert shared


@settings(max_examples=200, deadline=None)
@given(
    st.floats(WEST - 0.01, WEST + 0.04, allow_nan=False),
    st.floats(SOUTH - 0.01, SOUTH + 0.03, allow_nan=False),
)
def test_it_places_any_point_as_a_scan(longitude: float, latitude: float) -> None:
    assert INDEX.neighbourhood_at(longitude, latitude) == scan(longitude, latitude)
    assert INDEX.neighbourhoods_at([(longitude, latitude)]) == [scan(longitude, latitude)]


def test_it_places_nothing_without_neighbourhoods() -> None:
    empty = index_of_shapes([], [])

    assert isinstance(empty, PlacementIndex)
    assert empty.neighbourhood_at(2.4, 46.8) is None
    assert empty.neighbourhoods_at([(2.4, 46.8), (2.5, 46.9)]) == [None, None]
    assert INDEX.neighbourhoods_at(numpy.empty((0, 2))) == []


def test_it_places_points_in_holes_and_on_their_edges_as_a_scan() -> None:
    # A ring-shaped neighbourhood around a square one that fills its hole, and a second
    # piece of the ring's neighbourhood (a multipolygon) touching it at one corner.
    ring = shapely.Polygon(
        [(0, 0), (4, 0), (4, 4), (0, 4)], holes=[[(1, 1), (3, 1), (3, 3), (1, 3)]]
    )
    island = shapely.MultiPolygon([shapely.box(4, 4, 5, 5), shapely.box(6, 6, 7, 7)])
    middle = shapely.box(1, 1, 3, 3)
    empty_hole = shapely.Polygon(
        [(10, 0), (14, 0), (14, 4), (10, 4)], holes=[[(11, 1), (13, 1), (13, 3), (11, 3)]]
    )
    shapes: list[BaseGeometry] = [ring, island, middle, empty_hole]
    ids = [5, 3, 9, 7]
    index = index_of_shapes(ids, shapes)
    points = [
        (2, 2),  # inside the hole, in the middle one only
        (1, 2),  # on the hole's edge: both, the smaller id wins
        (1, 1),  # a corner of the hole
        (0.5, 0.5),  # in the ring
        (4, 4),  # the corner where the ring meets the multipolygon
        (6.5, 6.5),  # in the multipolygon's second piece
        (5.5, 5.5),  # between its pieces
        (12, 2),  # in a hole nobody fills
        (11, 2),  # on that hole's edge
        (14, 4),  # a corner of the outer ring
        (14 + 1e-12, 2),  # just outside
    ]

    expected = [
        min(
            (i for i, shape in zip(ids, shapes, strict=True) if shape.covers(shapely.Point(p))),
            default=None,
        )
        for p in points
    ]
    assert expected == [9, 5, 5, 5, 3, 3, None, None, 7, 7, None]
    assert [index.neighbourhood_at(x, y) for x, y in points] == expected
    assert index.neighbourhoods_at(points) == expected
