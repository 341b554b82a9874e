"""Outage guidance for each part of a level: which operator to use, or which fixed line.

Each room gets a guidance: an operator that is reliable there, or "all operators" when every
surveyed operator is reliable. Where no operator is reliable, the guidance is the number of the
fixed line to use. Touching rooms with the same guidance form one zone, which the posters label once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from maps.lines import FixedLine
from survey.results import RoomResult, SiteAnalysis

logger = logging.getLogger(__name__)

# Rooms closer than this share a wall, in metres (drawings leave small gaps between rooms).
TOUCH_GAP_M = 0.3

ALL_OPERATORS = "all"
OPERATOR = "operator"
LINE = "line"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class RoomGuidance:
    """The outage guidance of one room.

    ``kind`` is ``operator`` when ``plmn`` is reliable, and ``all`` when every operator is.
    It is ``line`` when no operator is reliable, so staff use fixed line ``line``. It is
    ``unknown`` when there are too few samples to tell, and ``line`` is then the nearest line.
    """

    kind: str
    plmn: str | None = None
    line: FixedLine | None = None

    @property
    def key(self) -> tuple[str, str | None, int | None]:
        """Return what two rooms must share to be in one zone."""
        return (self.kind, self.plmn, self.line.number if self.line else None)


@dataclass
class Zone:
    """Touching rooms of one level with the same guidance, and their union in plan metres."""

    guidance: RoomGuidance
    rooms: list[RoomResult]
    geometry: BaseGeometry


def operator_order(rooms: list[RoomResult], plmns: list[str]) -> list[str]:
    """Return the PLMNs by the number of rooms where they are reliable, most first.

    A room names the first reliable operator of this order, so that a level shows a few large
    zones of one operator rather than a patchwork of near ties.
    """
    counts = {plmn: 0 for plmn in plmns}
    for room in rooms:
        for verdict in room.verdicts:
            if verdict.verdict == "reliable" and verdict.plmn in counts:
                counts[verdict.plmn] += 1
    return sorted(plmns, key=lambda plmn: (-counts[plmn], plmn))


def room_guidance(room: RoomResult, order: list[str], lines: list[FixedLine]) -> RoomGuidance:
    """Return the outage guidance of one room; ``order`` is the level's :func:`operator_order`."""
    reliable = {verdict.plmn for verdict in room.verdicts if verdict.verdict == "reliable"}
    if len(order) > 1 and reliable >= set(order):
        return RoomGuidance(ALL_OPERATORS)
    for plmn in order:
        if plmn in reliable:
            return RoomGuidance(OPERATOR, plmn=plmn)

    line = nearest_line(room, lines)
    measured = any(verdict.verdict != "insufficient_data" for verdict in room.verdicts)
    return RoomGuidance(LINE if measured else UNKNOWN, line=line)


def nearest_line(room: RoomResult, lines: list[FixedLine]) -> FixedLine | None:
    """Return the fixed line a room should use: its own, the recommended one, else the closest.

    The closest is measured in a straight line between label points, existing lines first. It
    is only a fallback for rooms the recommendation gives no line to.
    """
    by_ref = {line.room.ref: line for line in lines}
    if room.ref in by_ref:
        return by_ref[room.ref]
    recommended = room.recommendation.line_room_ref
    if recommended and recommended in by_ref:
        return by_ref[recommended]
    if not lines:
        return None

    centre = room.geometry.representative_point()
    existing = [line for line in lines if not line.proposed] or lines
    return min(existing, key=lambda line: centre.distance(shapely.Point(line.x_m, line.y_m)))


def level_zones(analysis: SiteAnalysis, rooms: list[RoomResult], lines: list[FixedLine]) -> list[Zone]:
    """Group the touching rooms of one level that share a guidance into zones, largest first."""
    order = operator_order(rooms, [plmn for plmn, _name in analysis.operators])
    guidances = [room_guidance(room, order, lines) for room in rooms]
    groups = _touching_groups(rooms, [guidance.key for guidance in guidances])

    zones = []
    for members in groups:
        geometry = shapely.union_all([rooms[index].geometry.buffer(TOUCH_GAP_M / 2) for index in members])
        geometry = geometry.buffer(-TOUCH_GAP_M / 2)
        zones.append(Zone(guidances[members[0]], [rooms[index] for index in members], geometry))
    zones.sort(key=lambda zone: -zone.geometry.area)
    return zones


def _touching_groups(rooms: list[RoomResult], keys: list[tuple]) -> list[list[int]]:
    """Return groups of room indices connected by shared walls within the same key (union-find)."""
    parent = list(range(len(rooms)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    geometries = [room.geometry for room in rooms]
    tree = shapely.STRtree(geometries)
    pairs = tree.query(geometries, predicate="dwithin", distance=TOUCH_GAP_M)
    for first, second in zip(*pairs):
        if first < second and keys[first] == keys[second]:
            parent[root(first)] = root(second)

    groups: dict[int, list[int]] = {}
    for index in range(len(rooms)):
        groups.setdefault(root(index), []).append(index)
    return list(groups.values())
