"""Properties of the boundary check: any GeoJSON in, a checked polygon or a clear refusal out."""

from __future__ import annotations

import json
import math

import pytest
import shapely
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from vigie.communities.geometry import (
    FRANCE_BOXES,
    MAX_GEOJSON_LENGTH,
    MAX_VERTICES,
    Boundary,
    parse_boundary,
)
from vigie.communities.models import Community
from vigie.lib.errors import InvalidInput
from vigie.test import Personas, log_in_as

FAST = hypothesis_settings(max_examples=150, deadline=None)

# What a coordinate may be in a hostile file: any float (NaN and infinities
# included), integers too large for a float, and things that are not numbers.
coordinates = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-60, max_value=60),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.booleans(),
    st.none(),
    st.text(max_size=4),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=40,
)
nested_coordinates = st.recursive(
    coordinates, lambda children: st.lists(children, max_size=6), max_leaves=60
)
geometry_types = st.sampled_from(
    ["Polygon", "MultiPolygon", "Point", "LineString", "GeometryCollection", "polygon", ""]
)


def refusal_or_boundary(text: str) -> Boundary | None:
    """The checked boundary, or None when refused with the check's own clear error."""
    try:
        boundary = parse_boundary(text)
    except InvalidInput as error:
        assert_clear(error)
        return None
    assert_sensible(boundary)
    return boundary


def assert_clear(error: InvalidInput) -> None:
    assert error.code == "invalid_boundary"
    assert list(error.errors) == ["boundary"]
    [message] = [str(message) for message in error.errors["boundary"]]
    assert message
    assert "Exception" not in message  # a sentence, not a library's error name


def assert_sensible(boundary: Boundary) -> None:
    """What every accepted boundary is: a valid polygon, in France, of a neighbourhood's size."""
    geometry = boundary.geometry
    assert geometry.geom_type in ("Polygon", "MultiPolygon")
    assert geometry.is_valid
    assert not geometry.is_empty
    assert all(math.isfinite(value) for value in shapely.get_coordinates(geometry).ravel())
    west, south, east, north = boundary.bbox
    assert any(
        box[0] <= west and box[1] <= south and east <= box[2] and north <= box[3]
        for box in FRANCE_BOXES
    )
    assert boundary.area_m2 >= settings.NEIGHBOURHOOD_MIN_AREA_M2
    assert boundary.area_m2 <= settings.NEIGHBOURHOOD_MAX_AREA_M2
    assert shapely.get_num_coordinates(geometry) <= MAX_VERTICES


@st.composite
def neighbourhoods(draw: st.DrawFn) -> tuple[list[list[float]], float]:
    """A regular polygon of a neighbourhood's size somewhere in France: (ring, area in m²)."""
    box = draw(st.sampled_from(FRANCE_BOXES))
    sides = draw(st.integers(3, 64))
    low, high = settings.NEIGHBOURHOOD_MIN_AREA_M2, settings.NEIGHBOURHOOD_MAX_AREA_M2
    area = draw(st.floats(min_value=low * 1.05, max_value=min(high * 0.95, 20_000_000)))
    # The area of a regular polygon of circumradius r: n r² sin(2π/n) / 2.
    radius = math.sqrt(2 * area / (sides * math.sin(2 * math.pi / sides)))
    rotation = draw(st.floats(min_value=0, max_value=2 * math.pi))
    latitude_span = radius / 110_540
    centre_latitude = draw(
        st.floats(min_value=box[1] + 2 * latitude_span, max_value=box[3] - 2 * latitude_span)
    )
    longitude_span = radius / (111_320 * math.cos(math.radians(centre_latitude)))
    centre_longitude = draw(
        st.floats(min_value=box[0] + 2 * longitude_span, max_value=box[2] - 2 * longitude_span)
    )
    ring = [
        [
            centre_longitude + longitude_span * math.cos(rotation + 2 * math.pi * k / sides),
            centre_latitude + latitude_span * math.sin(rotation + 2 * math.pi * k / sides),
        ]
        for k in range(sides)
    ]
    ring.append(ring[0])
    return ring, area


def polygon(ring: list[list[float]]) -> dict[str, object]:
    return {"type": "Polygon", "coordinates": [ring]}


@FAST
@given(text=st.text(max_size=300))
def test_it_refuses_any_text_with_its_own_error(text: str) -> None:
    refusal_or_boundary(text)


@FAST
@given(value=json_values)
def test_it_refuses_any_json_that_is_no_polygon_with_its_own_error(value: object) -> None:
    refusal_or_boundary(json.dumps(value))


