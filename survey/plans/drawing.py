"""Rooms drawn by hand over a level's background, created, edited and deleted one at a time.

Geometries are GeoJSON Polygons or MultiPolygons in plan metres. The same checks as for
imported plans apply: an invalid polygon is repaired or rejected, a ref must be unique in the
site, and overlaps with the level's other rooms and implausible areas come back as warnings.
"""

from __future__ import annotations

import logging

import shapely
from shapely.geometry import mapping, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.categories import CATEGORIES, CRITICALITIES, category_from_label
from survey.errors import ConflictError, InputError, NotFoundError
from survey.i18n import _
from survey.models import Room
from survey.plans.base import ImportedLevel, ImportedRoom
from survey.plans.geojson import GEOMETRY_ERRORS
from survey.plans.storing import fill_room
from survey.plans.validate import clean_polygon, validate_level
from survey.store import get_level

logger = logging.getLogger(__name__)

TEXT_FIELDS = ("name", "line_number", "department", "notes")


def draw_room(session: Session, level_id: int, fields: dict) -> dict:
    """Create a room on a level from its fields and GeoJSON geometry in plan metres.

    Raises
    ------
    InputError
        Missing ref, unknown category or criticality, or a geometry that is not an area.
    ConflictError
        The ref is already used in the site.
    """
    level = get_level(session, level_id)
    site_id = level.building.site_id
    ref = str(fields.get("ref") or "").strip()
    if not ref:
        raise InputError(_("a room needs a ref"), column="ref", fix=_("give the room number as ref"))
    if session.scalar(select(Room).where(Room.site_id == site_id, Room.ref == ref)) is not None:
        raise ConflictError(_("a room with ref {ref!r} already exists in the site").format(ref=ref))

    geometry = _geometry(fields.get("geometry"))
    record = Room(site_id=site_id, ref=ref, level_id=level.id, department="", notes="")
    category = _category(fields.get("category"), fields.get("name"))
    fill_room(record, ImportedRoom(ref=ref, geometry=geometry, name=str(fields.get("name") or ""), category=category), level)
    _apply_fields(record, fields)
    session.add(record)
    session.flush()
    logger.info("room %s drawn on level %s (%.1f m²)", ref, level_id, record.area_m2)
    return room_summary(record, _warnings(session, level.id, record))


def update_room(session: Session, level_id: int, ref: str, fields: dict) -> dict:
    """Change the given fields of a level's room; a ``geometry`` replaces its outline."""
    record = _room(session, level_id, ref)
    new_ref = str(fields.get("ref") or ref).strip()
    if new_ref != ref and session.scalar(select(Room).where(Room.site_id == record.site_id, Room.ref == new_ref)) is not None:
        raise ConflictError(_("a room with ref {ref!r} already exists in the site").format(ref=new_ref))
    record.ref = new_ref
    if fields.get("geometry") is not None:
        geometry = _geometry(fields["geometry"])
        record.geometry = shapely.to_wkb(geometry)
        record.area_m2 = float(geometry.area)
    if fields.get("category") is not None:
        record.category = _category(fields["category"], None)
    _apply_fields(record, fields)
    session.flush()
    return room_summary(record, _warnings(session, level_id, record))


def delete_room(session: Session, level_id: int, ref: str) -> None:
    """Delete a level's room; samples placed in it keep their position but lose the room."""
    session.delete(_room(session, level_id, ref))
    session.flush()
    logger.info("room %s deleted from level %s", ref, level_id)


def room_summary(record: Room, warnings: list[dict] | None = None) -> dict:
    """Return a room's fields with its geometry as GeoJSON in plan metres."""
    return {
        "id": record.id,
        "level_id": record.level_id,
        "ref": record.ref,
        "name": record.name,
        "category": record.category,
        "criticality": record.criticality,
        "analog_line": record.analog_line,
        "line_number": record.line_number,
        "department": record.department,
        "notes": record.notes,
        "area_m2": round(record.area_m2, 2),
        "geometry": mapping(shapely.from_wkb(record.geometry)),
        "warnings": warnings or [],
    }


def _room(session: Session, level_id: int, ref: str) -> Room:
    level = get_level(session, level_id)
    record = session.scalar(select(Room).where(Room.level_id == level.id, Room.ref == ref))
    if record is None:
        raise NotFoundError(_("room {ref!r} not found on level {level}").format(ref=ref, level=level.name))
    return record


def _geometry(geojson: object) -> shapely.Geometry:
    if not isinstance(geojson, dict):
        raise InputError(_("a room needs a GeoJSON geometry in plan metres"), column="geometry", fix=_("send a Polygon such as {example}").format(example='{"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [4, 3], [0, 3], [0, 0]]]}'))
    try:
        geometry = shape(geojson)
    except GEOMETRY_ERRORS as error:
        raise InputError(_("unreadable geometry: {error}").format(error=error), column="geometry") from None
    cleaned, reason, _repaired = clean_polygon(geometry)
    if cleaned is None:
        raise InputError(reason, column="geometry", value=geojson.get("type"))
    return cleaned


def _category(value: object, name: object) -> str:
    text = str(value or "").strip()
    if not text:
        return category_from_label(str(name or "")) or "other"
    if text not in CATEGORIES:
        raise InputError(_("unknown category; use one of: {choices}").format(choices=", ".join(CATEGORIES)), column="category", value=text)
    return text


def _apply_fields(record: Room, fields: dict) -> None:
    for column in TEXT_FIELDS:
        if fields.get(column) is not None:
            setattr(record, column, str(fields[column]))
    if fields.get("criticality") is not None:
        if fields["criticality"] not in CRITICALITIES:
            raise InputError(_("unknown criticality; use one of: {choices}").format(choices=", ".join(CRITICALITIES)), column="criticality", value=fields["criticality"])
        record.criticality = fields["criticality"]
    if fields.get("analog_line") is not None:
        record.analog_line = bool(fields["analog_line"])


def _warnings(session: Session, level_id: int, record: Room) -> list[dict]:
    """Return the overlap and area warnings of a room among its level's rooms."""
    rooms = session.scalars(select(Room).where(Room.level_id == level_id)).all()
    level = ImportedLevel(name=None, ordinal=None, building=None, rooms=[ImportedRoom(ref=room.ref, geometry=shapely.from_wkb(room.geometry)) for room in rooms])
    validate_level(level)
    return [warning for warning in level.warnings if record.ref in (warning["ref"], warning.get("other"))]
