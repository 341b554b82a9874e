"""The fixed-line plan: what to do about each room's analog line, with the reasons.

- ``keep_analog_line``: the room has a line and mobile voice is not reliable;
- ``install_analog_line``: a vital or high room without a line and without reliable voice, or
  the room chosen to host a new line serving nearby rooms (greedy cover);
- ``nearest_line``: a normal or low room without reliable voice, served by a line at most
  ``max_line_distance_m`` away along the room graph;
- ``analog_line_optional``: the room has a line but voice is reliable;
- ``resurvey``: too few samples to decide;
- ``none``: voice is reliable and the room has no line.

Walking distances follow the room graph of each level, through the plan's doors where they are
known and through assumed doors otherwise (see ``walking_distances``). Lines serve rooms of
their own level only.
"""

from __future__ import annotations

import logging
from collections import defaultdict

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.geometry.base import BaseGeometry

from survey.categories import CATEGORIES, category_or_other, criticality_label
from survey.i18n import _
from survey.metrics import NO_SERVICE_DBM
from survey.policy import Policy
from survey.results import Recommendation, RoomResult

logger = logging.getLogger(__name__)

# Rooms closer than this share a wall, in metres (drawings leave small gaps between rooms).
WALL_GAP_M = 0.3
CRITICALITY_ORDER = {"vital": 0, "high": 1, "normal": 2, "low": 3}


def recommend(rooms: list[RoomResult], policy: Policy, doors: dict[int, list[BaseGeometry]] | None = None) -> None:
    """Set the recommendation of every room, level by level.

    ``doors`` maps a level id to the doors drawn on its plan (see :func:`walking_distances`);
    levels without an entry get assumed doors.
    """
    by_level: dict[int, list[RoomResult]] = defaultdict(list)
    for room in rooms:
        by_level[room.level_id].append(room)
    for level_id, level_rooms in by_level.items():
        _recommend_level(level_rooms, policy, (doors or {}).get(level_id))


def walking_distances(rooms: list[RoomResult], gap_m: float = WALL_GAP_M, doors: list[BaseGeometry] | None = None) -> np.ndarray:
    """Return the matrix of walking distances in metres between the rooms of one level.

    ``doors`` are the doors drawn on the plan, as shapely Points or LineStrings in plan
    metres. A door links the two rooms within ``gap_m`` of it, or the nearest two when more are.
    Between two rooms that both have a drawn door, only drawn doors count; elsewhere doors are
    still assumed, so that a room the plan gives no door stays reachable. Two circulation
    spaces that touch always open onto each other, since corridors meet without a door.
    Without ``doors``, a door is assumed in the middle of every wall a room shares with a
    circulation space (corridor, lobby, stairs), and a room with no such wall opens onto all
    its neighbours. A walk goes from a room's representative point to a door, then straight
    from door to door across each space, and on to the other room's point.
    """
    count = len(rooms)
    points = [room.geometry.representative_point() for room in rooms]
    links = _known_doors(rooms, doors, gap_m) if doors else []
    with_known_door = {room for a, b, _door in links for room in (a, b)}
    circulation = [_is_circulation(room) for room in rooms]
    links += [
        (a, b, door)
        for a, b, door in _assumed_doors(rooms, gap_m)
        if a not in with_known_door or b not in with_known_door or (circulation[a] and circulation[b])
    ]

    # Nodes 0..count-1 are the rooms' points; then one node per door.
    rows, columns, weights = [], [], []

    def link(a: int, b: int, length: float) -> None:
        rows.extend([a, b])
        columns.extend([b, a])
        weights.extend([max(length, 1e-6)] * 2)

    doors_of: dict[int, list[tuple[int, shapely.Point]]] = defaultdict(list)
    for number, (a, b, door) in enumerate(links):
        node = count + number
        for side in (a, b):
            link(side, node, points[side].distance(door))
            doors_of[side].append((node, door))
    for members in doors_of.values():
        for position, (node, door) in enumerate(members):
            for other_node, other_door in members[position + 1 :]:
                link(node, other_node, door.distance(other_door))

    size = count + len(links)
    graph = coo_matrix((weights, (rows, columns)), shape=(size, size)).tocsr()
    return dijkstra(graph, directed=False, indices=list(range(count)))[:, :count]


