"""The simulated hospital: levels and rooms as shapely polygons, built from ``layout``.

Rooms are axis-aligned rectangles that tile each level without overlap. Where the corner of
one room lies on the edge of its neighbour, that corner is inserted into the neighbour's
ring too, so two rooms that share a wall have the same edge with the same two vertices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import shapely
from shapely.geometry import Polygon

from survey.categories import CATEGORIES, default_criticality
from survey.simulate import layout
from survey.simulate.layout import HalfPair, LevelSpec, RoomSpec
from survey.simulate.walls import Walls, extract_walls

BUILDING_NAME = "Bâtiment principal"

# A room is shielded when its extra loss reaches this many dB. This is looser than the
# analysis rule, which compares a room's median with that of its neighbours, because the
# simulation sets the loss itself.
SHIELDED_LOSS_DB = 20.0

# Categories whose walls are concrete: structural cores and rooms built for radiation
# protection. Other rooms have plasterboard partitions unless the layout sets a material.
CONCRETE_CATEGORIES = {"stairwell", "lift_lobby", "radiotherapy", "mri", "radiology"}
DRYWALL = "drywall"
CONCRETE = "concrete"

DOOR_OFFSET_M = 0.3  # distance of the walking path from the door's wall on either side

# Corridors of every level, in the order of their refs: "<ordinal>-001" is the south one.
CORRIDOR_NAMES = ["Couloir sud", "Couloir est", "Couloir nord", "Couloir ouest"]
SOUTH_CORRIDOR, NORTH_CORRIDOR = 1, 3

Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 in centimetres


@dataclass(frozen=True)
class Door:
    """A room's door on a corridor wall, in plan metres."""

    x_m: float
    y_m: float
    normal: tuple[float, float]  # unit vector from the corridor into the room
    corridor_ref: str

    def outside(self) -> tuple[float, float]:
        """Return the point in the corridor just in front of the door."""
        return (round(self.x_m - DOOR_OFFSET_M * self.normal[0], 2),
                round(self.y_m - DOOR_OFFSET_M * self.normal[1], 2))

    def inside(self) -> tuple[float, float]:
        """Return the point in the room just behind the door."""
        return (round(self.x_m + DOOR_OFFSET_M * self.normal[0], 2),
                round(self.y_m + DOOR_OFFSET_M * self.normal[1], 2))


@dataclass
class Room:
    """A room, corridor, stairwell or lobby of one level."""

    ref: str
    name: str
    category: str
    criticality: str
    analog_line: bool
    line_number: str | None
    polygon: Polygon  # plan metres
    wall_material: str  # "drywall" or "concrete"
    extra_loss_db: float  # shielding loss added inside the room, dB
    notes: str = ""
    door: Door | None = None  # None for corridors, which the walker enters along the loop

    @property
    def shielded(self) -> bool:
        return self.extra_loss_db >= SHIELDED_LOSS_DB

    @property
    def area_m2(self) -> float:
        return float(self.polygon.area)


