"""Plan metres ↔ WGS84: local transverse Mercator projections and control-point fits.

Plan metres stay the working frame. A level's georeference is a JSON-ready dictionary:

``lon_0``, ``lat_0``
    Centre of the local transverse Mercator projection (``+proj=tmerc +k=1 +ellps=WGS84``),
    whose metres are true distances within a few kilometres of the centre.
``matrix``
    ``[a, b, d, e, xoff, yoff]`` mapping plan metres to projected metres, in the order of
    ``shapely.affinity.affine_transform``: ``E = a·x + b·y + xoff`` and ``N = d·x + e·y + yoff``.
``method``
    ``projection`` (the plan was read in WGS84 and projected), ``anchor`` (origin, angle),
    ``similarity`` (two or more control points: scale, rotation, offset) or ``affine``
    (three or more points, least squares).
``points``, ``residuals_m``, ``rms_m``
    The control points and, for each, the distance in metres between where the fit puts it
    and where the planner placed it.
"""

from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from survey.errors import InputError
from survey.i18n import _

logger = logging.getLogger(__name__)

IDENTITY = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]


@dataclass(frozen=True)
class ControlPoint:
    """A point known both on the plan (metres) and on the Earth (WGS84 degrees)."""

    x_m: float
    y_m: float
    lon: float
    lat: float


@functools.lru_cache(maxsize=64)
def _transformers(lon_0: float, lat_0: float) -> tuple[Transformer, Transformer]:
    """Return the (WGS84 → local, local → WGS84) transformers of a projection centre."""
    local = f"+proj=tmerc +lat_0={float(lat_0)!r} +lon_0={float(lon_0)!r} +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
    forward = Transformer.from_crs("EPSG:4326", local, always_xy=True)
    inverse = Transformer.from_crs(local, "EPSG:4326", always_xy=True)
    return forward, inverse


def project(lon: np.ndarray, lat: np.ndarray, lon_0: float, lat_0: float) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 degrees to metres east and north of (``lon_0``, ``lat_0``)."""
    forward, _inverse = _transformers(lon_0, lat_0)
    return forward.transform(lon, lat)


def unproject(east: np.ndarray, north: np.ndarray, lon_0: float, lat_0: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the WGS84 longitude and latitude of local projected metres."""
    _forward, inverse = _transformers(lon_0, lat_0)
    return inverse.transform(east, north)


def project_geometry(geometry: BaseGeometry | np.ndarray, lon_0: float, lat_0: float) -> BaseGeometry | np.ndarray:
    """Project a WGS84 geometry, or an array of them, to local metres with ``shapely.transform``."""

    def to_metres(coordinates: np.ndarray) -> np.ndarray:
        east, north = project(coordinates[:, 0], coordinates[:, 1], lon_0, lat_0)
        return np.column_stack([east, north])

    return shapely.transform(geometry, to_metres)


def projection_georeference(lon_0: float, lat_0: float) -> dict:
    """Return the georeference of a plan projected from WGS84 around (``lon_0``, ``lat_0``)."""
    return {"method": "projection", "lon_0": lon_0, "lat_0": lat_0, "matrix": list(IDENTITY)}


def anchor_georeference(lon: float, lat: float, angle_deg: float = 0.0) -> dict:
    """Return the georeference of a plan whose origin is at (``lon``, ``lat``).

    ``angle_deg`` is the clockwise angle from true north to the plan's y axis, as in CAD
    drawing packages that give an anchor and an angle.
    """
    theta = math.radians(angle_deg)
    cos, sin = math.cos(theta), math.sin(theta)
    matrix = [cos, sin, -sin, cos, 0.0, 0.0]
    return {"method": "anchor", "lon_0": lon, "lat_0": lat, "matrix": matrix, "angle_deg": angle_deg}


def fit_georeference(points: list[ControlPoint]) -> dict:
    """Fit the plan → WGS84 transform of control points and report the residuals.

    Parameters
    ----------
    points
        Two points give a similarity (scale, rotation, offset: exact for two points, least
        squares for more); three or more non-aligned points give an affine transform by
        least squares.

    Returns
    -------
    dict
        The georeference described in this module's docstring. The projection is centred
        on the mean longitude and latitude of the points, so that "north-up" stays north-up.

    Raises
    ------
    InputError
        Fewer than two points, two points at the same plan position, or three or more
        points on one line.
    """
    _check_points(points)
    lon_0 = float(np.mean([point.lon for point in points]))
    lat_0 = float(np.mean([point.lat for point in points]))
    plan = np.array([[point.x_m, point.y_m] for point in points])
    east, north = project(np.array([p.lon for p in points]), np.array([p.lat for p in points]), lon_0, lat_0)
    target = np.column_stack([east, north])

    if len(points) == 2:
        method, matrix = "similarity", _fit_similarity(plan, target)
    else:
        method, matrix = "affine", _fit_affine(plan, target, points)

    residuals = np.hypot(*(_apply(matrix, plan) - target).T)
    georeference = {
        "method": method,
        "lon_0": lon_0,
        "lat_0": lat_0,
        "matrix": [float(value) for value in matrix],
        "points": [vars(point) for point in points],
        "residuals_m": [round(float(value), 4) for value in residuals],
        "rms_m": round(float(np.sqrt(np.mean(residuals**2))), 4),
    }
    logger.info("georeference fitted: %s on %d points, RMS %.3f m", method, len(points), georeference["rms_m"])
    return georeference