def rooms_near_doors(geometries: list[BaseGeometry], doors: list[BaseGeometry], gap_m: float = WALL_GAP_M) -> list[np.ndarray]:
    """Return, per door, the indices of the rooms within ``gap_m`` of it: a door links two of them."""
    door_index, room_index = shapely.STRtree(geometries).query(np.array(doors, dtype=object), predicate="dwithin", distance=gap_m)
    order = np.argsort(door_index, kind="stable")
    counts = np.bincount(door_index, minlength=len(doors))
    return np.split(room_index[order], np.cumsum(counts)[:-1])


def _known_doors(rooms: list[RoomResult], doors: list[BaseGeometry], gap_m: float) -> list[tuple[int, int, shapely.Point]]:
    """Return (room, room, door point) for each drawn door that lies between two rooms."""
    geometries = [room.geometry for room in rooms]
    links = []
    for door, near in zip(doors, rooms_near_doors(geometries, doors, gap_m)):
        point = door.interpolate(0.5, normalized=True) if door.geom_type == "LineString" else door.centroid
        if len(near) < 2:
            logger.debug("door at %s touches %d room(s); ignored", point.wkt, len(near))
            continue
        nearest = sorted(near, key=lambda index: geometries[index].distance(door))[:2]
        links.append((int(min(nearest)), int(max(nearest)), point))
    return links


def _assumed_doors(rooms: list[RoomResult], gap_m: float) -> list[tuple[int, int, shapely.Point]]:
    """Return (room, room, door point) for each pair of rooms assumed to open onto each other."""
    geometries = [room.geometry for room in rooms]
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="dwithin", distance=gap_m)
    pairs = [(int(a), int(b)) for a, b in zip(left, right) if a < b]
    circulation = [_is_circulation(room) for room in rooms]
    opens_on_circulation = set()
    for a, b in pairs:
        if circulation[b]:
            opens_on_circulation.add(a)
        if circulation[a]:
            opens_on_circulation.add(b)

    doors = []
    for a, b in pairs:
        linked = circulation[a] or circulation[b] or a not in opens_on_circulation or b not in opens_on_circulation
        if not linked:
            continue
        wall = shapely.buffer(geometries[a], gap_m).intersection(geometries[b].boundary)
        if wall.is_empty:
            wall = shapely.buffer(geometries[a], gap_m).intersection(geometries[b])
        doors.append((a, b, wall.centroid if not wall.is_empty else geometries[b].representative_point()))
    return doors


def _recommend_level(rooms: list[RoomResult], policy: Policy, doors: list[BaseGeometry] | None = None) -> None:
    needs_line = []
    for room in rooms:
        decided = _direct_recommendation(room)
        if decided is None:
            needs_line.append(room)
        else:
            room.recommendation = decided
    for room in rooms:
        if room.recommendation.action == "install_analog_line":
            room.recommendation.reasons.insert(0, _no_voice_reason(room))
    if not needs_line:
        return

    distances = walking_distances(rooms, doors=doors)
    index = {id(room): position for position, room in enumerate(rooms)}
    line_positions = [index[id(room)] for room in rooms if room.analog_line or room.recommendation.action == "install_analog_line"]
    uncovered = []
    for room in needs_line:
        position = index[id(room)]
        nearest = _nearest(distances[position], line_positions)
        if nearest is not None and distances[position, nearest] <= policy.max_line_distance_m:
            room.recommendation = _nearest_line(room, rooms[nearest], distances[position, nearest])
        else:
            uncovered.append(position)
    _propose_lines(rooms, uncovered, distances, policy)


