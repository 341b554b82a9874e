"""Floor-plan importers: each reads a file into levels of room polygons in plan metres.

``import_plan`` stores what an importer read. Every importer returns ``ImportedLevel`` objects;
rooms are matched by ``ref`` within the site, so importing a plan again updates its rooms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.categories import CRITICALITIES, category_or_other, default_criticality
from survey.errors import FormatError
from survey.i18n import _
from survey.models import Level, Room, Site
from survey.store import find_building

PLAN_FORMATS = ("auto", "geojson", "imdf", "osm", "dxf", "ifc")


@dataclass
class ImportedRoom:
    ref: str
    geometry: BaseGeometry
    name: str = ""
    category: str = "other"
    criticality: str | None = None
    analog_line: bool = False
    line_number: str = ""


@dataclass
class ImportedLevel:
    name: str | None
    ordinal: int | None
    building: str | None
    rooms: list[ImportedRoom]
    skipped: list[dict] = field(default_factory=list)


def read_plan(data: bytes, filename: str, *, format: str = "auto") -> list[ImportedLevel]:
    """Read a plan file into levels; ``format="auto"`` detects it from the content."""
    from survey.plans import geojson

    if format not in PLAN_FORMATS:
        raise FormatError(
            _("unknown plan format {format!r}").format(format=format),
            file=filename,
            fix=_("use one of: {formats}").format(formats=", ".join(PLAN_FORMATS)),
        )
    if format in ("auto", "geojson") and geojson.looks_like(data):
        return [geojson.read(data, filename)]
    # TODO: IMDF, OpenStreetMap indoor, DXF and IFC importers; only GeoJSON is read so far.
    raise FormatError(
        _("this plan format is not supported: only GeoJSON is read for now"),
        file=filename,
        fix=_("export the plan as GeoJSON with one Polygon feature per room in metres"),
    )


def import_plan(
    session: Session,
    site: Site,
    data: bytes,
    filename: str,
    *,
    building: str | None = None,
    level: str | None = None,
    ordinal: int | None = None,
    format: str = "auto",
) -> dict:
    """Read a plan and store its levels and rooms; return what was created, updated and skipped."""
    reports = []
    for imported in read_plan(data, filename, format=format):
        reports.append(_store_level(session, site, imported, filename, building, level, ordinal))
    return {"file": filename, "levels": reports}


def _store_level(
    session: Session,
    site: Site,
    imported: ImportedLevel,
    filename: str,
    building_name: str | None,
    level_name: str | None,
    ordinal: int | None,
) -> dict:
    building = find_building(session, site, building_name or imported.building, create=True)
    name = level_name or imported.name
    if not name:
        raise FormatError(
            _("the plan does not name its level"),
            file=filename,
            fix=_("give the level with --level"),
        )
    level = session.scalar(select(Level).where(Level.building_id == building.id, Level.name == name))
    if level is None:
        level = Level(building=building, name=name, ordinal=_ordinal(ordinal, imported.ordinal, name))
        session.add(level)
        session.flush()
    elif ordinal is not None:
        level.ordinal = ordinal

    existing = {room.ref: room for room in session.scalars(select(Room).where(Room.site_id == site.id))}
    created = updated = 0
    for room in imported.rooms:
        record = existing.get(room.ref)
        if record is None:
            record = Room(site_id=site.id, ref=room.ref)
            session.add(record)
            created += 1
        else:
            updated += 1
        _fill_room(record, room, level)
    session.flush()
    return {
        "building": building.name,
        "level": level.name,
        "level_id": level.id,
        "ordinal": level.ordinal,
        "rooms_created": created,
        "rooms_updated": updated,
        "skipped": imported.skipped,
    }


def _fill_room(record: Room, room: ImportedRoom, level: Level) -> None:
    category = category_or_other(room.category)
    criticality = room.criticality if room.criticality in CRITICALITIES else default_criticality(category)
    record.level_id = level.id
    record.name = room.name
    record.category = category
    record.criticality = criticality
    record.analog_line = room.analog_line
    record.line_number = room.line_number or record.line_number or ""
    record.geometry = shapely.to_wkb(room.geometry)
    record.area_m2 = float(room.geometry.area)


def _ordinal(given: int | None, read: int | None, name: str) -> int:
    if given is not None:
        return given
    if read is not None:
        return read
    digits = name.strip().lstrip("+")
    return int(digits) if digits.lstrip("-").isdigit() else 0
