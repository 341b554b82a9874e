"""Checks run on every imported level: geometry repair, areas, overlaps, outline, doors, unique refs.

Only invalid or empty geometries and duplicate refs stop a room or a file. Implausible areas,
overlapping rooms, rooms outside the level's outline and doors between fewer than two rooms
are imported and reported as warnings, because only the planner can tell whether the drawing
is right.
"""

from __future__ import annotations

import logging
from collections import defaultdict

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from survey.errors import FormatError, RowError
from survey.i18n import _, ngettext
from survey.plans.base import ImportedLevel, ImportedRoom
from survey.recommend import rooms_near_doors

logger = logging.getLogger(__name__)

MIN_ROOM_AREA_M2 = 0.5
MAX_ROOM_AREA_M2 = 10_000.0
# Overlaps smaller than both limits are drawing noise (shared wall lines), not two rooms in one place.
MIN_OVERLAP_M2 = 0.1
MIN_OVERLAP_SHARE = 0.01
# Share of a room's area that may lie outside the level outline before it is reported.
MAX_OUTSIDE_SHARE = 0.05
# Doors listed by position in a warning, at most.
LISTED_DOORS = 10


def clean_polygon(geometry: BaseGeometry | None) -> tuple[BaseGeometry | None, str | None, bool]:
    """Return the polygonal part of a geometry, repaired when invalid.

    Returns
    -------
    tuple
        ``(geometry, None, repaired)`` when a Polygon or MultiPolygon with an area remains;
        ``(None, reason, False)`` when the shape is not an area (a line, a point, a polygon
        collapsed to zero area) and is skipped.
    """
    if geometry is None or geometry.is_empty:
        return None, _("empty geometry"), False
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return None, _("geometry is {type}, not a polygon").format(type=geometry.geom_type), False
    repaired = False
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        geometry = _polygonal_part(shapely.make_valid(geometry))
        repaired = True
        if geometry is None:
            return None, _("invalid polygon that cannot be repaired: {reason}").format(reason=reason), False
    if geometry.area <= 0:
        return None, _("the polygon has no area"), False
    return geometry, None, repaired


def _polygonal_part(geometry: BaseGeometry) -> BaseGeometry | None:
    parts = [part for part in getattr(geometry, "geoms", [geometry]) if isinstance(part, (Polygon, MultiPolygon))]
    polygons = [polygon for part in parts for polygon in getattr(part, "geoms", [part]) if polygon.area > 0]
    if not polygons:
        return None
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def validate_level(level: ImportedLevel) -> None:
    """Repair or skip each room's geometry, then report areas, overlaps and the outline.

    Rooms whose geometry is not an area are moved to ``level.skipped``; everything else
    found is added to ``level.warnings`` (areas below 0.5 m² or above 10,000 m², rooms
    overlapping by more than 0.1 m² and 1 % of the smaller one, rooms more than 5 % outside
    the outline).
    """
    kept = []
    for room in level.rooms:
        geometry, reason, repaired = clean_polygon(room.geometry)
        if geometry is None:
            level.skip(room.source_id or room.ref, room.ref, reason)
            continue
        if repaired:
            level.warn("repaired", room.ref, _("invalid polygon repaired (self-intersection or bad ring)"))
        room.geometry = geometry
        kept.append(room)
    level.rooms = kept

    _check_areas(level)
    _check_overlaps(level)
    _check_outline(level)
    _check_doors(level)


def _check_areas(level: ImportedLevel) -> None:
    for room in level.rooms:
        area = room.geometry.area
        if area < MIN_ROOM_AREA_M2:
            level.warn("area", room.ref, _("area {area:.2f} m² is below {limit} m²: check the units").format(area=area, limit=MIN_ROOM_AREA_M2))
        elif area > MAX_ROOM_AREA_M2:
            level.warn("area", room.ref, _("area {area:,.0f} m² is above {limit:,.0f} m²: check the units").format(area=area, limit=MAX_ROOM_AREA_M2))


