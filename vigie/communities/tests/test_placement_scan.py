"""The placement index answers as a linear scan over every neighbourhood would."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

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


def test_it_places_among_neighbourhoods_of_very_different_sizes_as_a_scan() -> None:
    # Eighty small squares along a line, and one neighbourhood a hundred times as wide
    # beside them: at the small ones' size, its box alone would fill thousands of cells.
    small = [shapely.box(x * 0.001, 0, x * 0.001 + 0.001, 0.001) for x in range(80)]
    large = shapely.box(0, 0.002, 0.1, 0.1)
    shapes: list[BaseGeometry] = [*small, large]
    ids = list(range(len(shapes), 0, -1))  # the large one has the smallest id
    index = index_of_shapes(ids, shapes)
    rng = numpy.random.default_rng(5)
    points = [
        *rng.uniform([-0.01, -0.01], [0.11, 0.11], (3000, 2)).tolist(),
        *[(x * 0.001, 0.001) for x in range(81)],  # corners shared by two squares
        (0.1, 0.1),
        (0.0, 0.002),
    ]

    def scan(longitude: float, latitude: float) -> int | None:
        point = shapely.Point(longitude, latitude)
        return min((i for i, s in zip(ids, shapes, strict=True) if s.covers(point)), default=None)

    assert index.grid is not None
    assert len(index.grid.ids) <= 8 * len(shapes)
    assert [index.neighbourhood_at(x, y) for x, y in points] == [scan(x, y) for x, y in points]
    assert index.neighbourhood_at(0.05, 0.05) == 1


def test_it_places_no_point_that_is_not_a_number() -> None:
    nan, infinity = float("nan"), float("inf")

    for longitude, latitude in [(nan, SOUTH), (WEST, nan), (infinity, SOUTH), (WEST, -infinity)]:
        assert INDEX.neighbourhood_at(longitude, latitude) is None


def test_it_places_from_many_threads_at_once_as_a_scan() -> None:
    # A fresh index, so that the threads meet shapes prepared but never tested yet.
    index = index_of_shapes(IDS, SHAPES)
    rng = numpy.random.default_rng(13)
    points = rng.uniform(
        [WEST, SOUTH], [WEST + SIDE * CELL_X, SOUTH + SIDE * CELL_Y], (400, 2)
    ).tolist()
    expected = [scan(x, y) for x, y in points]

    with ThreadPoolExecutor(8) as pool:
        answers = list(
            pool.map(lambda _round: [index.neighbourhood_at(x, y) for x, y in points], range(16))
        )

    assert answers == [expected] * 16