@FAST
@given(
    kind=geometry_types,
    coordinates=nested_coordinates,
    as_feature=st.booleans(),
    extra=st.dictionaries(st.sampled_from(["crs", "bbox", "id", "properties"]), json_values),
)
def test_it_refuses_any_malformed_geometry_with_a_clear_message(
    kind: str, coordinates: object, as_feature: bool, extra: dict[str, object]
) -> None:
    geometry: dict[str, object] = {"type": kind, "coordinates": coordinates, **extra}
    data = {"type": "Feature", "geometry": geometry} if as_feature else geometry

    refusal_or_boundary(json.dumps(data))


@FAST
@given(
    rings=st.lists(
        st.lists(
            st.tuples(
                st.floats(min_value=2.30, max_value=2.36) | coordinates,
                st.floats(min_value=48.84, max_value=48.88) | coordinates,
            ),
            max_size=8,
        ),
        min_size=1,
        max_size=3,
    ),
    close=st.booleans(),
    multi=st.booleans(),
)
# Found by hypothesis: an integer too large for a float (OverflowError), and NaN,
# on which GEOS cannot close the ring (GEOSException), both escaped as a 500.
@example(rings=[[(10**400, 48.85), (2.31, 48.85), (2.31, 48.86)]], close=True, multi=False)
@example(rings=[[(math.nan, 48.85), (2.31, 48.85), (2.31, 48.86)]], close=True, multi=True)
@example(rings=[[(1e308 * 10, 48.85), (2.31, 48.85), (2.31, 48.86)]], close=True, multi=False)
def test_it_accepts_only_sensible_boundaries_among_random_rings(
    rings: list[list[tuple[object, object]]], close: bool, multi: bool
) -> None:
    """Random rings near Paris: self-crossing, too small, too few points, or fine."""
    closed = [ring + ring[:1] if close else ring for ring in rings]
    coordinates = [[closed]] if multi else closed

    refusal_or_boundary(
        json.dumps({"type": "MultiPolygon" if multi else "Polygon", "coordinates": coordinates})
    )


@hypothesis_settings(max_examples=20, deadline=None)
@given(
    depth=st.integers(min_value=500, max_value=MAX_GEOJSON_LENGTH // 2),
    opening=st.sampled_from(["[", '{"a":', '{"type":"Feature","geometry":']),
)
def test_it_refuses_deeply_nested_json_without_crashing(depth: int, opening: str) -> None:
    text = (opening * depth)[:MAX_GEOJSON_LENGTH]

    assert refusal_or_boundary(text) is None


@FAST
@given(
    neighbourhood=neighbourhoods(),
    as_feature=st.booleans(),
    indent=st.sampled_from([None, 0, 2]),
    sort_keys=st.booleans(),
)
def test_it_accepts_any_neighbourhood_sized_polygon_in_france_however_it_is_written(
    neighbourhood: tuple[list[list[float]], float],
    as_feature: bool,
    indent: int | None,
    sort_keys: bool,
) -> None:
    ring, area = neighbourhood
    geometry = polygon(ring)
    data = {"type": "Feature", "properties": {}, "geometry": geometry} if as_feature else geometry

    boundary = refusal_or_boundary(json.dumps(data, indent=indent, sort_keys=sort_keys))

    assert boundary is not None
    assert math.isclose(boundary.area_m2, area, rel_tol=0.01)


@FAST
@given(neighbourhood=neighbourhoods())
def test_it_reads_back_what_it_stores(neighbourhood: tuple[list[list[float]], float]) -> None:
    first = parse_boundary(json.dumps(polygon(neighbourhood[0])))

    again = parse_boundary(first.geojson)

    assert again.geometry.equals_exact(first.geometry, tolerance=0)
    assert again.area_m2 == first.area_m2


@FAST
@given(
    neighbourhood=neighbourhoods(),
    shift=st.sampled_from([(180.0, 0.0), (0.0, 60.0), (-40.0, -30.0)]),
    swap=st.booleans(),
)
def test_it_refuses_a_polygon_outside_france_or_with_latitude_first(
    neighbourhood: tuple[list[list[float]], float], shift: tuple[float, float], swap: bool
) -> None:
    moved = [[y, x] if swap else [x + shift[0], y + shift[1]] for x, y in neighbourhood[0]]

    assert refusal_or_boundary(json.dumps(polygon(moved))) is None


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=15,
    deadline=None,
    # The personas are only read: a refused boundary draws nothing, which is checked.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(min_size=1, max_size=200) | nested_coordinates.map(json.dumps))
def test_it_answers_the_team_with_a_form_message_never_an_error_page(
    personas: Personas, text: str
) -> None:
    team = log_in_as(Client(), personas.carol, second_factor=True)
    before = Community.objects.count()

    page = team.post(
        "/equipe/quartiers/nouveau/",
        {"name": "Rue Neuve", "insee_code": "99101", "commune_name": "Bourg", "boundary": text},
    )

    assert page.status_code == 422
    assert page.context["form"].errors["boundary"]
    assert Community.objects.count() == before