def _check_overlaps(level: ImportedLevel) -> None:
    if len(level.rooms) < 2:
        return
    geometries = np.array([room.geometry for room in level.rooms], dtype=object)
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    if not len(left):
        return
    overlaps = shapely.area(shapely.intersection(geometries[left], geometries[right]))
    smaller = np.minimum(shapely.area(geometries[left]), shapely.area(geometries[right]))
    significant = (overlaps > MIN_OVERLAP_M2) & (overlaps > MIN_OVERLAP_SHARE * smaller)
    for i, j, area in zip(left[significant], right[significant], overlaps[significant]):
        first, second = level.rooms[i], level.rooms[j]
        message = _("overlaps room {other} by {area:.1f} m²").format(other=second.ref, area=area)
        level.warnings.append({"kind": "overlap", "ref": first.ref, "other": second.ref, "message": message})


def _check_doors(level: ImportedLevel) -> None:
    """Report the doors that do not sit between two rooms: walks to the fixed lines ignore them."""
    if not level.doors or not level.rooms:
        return
    near = rooms_near_doors([room.geometry for room in level.rooms], level.doors)
    lonely = [door for door, rooms in zip(level.doors, near) if len(rooms) < 2]
    if not lonely:
        return
    points = [door.centroid for door in lonely[:LISTED_DOORS]]
    positions = ", ".join(f"({point.x:.1f}, {point.y:.1f})" for point in points) + (" …" if len(lonely) > LISTED_DOORS else "")
    level.warn(
        "door",
        None,
        ngettext(
            "{count} door is not between two rooms and is ignored by the walks to the fixed lines, at (x, y) in metres: {positions}",
            "{count} doors are not between two rooms and are ignored by the walks to the fixed lines, at (x, y) in metres: {positions}",
            len(lonely),
        ).format(count=len(lonely), positions=positions),
    )


def _check_outline(level: ImportedLevel) -> None:
    if level.outline is None or level.outline.is_empty:
        return
    outline = level.outline if level.outline.is_valid else shapely.make_valid(level.outline)
    shapely.prepare(outline)
    for room in level.rooms:
        if outline.contains(room.geometry):
            continue
        outside = room.geometry.difference(outline).area
        if outside > MAX_OUTSIDE_SHARE * room.geometry.area:
            level.warn(
                "outside",
                room.ref,
                _("{area:.1f} m² of the room lie outside the level outline").format(area=outside),
            )


def check_duplicate_refs(levels: list[ImportedLevel], filename: str, *, rename: bool) -> None:
    """Reject a file in which two rooms share a ref, or rename the second ones when asked.

    Refs are compared across every level of the file, since a ref names one room in a site.
    With ``rename``, the second room of a ref becomes ``ref-2`` (then ``-3``…), and each
    renaming is reported as a warning of its level.

    Raises
    ------
    FormatError
        Without ``rename``, listing every duplicated ref with where its rooms are.
    """
    places: dict[str, list[tuple[ImportedLevel, ImportedRoom]]] = defaultdict(list)
    for level in levels:
        for room in level.rooms:
            places[room.ref].append((level, room))
    duplicated = {ref: rooms for ref, rooms in places.items() if len(rooms) > 1}
    if not duplicated:
        return
    if rename:
        _rename_duplicates(duplicated, set(places))
        return

    errors = [
        RowError(None, "ref", ref, _("{count} rooms share this ref: {where}").format(count=len(rooms), where="; ".join(_where(level, room) for level, room in rooms)))
        for ref, rooms in sorted(duplicated.items())
    ]
    raise FormatError(
        _("{count} refs name more than one room: {refs}").format(count=len(duplicated), refs=", ".join(sorted(duplicated))),
        file=filename,
        column="ref",
        errors=errors,
        fix=_("correct the room labels in the source, or import again with --rename-duplicates to suffix them"),
    )


def _where(level: ImportedLevel, room: ImportedRoom) -> str:
    point = room.geometry.representative_point()
    return _("level {level} at ({x:.1f} m, {y:.1f} m)").format(level=level.name, x=point.x, y=point.y)


def _rename_duplicates(duplicated: dict[str, list[tuple[ImportedLevel, ImportedRoom]]], taken: set[str]) -> None:
    for ref, rooms in sorted(duplicated.items()):
        for level, room in rooms[1:]:
            number = 2
            while f"{ref}-{number}" in taken:
                number += 1
            room.ref = f"{ref}-{number}"
            taken.add(room.ref)
            level.warn("renamed", room.ref, _("ref {ref} was already used by another room; renamed {new}").format(ref=ref, new=room.ref))
            logger.info("duplicate ref %s renamed %s", ref, room.ref)