@dataclass
class Level:
    """One floor: its rooms and the loop along the corridor axes that the walker follows."""

    name: str
    ordinal: int
    rooms: list[Room]
    route: list[tuple[float, float]] = field(default_factory=list)  # closed polyline, metres

    def room(self, ref: str) -> Room:
        for room in self.rooms:
            if room.ref == ref:
                return room
        raise KeyError(f"room {ref!r} not found on level {self.ordinal}")

    @cached_property
    def walls(self) -> Walls:
        return extract_walls([room.polygon for room in self.rooms],
                             [room.wall_material == CONCRETE for room in self.rooms])

    @cached_property
    def footprint(self) -> Polygon:
        return shapely.union_all([room.polygon for room in self.rooms])

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the ref of the room containing each point, or None outside every room.

        A point on a shared wall gets the first room in ``rooms`` order that covers it.
        """
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        refs = np.full(x.shape, None, dtype=object)
        unassigned = np.ones(x.shape, dtype=bool)
        for predicate in (shapely.contains_xy, shapely.intersects_xy):
            for room in self.rooms:
                found = unassigned & predicate(room.polygon, x, y)
                refs[found] = room.ref
                unassigned &= ~found
        return refs


@dataclass
class Hospital:
    """The sample site: one building with its levels, lowest first."""

    building: str
    levels: list[Level]
    seed: int

    def level(self, ordinal: int) -> Level:
        for level in self.levels:
            if level.ordinal == ordinal:
                return level
        raise KeyError(f"level {ordinal} not found")

    @property
    def rooms(self) -> list[Room]:
        return [room for level in self.levels for room in level.rooms]


def build_hospital(seed: int = 2026) -> Hospital:
    """Build the sample hospital: 4 levels of rooms with categories, lines and shielding.

    Parameters
    ----------
    seed
        Seed of ``numpy.random.default_rng``. It draws the extra loss of each shielded room
        within the range given in ``layout``. The plan itself does not depend on the seed.

    Returns
    -------
    Hospital
        Levels from the basement (ordinal -1) to the second floor (ordinal 2), every room a
        polygon in plan metres.
    """
    rng = np.random.default_rng(seed)
    levels = [_build_level(spec, rng) for spec in layout.LEVEL_SPECS]
    _number_analog_lines(levels)
    return Hospital(building=BUILDING_NAME, levels=levels, seed=seed)


def _build_level(spec: LevelSpec, rng: np.random.Generator) -> Level:
    # Rectangles of every room, with the information to turn each into a Room.
    placed = _corridors(spec.ordinal) + _band(spec, spec.south, layout.SOUTH_BAND_CM, "1")
    placed += _core(spec)
    placed += _band(spec, spec.north, layout.NORTH_BAND_CM, "3")

    # Polygons whose rings contain every neighbour's corner that lies on their edges.
    rects = [rect for rect, *_ in placed]
    polygons = _polygons_with_shared_vertices(rects)

    rooms = [
        _make_room(ref, room_spec, polygon, door, rng)
        for (rect, ref, room_spec, door), polygon in zip(placed, polygons)
    ]
    return Level(name=spec.name, ordinal=spec.ordinal, rooms=rooms, route=_route())


def _corridors(ordinal: int) -> list[tuple[Rect, str, RoomSpec, Door | None]]:
    x_west, x_east = layout.CORE_X_CM
    south_y0, south_y1 = layout.SOUTH_CORRIDOR_CM
    north_y0, north_y1 = layout.NORTH_CORRIDOR_CM
    core_y0, core_y1 = layout.CORE_CM
    rects = [
        (0, south_y0, layout.LENGTH_CM, south_y1),
        (x_east, core_y0, layout.LENGTH_CM, core_y1),
        (0, north_y0, layout.LENGTH_CM, north_y1),
        (0, core_y0, x_west, core_y1),
    ]
    return [
        (rect, _corridor_ref(ordinal, number), RoomSpec(name, "corridor", rect[2] - rect[0]), None)
        for number, (rect, name) in enumerate(zip(rects, CORRIDOR_NAMES), start=1)
    ]


def _corridor_ref(ordinal: int, number: int) -> str:
    return f"{ordinal}-0{number:02d}"


def _band(spec: LevelSpec, rooms: list[RoomSpec], band_cm: tuple[int, int],
          ref_digit: str) -> list[tuple[Rect, str, RoomSpec, Door | None]]:
    y0, y1 = band_cm
    south = band_cm == layout.SOUTH_BAND_CM
    wall_y, normal = (y1, (0.0, -1.0)) if south else (y0, (0.0, 1.0))
    corridor_ref = _corridor_ref(spec.ordinal, SOUTH_CORRIDOR if south else NORTH_CORRIDOR)
    _check_width(spec, rooms, layout.LENGTH_CM)

    placed = []
    x = 0
    for index, room_spec in enumerate(rooms, start=1):
        rect = (x, y0, x + room_spec.width_cm, y1)
        door = Door((rect[0] + rect[2]) / 200, wall_y / 100, normal, corridor_ref)
        placed.append((rect, f"{spec.ordinal}-{ref_digit}{index:02d}", room_spec, door))
        x += room_spec.width_cm
    return placed


def _core(spec: LevelSpec) -> list[tuple[Rect, str, RoomSpec, Door | None]]:
    y0, y1 = layout.CORE_CM
    split = layout.CORE_SPLIT_CM
    south_door = (y0, (0.0, 1.0), _corridor_ref(spec.ordinal, SOUTH_CORRIDOR))
    north_door = (y1, (0.0, -1.0), _corridor_ref(spec.ordinal, NORTH_CORRIDOR))
    widths = [bay.south.width_cm if isinstance(bay, HalfPair) else bay.width_cm for bay in spec.core]
    _check_width(spec, widths, layout.CORE_X_CM[1] - layout.CORE_X_CM[0])

    # Each entry: rectangle, room spec and which corridor its door opens on.
    pieces: list[tuple[Rect, RoomSpec, tuple]] = []
    x = layout.CORE_X_CM[0]
    for bay, width in zip(spec.core, widths):
        if isinstance(bay, HalfPair):
            pieces.append(((x, y0, x + width, split), bay.south, south_door))
            pieces.append(((x, split, x + width, y1), bay.north, north_door))
        else:
            pieces.append(((x, y0, x + width, y1), bay, south_door if bay.door == "S" else north_door))
        x += width

    placed = []
    for index, (rect, room_spec, (wall_y, normal, corridor_ref)) in enumerate(pieces, start=1):
        door = Door((rect[0] + rect[2]) / 200, wall_y / 100, normal, corridor_ref)
        placed.append((rect, f"{spec.ordinal}-2{index:02d}", room_spec, door))
    return placed


def _check_width(spec: LevelSpec, rooms: list, expected_cm: int) -> None:
    total = sum(room if isinstance(room, int) else room.width_cm for room in rooms)
    if total != expected_cm:
        raise ValueError(f"rooms of level {spec.ordinal} are {total} cm long, expected {expected_cm} cm")


def _route() -> list[tuple[float, float]]:
    # The loop along the corridor axes, counter-clockwise from the south-west corner.
    x_west = layout.CROSS_CORRIDOR_WIDTH_CM / 200
    x_east = layout.LENGTH_CM / 100 - x_west
    y_south = sum(layout.SOUTH_CORRIDOR_CM) / 200
    y_north = sum(layout.NORTH_CORRIDOR_CM) / 200
    return [(x_west, y_south), (x_east, y_south), (x_east, y_north), (x_west, y_north), (x_west, y_south)]


def _polygons_with_shared_vertices(rects: list[Rect]) -> list[Polygon]:
    corners = {(x, y) for x0, y0, x1, y1 in rects for x in (x0, x1) for y in (y0, y1)}
    return [_rect_polygon(rect, corners) for rect in rects]


def _rect_polygon(rect: Rect, corners: set[tuple[int, int]]) -> Polygon:
    x0, y0, x1, y1 = rect

    # Corners of other rooms on each edge, in counter-clockwise order from (x0, y0).
    bottom = sorted(x for x, y in corners if y == y0 and x0 <= x < x1)
    right = sorted(y for x, y in corners if x == x1 and y0 <= y < y1)
    top = sorted((x for x, y in corners if y == y1 and x0 < x <= x1), reverse=True)
    left = sorted((y for x, y in corners if x == x0 and y0 < y <= y1), reverse=True)

    ring = [(x, y0) for x in bottom] + [(x1, y) for y in right]
    ring += [(x, y1) for x in top] + [(x0, y) for y in left]
    return Polygon([(x / 100, y / 100) for x, y in ring])


def _make_room(ref: str, spec: RoomSpec, polygon: Polygon, door: Door | None,
               rng: np.random.Generator) -> Room:
    if spec.category not in CATEGORIES:
        raise ValueError(f"unknown room category {spec.category!r} for {spec.name!r}")
    extra_loss = 0.0
    if spec.shielding_db is not None:
        extra_loss = round(float(rng.uniform(*spec.shielding_db)), 1)
    return Room(
        ref=ref,
        name=spec.name,
        category=spec.category,
        criticality=spec.criticality or default_criticality(spec.category),
        analog_line=spec.analog_line,
        line_number=None,
        polygon=polygon,
        wall_material=spec.material or _default_material(spec.category),
        extra_loss_db=extra_loss,
        notes=spec.notes,
        door=door,
    )


def _default_material(category: str) -> str:
    return CONCRETE if category in CONCRETE_CATEGORIES else DRYWALL


def _number_analog_lines(levels: list[Level]) -> None:
    # Clearly fake numbers of the form "01 00 00 00 NN", in level and ref order.
    number = 0
    for level in levels:
        for room in level.rooms:
            if room.analog_line:
                number += 1
                room.line_number = f"01 00 00 00 {number:02d}"
