"""Neighbourhood boundaries: reading, checking and measuring GeoJSON polygons.

Boundaries are WGS84 (longitude, latitude) polygons.  Areas are measured in
a local equirectangular projection, exact enough at a neighbourhood's scale.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy
import shapely
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from numpy.typing import NDArray
from shapely import MultiPolygon, Point, Polygon
from shapely.errors import ShapelyError
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from vigie.lib.errors import InvalidInput

# Boxes (west, south, east, north) holding metropolitan France, Corsica and the overseas
# départements and collectivities where Vigie may run.
FRANCE_BOXES = (
    (-5.3, 41.3, 9.7, 51.2),  # metropolitan France and Corsica
    (-61.9, 15.8, -60.9, 16.6),  # Guadeloupe
    (-61.3, 14.3, -60.8, 14.9),  # Martinique
    (-54.7, 2.1, -51.5, 5.9),  # Guyane
    (55.2, -21.4, 55.9, -20.8),  # La Réunion
    (44.9, -13.1, 45.4, -12.6),  # Mayotte
    (-56.5, 46.7, -56.1, 47.2),  # Saint-Pierre-et-Miquelon
    (-63.2, 17.8, -62.7, 18.2),  # Saint-Martin, Saint-Barthélemy
)
MAX_GEOJSON_LENGTH = 500_000
MAX_VERTICES = 5_000


@dataclass(frozen=True)
class Boundary:
    geometry: Polygon | MultiPolygon
    area_m2: float

    @property
    def geojson(self) -> str:
        return json.dumps(mapping(self.geometry), separators=(",", ":"))

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        west, south, east, north = self.geometry.bounds
        return west, south, east, north


def _to_metres(geometry: BaseGeometry) -> BaseGeometry:
    # An equirectangular projection around the shape: at neighbourhood size the
    # error is far below a metre, and it needs no projection library.
    latitude = geometry.centroid.y
    scale_x = 111_320 * math.cos(math.radians(latitude))
    scale_y = 110_540.0

    def project(coordinates: NDArray[numpy.float64]) -> NDArray[numpy.float64]:
        return coordinates * numpy.array([scale_x, scale_y])

    return shapely.transform(geometry, project)


def area_m2(geometry: BaseGeometry) -> float:
    return float(_to_metres(geometry).area)


def _fail(message: object) -> InvalidInput:
    return InvalidInput({"boundary": [message]}, code="invalid_boundary")  # type: ignore[list-item]


def _no_constant(name: str) -> float:
    # NaN and Infinity are no JSON (RFC 8259), though Python's reader takes them.
    raise ValueError(f"{name} is not a JSON number")


def parse_boundary(text: str) -> Boundary:
    """A checked boundary from GeoJSON (a Polygon, a MultiPolygon, or a Feature of one)."""
    if len(text) > MAX_GEOJSON_LENGTH:
        raise _fail(_("This boundary is too large."))
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, TypeError, RecursionError):  # RecursionError: nested too deep
        raise _fail(_("The boundary is not valid GeoJSON.")) from None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        raise _fail(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
    try:
        geometry = shape(data)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
        raise _fail(_("The boundary is not valid GeoJSON.")) from None
    except ShapelyError:  # GEOS's own refusals (a ring that cannot close, NaN…)
        raise _fail(_("The boundary is not valid GeoJSON.")) from None
    if not isinstance(geometry, Polygon | MultiPolygon) or geometry.is_empty:
        raise _fail(_("The boundary must be a GeoJSON Polygon or MultiPolygon."))
    if not numpy.isfinite(shapely.get_coordinates(geometry, include_z=geometry.has_z)).all():
        # 1e999 reads as infinity: no place on Earth.
        raise _fail(_("The boundary's coordinates must be finite numbers."))
    vertices = sum(
        len(polygon.exterior.coords) + sum(len(ring.coords) for ring in polygon.interiors)
        for polygon in getattr(geometry, "geoms", [geometry])
    )
    if vertices > MAX_VERTICES:
        raise _fail(
            _("The boundary has too many points (at most %(max)d).") % {"max": MAX_VERTICES}
        )
    if not geometry.is_valid:
        raise _fail(
            _("The boundary is not a valid polygon (%(reason)s).")
            % {"reason": explain_validity(geometry)}
        )
    west, south, east, north = geometry.bounds
    if not any(
        box[0] <= west and box[1] <= south and east <= box[2] and north <= box[3]
        for box in FRANCE_BOXES
    ):
        raise _fail(_("The boundary must lie in France (longitude, latitude in this order)."))
    measured = area_m2(geometry)
    low, high = settings.NEIGHBOURHOOD_MIN_AREA_M2, settings.NEIGHBOURHOOD_MAX_AREA_M2
    if not low <= measured <= high:
        raise _fail(
            _("A neighbourhood covers between %(low)s and %(high)s km² (this one: %(area)s km²).")
            % {
                "low": number_format(low / 1e6),
                "high": number_format(high / 1e6),
                "area": number_format(measured / 1e6, decimal_pos=3),
            }
        )
    return Boundary(geometry=geometry, area_m2=measured)


def load(geojson: str) -> Polygon | MultiPolygon:
    geometry = shape(json.loads(geojson))
    assert isinstance(geometry, Polygon | MultiPolygon)
    return geometry


def point(longitude: float, latitude: float) -> Point:
    return Point(longitude, latitude)