def _direct_recommendation(room: RoomResult) -> Recommendation | None:
    """Return the recommendation that follows from the room alone, or None when it needs a line nearby."""
    if room.voice == "insufficient_data":
        reasons = [_evidence(verdict) for verdict in room.verdicts]
        if room.analog_line:
            reasons.append(_("keep the existing line until the room is surveyed again"))
        return Recommendation("resurvey", reasons)
    if room.voice == "reliable":
        if room.analog_line:
            return Recommendation("analog_line_optional", [_evidence(verdict) for verdict in room.verdicts])
        return Recommendation("none", [_evidence(verdict) for verdict in room.verdicts])
    if room.analog_line:
        return Recommendation("keep_analog_line", [_no_voice_reason(room)])
    if room.criticality in ("vital", "high"):
        return Recommendation("install_analog_line", [])
    return None


def _nearest(row: np.ndarray, candidates: list[int]) -> int | None:
    reachable = [position for position in candidates if np.isfinite(row[position])]
    return min(reachable, key=lambda position: row[position]) if reachable else None


def _nearest_line(room: RoomResult, line_room: RoomResult, distance_m: float) -> Recommendation:
    reasons = [
        _no_voice_reason(room),
        _("nearest analog line in {ref} ({name}), {distance:.0f} m away").format(
            ref=line_room.ref, name=line_room.name, distance=distance_m
        ),
    ]
    return Recommendation("nearest_line", reasons, line_room_ref=line_room.ref, distance_m=float(distance_m))


def _propose_lines(rooms: list[RoomResult], uncovered: list[int], distances: np.ndarray, policy: Policy) -> None:
    """Propose new lines where each serves the most uncovered rooms (greedy set cover)."""
    remaining = set(uncovered)
    while remaining:
        reach = distances[:, sorted(remaining)] <= policy.max_line_distance_m
        served_counts = reach.sum(axis=1)
        # Prefer, among equal counts, circulation spaces everyone can reach, then the lowest ref.
        host = min(
            range(len(rooms)),
            key=lambda position: (-served_counts[position], not _is_circulation(rooms[position]), rooms[position].ref),
        )
        served = [position for position in sorted(remaining) if distances[host, position] <= policy.max_line_distance_m]
        host_room = rooms[host]
        if host_room.recommendation.action not in ("keep_analog_line", "install_analog_line"):
            host_room.recommendation = Recommendation(
                "install_analog_line",
                [_("a new line here would serve {count} rooms without reliable voice within {distance:.0f} m").format(
                    count=len(served), distance=policy.max_line_distance_m
                )],
                line_room_ref=host_room.ref,
                distance_m=0.0,
            )
        for position in served:
            if position != host:
                rooms[position].recommendation = _nearest_line(rooms[position], host_room, distances[position, host])
                rooms[position].recommendation.reasons.append(_("this line is a proposal"))
        remaining -= set(served) | {host}


def _is_circulation(room: RoomResult) -> bool:
    return CATEGORIES[category_or_other(room.category)].circulation


def _no_voice_reason(room: RoomResult) -> str:
    parts = [_evidence(verdict) for verdict in room.verdicts if verdict.samples]
    summary = _("mobile voice is not reliable in this room of {criticality} criticality").format(criticality=criticality_label(room.criticality))
    if room.shielded and room.attenuation_db is not None:
        summary += " — " + _("shielded room, {attenuation:.0f} dB below the spaces around it").format(attenuation=room.attenuation_db)
    return "; ".join([summary, *parts])


def _evidence(verdict) -> str:
    if not verdict.samples:
        return _("{operator}: no samples").format(operator=verdict.operator)
    text = _("{operator}: {rate:.0%} of {count} samples usable for voice ({required:.0%} required)").format(
        operator=verdict.operator, rate=verdict.pass_rate, count=verdict.samples, required=verdict.required_pass_rate
    )
    if verdict.samples < verdict.required_samples:
        text += ", " + _("{required} samples needed").format(required=verdict.required_samples)
    if verdict.no_service:
        text += ", " + _("{count} without service").format(count=verdict.no_service)
    # No-service samples enter the percentiles at NO_SERVICE_DBM: a phone reports no level then.
    if verdict.rsrp_p10_dbm is not None and verdict.rsrp_p10_dbm > NO_SERVICE_DBM:
        text += ", " + _("RSRP p10 {value:.0f} dBm").format(value=verdict.rsrp_p10_dbm)
    return text
