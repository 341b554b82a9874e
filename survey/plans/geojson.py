"""GeoJSON plans: one Polygon or MultiPolygon feature per room, in plan metres or in WGS84.

Room properties: ``ref`` (required), ``name``, ``category``, ``criticality``, ``analog_line``,
``line_number``. A feature whose ``category`` is ``door`` (or with a true ``door`` property) is a
door: a Point, a LineString across the opening or a small Polygon. The FeatureCollection may carry ``level`` (``{"name", "ordinal"}``) and
``building`` members, which the command line can override. Coordinates that are longitudes
and latitudes (RFC 7946) are projected to metres with a local transverse Mercator centred on
the data, and the projection is stored as the level's georeference. A FeatureCollection of
OpenStreetMap indoor features (with ``indoor`` tags) is read by ``survey.plans.osm``.
"""

from __future__ import annotations

import json
import logging

import numpy as np
import shapely
from shapely.geometry import shape

from survey.categories import CATEGORIES, category_from_label
from survey.errors import FormatError
from survey.i18n import _
from survey.plans.base import ImportedLevel, ImportedRoom
from survey.plans.georeference import looks_like_lonlat, project_levels
from survey.values import parse_bool

logger = logging.getLogger(__name__)

GEOMETRY_ERRORS = (ValueError, TypeError, AttributeError, KeyError, IndexError, shapely.errors.GEOSException)


def looks_like(data: bytes) -> bool:
    """Tell whether the bytes start like a GeoJSON FeatureCollection or Feature."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b'"type"' in head and b"Feature" in head


def load_document(data: bytes, filename: str) -> dict:
    """Parse a GeoJSON FeatureCollection, raising FormatError with the line of a syntax error."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FormatError(
            _("the file is not valid GeoJSON: {error}").format(error=error),
            file=filename,
            line=getattr(error, "lineno", None),
            fix=_("check that the file is UTF-8 JSON"),
        ) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise FormatError(
            _("a plan must be a GeoJSON FeatureCollection"),
            file=filename,
            value=document.get("type") if isinstance(document, dict) else type(document).__name__,
        )
    return document


def read(data: bytes, filename: str) -> list[ImportedLevel]:
    """Read a GeoJSON FeatureCollection of rooms into one level.

    Features without a ``ref`` or whose geometry is not a polygon are skipped with the
    reason. Coordinates in WGS84 are projected to plan metres (see the module docstring).
    """
    document = load_document(data, filename)
    level_member = document.get("level")
    level_info = level_member if isinstance(level_member, dict) else {}
    level = ImportedLevel(
        name=level_info.get("name") or (level_member if isinstance(level_member, str) else None),
        ordinal=level_info.get("ordinal"),
        building=document.get("building"),
        rooms=[],
        source={"format": "geojson", "features": len(document.get("features") or [])},
    )

    for index, feature in enumerate(document.get("features") or []):
        if _is_door(feature):
            _read_door(feature, index, level)
            continue
        room, reason = _read_room(feature, index)
        if room is None:
            properties = feature.get("properties") if isinstance(feature, dict) else None
            level.skip(index, (properties or {}).get("ref"), reason)
        else:
            level.rooms.append(room)

    if level.rooms and _in_lonlat(level.rooms, document):
        project_levels([level])
        level.source["coordinates"] = "wgs84"
        logger.info("%s: WGS84 coordinates projected around %s", filename, level.georeference)
    else:
        level.source["coordinates"] = "metres"
    return [level]


def _in_lonlat(rooms: list[ImportedRoom], document: dict) -> bool:
    crs_name = str(((document.get("crs") or {}).get("properties") or {}).get("name", "")).upper()
    if crs_name:
        return "CRS84" in crs_name or crs_name.endswith("4326")
    bounds = shapely.total_bounds(np.array([room.geometry for room in rooms], dtype=object))
    return looks_like_lonlat(tuple(bounds))


def _is_door(feature: object) -> bool:
    properties = (feature.get("properties") if isinstance(feature, dict) else None) or {}
    return str(properties.get("category") or "").strip().lower() == "door" or bool(parse_bool(properties.get("door")))


def _read_door(feature: dict, index: int, level: ImportedLevel) -> None:
    ref = (feature.get("properties") or {}).get("ref")
    try:
        level.doors.append(shape(feature.get("geometry") or {}))
    except GEOMETRY_ERRORS as error:
        level.skip(index, ref, _("unreadable door geometry: {error}").format(error=error))


def _read_room(feature: object, index: int) -> tuple[ImportedRoom | None, str | None]:
    if not isinstance(feature, dict):
        return None, _("not a GeoJSON Feature")
    properties = feature.get("properties") or {}
    ref = str(properties.get("ref") or "").strip()
    if not ref:
        return None, _("no ref property")
    geometry_json = feature.get("geometry") or {}
    if geometry_json.get("type") not in ("Polygon", "MultiPolygon"):
        return None, _("geometry is {type}, not a polygon").format(type=geometry_json.get("type"))
    try:
        geometry = shape(geometry_json)
    except GEOMETRY_ERRORS as error:
        return None, _("unreadable geometry: {error}").format(error=error)

    name = str(properties.get("name") or "")
    given = str(properties.get("category") or "").strip()
    category = given if given in CATEGORIES else category_from_label(name) or category_from_label(given) or "other"
    room = ImportedRoom(
        ref=ref,
        geometry=geometry,
        name=name,
        category=category,
        criticality=properties.get("criticality"),
        analog_line=bool(parse_bool(properties.get("analog_line"))),
        line_number=str(properties.get("line_number") or ""),
        source_id=str(index),
    )
    return room, None
