"""Plan geometry helpers shared by the matplotlib plans and the web maps."""

from __future__ import annotations

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel


def label_anchor(geometry: BaseGeometry) -> shapely.Point:
    """Return the label point of the largest part of ``geometry``: its centroid when well inside.

    The pole of inaccessibility is the point furthest from the edges. In a rectangle any point
    of the middle line qualifies, and ``polylabel`` returns one near an end, so the centroid is
    kept whenever it is nearly as far from the edges.
    """
    if isinstance(geometry, MultiPolygon):
        geometry = max(geometry.geoms, key=lambda part: part.area)
    if not isinstance(geometry, Polygon):
        return geometry.representative_point()

    pole = polylabel(geometry, tolerance=0.05)
    centroid = geometry.centroid
    pole_clearance = geometry.boundary.distance(pole)
    if geometry.contains(centroid) and geometry.boundary.distance(centroid) >= 0.9 * pole_clearance:
        return centroid
    return pole