def _check_points(points: list[ControlPoint]) -> None:
    if len(points) < 2:
        raise InputError(
            _("georeferencing needs at least two control points"),
            column="--point",
            value=len(points),
            fix=_("give two points for a similarity, or three or more for an affine fit"),
        )
    plan = np.array([[point.x_m, point.y_m] for point in points])
    if np.ptp(plan[:, 0]) + np.ptp(plan[:, 1]) < 1e-6:
        raise InputError(
            _("the control points are all at the same plan position"),
            column="--point",
            fix=_("choose points far apart on the plan, such as two opposite corners"),
        )


def _fit_similarity(plan: np.ndarray, target: np.ndarray) -> list[float]:
    """Solve E = a·x − b'·y + c, N = b'·x + a·y + f by least squares (four unknowns)."""
    rows = []
    values = []
    for (x, y), (east, north) in zip(plan, target):
        rows.append([x, -y, 1.0, 0.0])
        values.append(east)
        rows.append([y, x, 0.0, 1.0])
        values.append(north)
    (scale_cos, scale_sin, xoff, yoff), *_rest = np.linalg.lstsq(np.array(rows), np.array(values), rcond=None)
    return [scale_cos, -scale_sin, scale_sin, scale_cos, xoff, yoff]


def _fit_affine(plan: np.ndarray, target: np.ndarray, points: list[ControlPoint]) -> list[float]:
    design = np.column_stack([plan, np.ones(len(plan))])
    if np.linalg.matrix_rank(design) < 3:
        raise InputError(
            _("three or more control points must not lie on one line"),
            column="--point",
            value=len(points),
            fix=_("add a point away from the line, or give only two points for a similarity"),
        )
    (a, b, xoff), *_rest = np.linalg.lstsq(design, target[:, 0], rcond=None)
    (d, e, yoff), *_rest = np.linalg.lstsq(design, target[:, 1], rcond=None)
    return [a, b, d, e, xoff, yoff]


def _apply(matrix: list[float], plan: np.ndarray) -> np.ndarray:
    a, b, d, e, xoff, yoff = matrix
    return np.column_stack([a * plan[:, 0] + b * plan[:, 1] + xoff, d * plan[:, 0] + e * plan[:, 1] + yoff])


def plan_to_wgs84(georeference: dict, x_m: np.ndarray | float, y_m: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Return the WGS84 longitude and latitude of plan points."""
    plan = np.column_stack([np.atleast_1d(x_m), np.atleast_1d(y_m)]).astype(float)
    projected = _apply(georeference["matrix"], plan)
    return unproject(projected[:, 0], projected[:, 1], georeference["lon_0"], georeference["lat_0"])


def wgs84_to_plan(georeference: dict, lon: np.ndarray | float, lat: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Return the plan metres of WGS84 points, such as GPS positions in a phone log."""
    east, north = project(np.atleast_1d(lon), np.atleast_1d(lat), georeference["lon_0"], georeference["lat_0"])
    a, b, d, e, xoff, yoff = georeference["matrix"]
    inverse = np.linalg.inv(np.array([[a, b], [d, e]]))
    plan = (np.column_stack([east - xoff, north - yoff])) @ inverse.T
    return plan[:, 0], plan[:, 1]


def parse_control_point(text: str) -> ControlPoint:
    """Read ``x_m,y_m,lon,lat`` as given on the command line."""
    parts = [part.strip() for part in text.split(",")]
    try:
        x_m, y_m, lon, lat = (float(part) for part in parts)
    except ValueError:
        raise InputError(
            _("a control point must be four numbers x_m,y_m,lon,lat"),
            column="--point",
            value=text,
            fix=_("write for example --point 70,70,-122.13167,47.63678"),
        ) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(
            _("longitude or latitude out of range"),
            column="--point",
            value=text,
            fix=_("give the longitude (−180 to 180) before the latitude (−90 to 90), in decimal degrees"),
        )
    return ControlPoint(x_m, y_m, lon, lat)


def looks_like_lonlat(bounds: tuple[float, float, float, float]) -> bool:
    """Tell whether coordinates within ``bounds`` are WGS84 degrees rather than plan metres.

    Degrees are assumed when every coordinate is a valid longitude and latitude and the data
    spans less than 0.05° (about 5 km): a plan in metres that small would be under 5 cm wide.
    """
    min_x, min_y, max_x, max_y = bounds
    in_range = -180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90
    return in_range and (max_x - min_x) < 0.05 and (max_y - min_y) < 0.05


def project_levels(levels: list) -> tuple[float, float]:
    """Project the rooms, outlines and doors of levels read in WGS84 into plan metres, in place.

    One projection centre, the middle of the rooms' bounding box, serves every level of the
    file, so the levels stay aligned; each level stores that projection as its georeference.
    Returns the centre as (longitude, latitude).
    """
    rooms = [room for level in levels for room in level.rooms]
    outlined = [level for level in levels if level.outline is not None]
    geometries = np.array([room.geometry for room in rooms] + [level.outline for level in outlined], dtype=object)
    min_x, min_y, max_x, max_y = shapely.total_bounds(geometries)
    lon_0, lat_0 = float(min_x + max_x) / 2, float(min_y + max_y) / 2

    projected = project_geometry(geometries, lon_0, lat_0)
    for room, geometry in zip(rooms, projected[: len(rooms)]):
        room.geometry = geometry
    for level, geometry in zip(outlined, projected[len(rooms) :]):
        level.outline = geometry
    for level in levels:
        if level.doors:
            level.doors = list(project_geometry(np.array(level.doors, dtype=object), lon_0, lat_0))
    for level in levels:
        level.georeference = projection_georeference(lon_0, lat_0)
    return lon_0, lat_0
