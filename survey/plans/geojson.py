"""GeoJSON plans: one Polygon or MultiPolygon feature per room, coordinates in plan metres.

Room properties: ``ref`` (required), ``name``, ``category``, ``criticality``, ``analog_line``,
``line_number``. The FeatureCollection may carry ``level`` (``{"name", "ordinal"}``) and
``building`` members, which the command line can override.
"""

from __future__ import annotations

import json

import shapely
from shapely.geometry import shape

from survey.errors import FormatError
from survey.i18n import _
from survey.plans import ImportedLevel, ImportedRoom
from survey.values import parse_bool


def looks_like(data: bytes) -> bool:
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"{") and b'"type"' in head[:4096] and b"Feature" in head[:4096]


def read(data: bytes, filename: str) -> ImportedLevel:
    """Read a GeoJSON FeatureCollection of rooms into one level."""
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

    level = document.get("level") if isinstance(document.get("level"), dict) else {}
    rooms, skipped = [], []
    for index, feature in enumerate(document.get("features") or []):
        room, reason = _read_room(feature)
        if room is None:
            skipped.append({"feature": index, "ref": (feature.get("properties") or {}).get("ref"), "reason": reason})
        else:
            rooms.append(room)
    _check_unique_refs(rooms, filename)
    return ImportedLevel(
        name=level.get("name") or (document.get("level") if isinstance(document.get("level"), str) else None),
        ordinal=level.get("ordinal"),
        building=document.get("building"),
        rooms=rooms,
        skipped=skipped,
    )


def _read_room(feature: dict) -> tuple[ImportedRoom | None, str | None]:
    properties = feature.get("properties") or {}
    ref = str(properties.get("ref") or "").strip()
    if not ref:
        return None, _("no ref property")
    geometry_json = feature.get("geometry") or {}
    if geometry_json.get("type") not in ("Polygon", "MultiPolygon"):
        return None, _("geometry is {type}, not a polygon").format(type=geometry_json.get("type"))
    try:
        geometry = shape(geometry_json)
    except (ValueError, TypeError, AttributeError) as error:
        return None, _("unreadable geometry: {error}").format(error=error)
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
        polygons = [part for part in getattr(geometry, "geoms", [geometry]) if part.geom_type in ("Polygon", "MultiPolygon")]
        geometry = shapely.union_all(polygons) if polygons else geometry
    if geometry.is_empty or geometry.area <= 0:
        return None, _("the polygon has no area")
    analog_line = parse_bool(properties.get("analog_line"))
    return (
        ImportedRoom(
            ref=ref,
            geometry=geometry,
            name=str(properties.get("name") or ""),
            category=str(properties.get("category") or "other"),
            criticality=properties.get("criticality"),
            analog_line=bool(analog_line),
            line_number=str(properties.get("line_number") or ""),
        ),
        None,
    )


def _check_unique_refs(rooms: list[ImportedRoom], filename: str) -> None:
    seen = set()
    for room in rooms:
        if room.ref in seen:
            raise FormatError(
                _("the room ref {ref!r} appears twice").format(ref=room.ref),
                file=filename,
                column="ref",
                value=room.ref,
                fix=_("give every room a unique ref"),
            )
        seen.add(room.ref)
