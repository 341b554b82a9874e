"""Storing imported levels: buildings and levels found or created, rooms matched by ref.

Rooms are matched by ``ref`` within the whole site. A matched room takes the imported
geometry, name and category; its registry values (criticality, analog line, department,
notes) are kept unless the plan gives them. A room found on another level is moved and the move
is reported. Rooms of the level that the file does not contain are kept and reported, since
samples may already be placed in them. Doors drawn in the file replace the level's doors; a file
without doors keeps them.
"""

from __future__ import annotations

import logging

import shapely
from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.categories import CRITICALITIES, category_or_other, default_criticality
from survey.errors import FormatError
from survey.i18n import _
from survey.models import Level, Room, Site
from survey.plans.base import ImportedLevel, ImportedRoom
from survey.store import find_building

logger = logging.getLogger(__name__)

NAMED_ORDINALS = {"basement": -1, "sous-sol": -1, "ground": 0, "rdc": 0, "rez-de-chaussee": 0, "rez-de-chaussée": 0}


def store_levels(
    session: Session,
    site: Site,
    levels: list[ImportedLevel],
    filename: str,
    *,
    building: str | None,
    level: str | None,
    ordinal: int | None,
) -> list[dict]:
    """Store every level that has rooms; return one report per level read."""
    existing = {room.ref: room for room in session.scalars(select(Room).where(Room.site_id == site.id))}
    reports = []
    for imported in levels:
        if not imported.rooms:
            reports.append(_empty_level_report(imported))
            continue
        record = _level_record(session, site, imported, filename, building, level, ordinal)
        reports.append(_store_rooms(session, site, record, imported, existing))
    session.flush()
    return reports


def _empty_level_report(imported: ImportedLevel) -> dict:
    warnings = imported.warnings + [{"kind": "empty", "ref": None, "message": _("no room to import on this level; it was not created")}]
    return {
        "building": imported.building,
        "level": imported.name,
        "level_id": None,
        "ordinal": imported.ordinal,
        "rooms_created": 0,
        "rooms_updated": 0,
        "doors": 0,
        "skipped": imported.skipped,
        "warnings": warnings,
        "source": imported.source,
    }


def find_or_create_level(session: Session, site: Site, building_name: str | None, name: str, ordinal: int | None) -> Level:
    """Return the level ``name`` of the building, created with ``ordinal`` when missing."""
    building = find_building(session, site, building_name, create=True)
    record = session.scalar(select(Level).where(Level.building_id == building.id, Level.name == name))
    if record is None:
        record = Level(building=building, name=name, ordinal=ordinal if ordinal is not None else guess_ordinal(name))
        session.add(record)
        session.flush()
        logger.info("level %r created in building %r", name, building.name)
    elif ordinal is not None:
        record.ordinal = ordinal
    return record


def guess_ordinal(name: str) -> int:
    """Guess a level's ordinal from its name: a number, or basement / ground floor words, else 0."""
    text = name.strip().lower()
    if text in NAMED_ORDINALS:
        return NAMED_ORDINALS[text]
    digits = text.lstrip("+")
    return int(digits) if digits.lstrip("-").isdigit() else 0


def _level_record(session: Session, site: Site, imported: ImportedLevel, filename: str, building: str | None, level: str | None, ordinal: int | None) -> Level:
    name = level or imported.name
    if not name:
        raise FormatError(_("the plan does not name its level"), file=filename, fix=_("give the level with --level"))
    record = find_or_create_level(session, site, building or imported.building, name, ordinal if ordinal is not None else imported.ordinal)
    if imported.elevation_m is not None:
        record.elevation_m = imported.elevation_m
    if imported.georeference is not None:
        record.georeference = imported.georeference
    if imported.doors:
        record.doors = [mapping(door) for door in imported.doors]
    return record


def _store_rooms(session: Session, site: Site, level: Level, imported: ImportedLevel, existing: dict[str, Room]) -> dict:
    created = updated = 0
    warnings = list(imported.warnings)
    imported_refs = {room.ref for room in imported.rooms}
    wkbs = shapely.to_wkb([room.geometry for room in imported.rooms])
    moved: dict[str, list[str]] = {}

    for room, wkb in zip(imported.rooms, wkbs):
        record = existing.get(room.ref)
        if record is None:
            record = Room(site_id=site.id, ref=room.ref, level_id=level.id, department="", notes="")
            session.add(record)
            existing[room.ref] = record
            created += 1
        else:
            if record.level_id is not None and record.level_id != level.id:
                moved.setdefault(record.level.name, []).append(room.ref)
            updated += 1
        fill_room(record, room, level, wkb)

    warnings.extend(_moved_warning(former, refs, level) for former, refs in moved.items())
    kept = sorted(ref for ref, record in existing.items() if record.level_id == level.id and ref not in imported_refs)
    if kept:
        warnings.append({"kind": "not_in_file", "ref": None, "message": _("{count} rooms of this level are not in the file and were kept: {refs}").format(count=len(kept), refs=", ".join(kept[:20]) + (" …" if len(kept) > 20 else ""))})
    return {
        "building": level.building.name,
        "level": level.name,
        "level_id": level.id,
        "ordinal": level.ordinal,
        "rooms_created": created,
        "rooms_updated": updated,
        "doors": len(level.doors or []),
        "skipped": imported.skipped,
        "warnings": warnings,
        "source": imported.source,
        "georeference": level.georeference,
    }


def _moved_warning(former: str, refs: list[str], level: Level) -> dict:
    """Return one warning for the rooms moved here from level ``former``, with the way back."""
    listed = ", ".join(refs[:20]) + (" …" if len(refs) > 20 else "")
    message = _(
        "{count} rooms were on level {former!r} and were moved to level {level!r}: {refs}. Their samples stay on "
        "{former!r}, so the rooms have none here. If the level name was mistyped, import the plan again with "
        "--level {former!r}, then remove {level!r} with zoneblanche plan delete-level."
    ).format(count=len(refs), former=former, level=level.name, refs=listed)
    return {"kind": "moved", "ref": refs[0] if len(refs) == 1 else None, "message": message}


def fill_room(record: Room, room: ImportedRoom, level: Level, wkb: bytes | None = None) -> None:
    """Copy an imported room onto its record; registry values are kept unless the plan gives them."""
    category = category_or_other(room.category)
    record.level_id = level.id
    record.name = room.name or record.name or ""
    record.category = category
    if room.criticality in CRITICALITIES:
        record.criticality = room.criticality
    elif not record.criticality or record.id is None:
        record.criticality = default_criticality(category)
    record.analog_line = room.analog_line or bool(record.analog_line)
    record.line_number = room.line_number or record.line_number or ""
    record.geometry = wkb if wkb is not None else shapely.to_wkb(room.geometry)
    record.area_m2 = float(room.geometry.area)


def store_background_level(session: Session, site: Site, data: bytes, filename: str, *, building: str | None, level: str, ordinal: int | None, page: int, dpi: int) -> dict:
    """Store a PDF or image plan as the background of a level, created when missing."""
    from survey.plans.background import store_background

    record = find_or_create_level(session, site, building, level, ordinal)
    summary = store_background(session, record, data, filename, page=page, dpi=dpi)
    return {
        "building": record.building.name,
        "level": record.name,
        "level_id": record.id,
        "ordinal": record.ordinal,
        "rooms_created": 0,
        "rooms_updated": 0,
        "skipped": [],
        "warnings": [{"kind": "calibrate", "ref": None, "message": _("calibrate the background with two points and their distance, then draw the rooms")}],
        "background": summary,
    }

