"""Generated floors for benchmark scenarios: corridors, rooms, doors, materials and shielding.

A floor is a rectangle with its origin at the south-west corner, x to the east and y to the
north, like the sample hospital's levels. Two corridor layouts are drawn:

- ``racetrack``: a band of rooms along each façade, two corridors, a core of rooms between
  them and two cross corridors at the ends of the core, so the corridors form a loop;
- ``spine``: a band of rooms along each façade on either side of one corridor.

Every room has a door on a corridor, so the technician's walk of ``survey.simulate.walk``
reaches it. Lengths are whole centimetres so that shared walls have identical vertices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from survey.categories import default_criticality
from survey.simulate.building import (
    CONCRETE,
    DRYWALL,
    SHIELDED_LOSS_DB,
    Door,
    Level,
    Room,
    _polygons_with_shared_vertices,
)

Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 in centimetres

LAYOUTS = ("racetrack", "spine")

# Wall materials besides plasterboard and concrete.
BRICK = "brick"
GLASS = "glass"
METAL = "metal"
MATERIALS = (DRYWALL, BRICK, CONCRETE, GLASS, METAL)

# Categories of ordinary rooms and their share of a generated floor (estimate of a ward or
# outpatient floor of a general hospital). Names are French because they are data.
ROOM_MIX = (
    ("ward", 0.30, "Chambre"),
    ("office", 0.22, "Bureau"),
    ("consultation", 0.10, "Consultation"),
    ("storage", 0.10, "Réserve"),
    ("technical", 0.06, "Local technique"),
    ("icu", 0.08, "Chambre de réanimation"),
    ("operating_theatre", 0.04, "Bloc opératoire"),
    ("nursing_station", 0.05, "Poste de soins"),
    ("waiting_room", 0.05, "Salle d'attente"),
)
# Shielded rooms: loss at or above which the room is an MRI suite or a radiotherapy bunker
# rather than an X-ray room.
HEAVY_SHIELDING_DB = 60.0
SHIELDED_NAMES = {"mri": "Salle IRM", "radiotherapy": "Bunker de radiothérapie", "radiology": "Salle de radiologie"}

# Share of ordinary rooms with an analog line, and of vital rooms (estimates).
LINE_PROBABILITY = 0.1
VITAL_LINE_PROBABILITY = 0.5

# Room widths vary by up to this fraction around the mean width of their band.
WIDTH_SPREAD = 0.3
MIN_ROOM_WIDTH_CM = 250


@dataclass(frozen=True)
class FloorPlan:
    """Dimensions and contents of one generated floor, in metres."""

    layout: str = "racetrack"
    length_m: float = 60.0
    room_depth_m: float = 6.0
    corridor_width_m: float = 2.4
    core_depth_m: float = 8.0
    rooms: int = 40
    shielded_rooms: int = 4
    shielding_db: tuple[float, float] = (20.0, 100.0)
    materials: tuple[tuple[str, float], ...] = ((DRYWALL, 0.6), (BRICK, 0.2), (CONCRETE, 0.15), (GLASS, 0.05))

    @property
    def depth_m(self) -> float:
        """North-south extent of the floor, in metres."""
        if self.layout == "spine":
            return 2 * self.room_depth_m + self.corridor_width_m
        return 2 * self.room_depth_m + 2 * self.corridor_width_m + self.core_depth_m

    @property
    def area_m2(self) -> float:
        return self.length_m * self.depth_m

    def validate(self) -> None:
        """Raise ValueError when the plan cannot be drawn."""
        if self.layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, got {self.layout!r}")
        if self.rooms < 2:
            raise ValueError(f"rooms must be at least 2, got {self.rooms}")
        if not 0 <= self.shielded_rooms <= self.rooms:
            raise ValueError(f"shielded_rooms must be from 0 to rooms ({self.rooms}), got {self.shielded_rooms}")
        low, high = self.shielding_db
        if not SHIELDED_LOSS_DB <= low <= high:
            raise ValueError(f"shielding_db must be a range from {SHIELDED_LOSS_DB} dB up, got {self.shielding_db}")
        unknown = {name for name, _share in self.materials} - set(MATERIALS)
        if unknown:
            raise ValueError(f"unknown wall materials {sorted(unknown)}; known: {', '.join(MATERIALS)}")


@dataclass(frozen=True)
class _Slot:
    """A rectangle to become a room, with its door and the band it belongs to."""

    rect: Rect
    door: Door | None
    band: str  # "C" for corridors, "S", "K" (core) or "N"


def build_floor(plan: FloorPlan, rng: np.random.Generator, ordinal: int = 0, name: str = "Niveau") -> Level:
    """Draw one floor: corridors, rooms with doors, materials, shielding and analog lines."""
    plan.validate()
    slots = _corridor_slots(plan, ordinal) + _room_slots(plan, rng, ordinal)
    polygons = _polygons_with_shared_vertices([slot.rect for slot in slots])

    # Ordinary rooms first, then the shielded rooms drawn among them.
    rooms = []
    for number, (slot, polygon) in enumerate(zip(slots, polygons), start=1):
        rooms.append(_room(slot, polygon, number, ordinal, plan, rng))
    _add_shielding(rooms, plan, rng)
    _add_lines(rooms, rng)
    return Level(name=name, ordinal=ordinal, rooms=rooms, route=_route(plan))


def _cm(metres: float) -> int:
    return int(round(metres * 100))


def _bands(plan: FloorPlan) -> dict[str, tuple[int, int]]:
    # y extents in centimetres of the room bands and corridors, south to north.
    depth, corridor, core = _cm(plan.room_depth_m), _cm(plan.corridor_width_m), _cm(plan.core_depth_m)
    if plan.layout == "spine":
        return {"S": (0, depth), "C1": (depth, depth + corridor), "N": (depth + corridor, 2 * depth + corridor)}
    y = [0, depth, depth + corridor, depth + corridor + core, depth + 2 * corridor + core, 2 * depth + 2 * corridor + core]
    return {"S": (y[0], y[1]), "C1": (y[1], y[2]), "K": (y[2], y[3]), "C3": (y[3], y[4]), "N": (y[4], y[5])}


def _corridor_slots(plan: FloorPlan, ordinal: int) -> list[_Slot]:
    bands = _bands(plan)
    length = _cm(plan.length_m)
    slots = [_Slot((0, bands["C1"][0], length, bands["C1"][1]), None, "C")]
    if plan.layout == "racetrack":
        corridor = _cm(plan.corridor_width_m)
        core_y0, core_y1 = bands["K"]
        slots.append(_Slot((length - corridor, core_y0, length, core_y1), None, "C"))
        slots.append(_Slot((0, bands["C3"][0], length, bands["C3"][1]), None, "C"))
        slots.append(_Slot((0, core_y0, corridor, core_y1), None, "C"))
    return slots


def _room_slots(plan: FloorPlan, rng: np.random.Generator, ordinal: int) -> list[_Slot]:
    bands = _bands(plan)
    length = _cm(plan.length_m)
    corridor = _cm(plan.corridor_width_m)
    south_corridor, north_corridor = bands["C1"], bands.get("C3", bands["C1"])

    # Room counts per band in proportion to the band's length; a split core counts twice.
    core_length = length - 2 * corridor if plan.layout == "racetrack" else 0
    split_core = plan.core_depth_m >= 2 * 3.0
    lengths = {"S": length, "N": length, "K": core_length * (2 if split_core else 1)}
    total = sum(lengths.values())
    counts = {band: max(1, round(plan.rooms * size / total)) if size else 0 for band, size in lengths.items()}

    slots = []
    for band, (y0, y1) in (("S", bands["S"]), ("N", bands["N"])):
        wall_y, normal = (y1, (0.0, -1.0)) if band == "S" else (y0, (0.0, 1.0))
        for x0, x1 in _widths(0, length, counts[band], rng):
            slots.append(_Slot((x0, y0, x1, y1), Door((x0 + x1) / 200, wall_y / 100, normal, ""), band))
    if core_length:
        slots += _core_slots(plan, rng, counts["K"], split_core, south_corridor, north_corridor)
    return slots


def _core_slots(plan: FloorPlan, rng: np.random.Generator, count: int, split: bool,
                south_corridor: tuple[int, int], north_corridor: tuple[int, int]) -> list[_Slot]:
    corridor = _cm(plan.corridor_width_m)
    y0, y1 = south_corridor[1], north_corridor[0]
    bays = max(1, count // 2) if split else count
    slots = []
    for index, (x0, x1) in enumerate(_widths(corridor, _cm(plan.length_m) - corridor, bays, rng)):
        centre = (x0 + x1) / 200
        if split:
            middle = (y0 + y1) // 2
            slots.append(_Slot((x0, y0, x1, middle), Door(centre, y0 / 100, (0.0, 1.0), ""), "K"))
            slots.append(_Slot((x0, middle, x1, y1), Door(centre, y1 / 100, (0.0, -1.0), ""), "K"))
        elif index % 2 == 0:
            slots.append(_Slot((x0, y0, x1, y1), Door(centre, y0 / 100, (0.0, 1.0), ""), "K"))
        else:
            slots.append(_Slot((x0, y0, x1, y1), Door(centre, y1 / 100, (0.0, -1.0), ""), "K"))
    return slots


def _widths(start: int, end: int, count: int, rng: np.random.Generator) -> list[tuple[int, int]]:
    """Split [start, end) centimetres into ``count`` intervals of random widths."""
    count = max(1, min(count, (end - start) // MIN_ROOM_WIDTH_CM))
    weights = 1 + WIDTH_SPREAD * (2 * rng.random(count) - 1)
    edges = start + np.round(np.cumsum(weights) / weights.sum() * (end - start)).astype(int)
    edges = np.concatenate([[start], edges])
    edges[-1] = end
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]


def _room(slot: _Slot, polygon, number: int, ordinal: int, plan: FloorPlan, rng: np.random.Generator) -> Room:
    if slot.door is None:
        return Room(f"{ordinal}-C{number}", f"Couloir {number}", "corridor", "low", False, None,
                    polygon, DRYWALL, 0.0)
    categories = [category for category, _share, _name in ROOM_MIX]
    shares = np.array([share for _category, share, _name in ROOM_MIX])
    pick = int(rng.choice(len(categories), p=shares / shares.sum()))
    category, name = categories[pick], ROOM_MIX[pick][2]
    names, material_shares = zip(*plan.materials)
    material_share = np.array(material_shares, dtype=float)
    material = names[int(rng.choice(len(names), p=material_share / material_share.sum()))]
    return Room(
        ref=f"{ordinal}-{slot.band}{number:03d}",
        name=f"{name} {number}",
        category=category,
        criticality=default_criticality(category),
        analog_line=False,
        line_number=None,
        polygon=polygon,
        wall_material=material,
        extra_loss_db=0.0,
        door=slot.door,
    )


def _add_shielding(rooms: list[Room], plan: FloorPlan, rng: np.random.Generator) -> None:
    # Shielded rooms are drawn among the rooms, with losses spread evenly over the range so
    # that both ends of it are exercised.
    candidates = [index for index, room in enumerate(rooms) if room.door is not None]
    count = min(plan.shielded_rooms, len(candidates))
    chosen = rng.choice(candidates, size=count, replace=False) if count else []
    low, high = plan.shielding_db
    losses = np.linspace(low, high, count) if count > 1 else np.array([low] * count)
    for index, loss in zip(chosen, rng.permutation(losses)):
        room = rooms[int(index)]
        if loss < HEAVY_SHIELDING_DB:
            category = "radiology"
        else:
            category = "mri" if rng.random() < 0.5 else "radiotherapy"
        room.category = category
        room.criticality = default_criticality(category)
        room.name = f"{SHIELDED_NAMES[category]} {room.ref}"
        room.wall_material = CONCRETE if category != "mri" else METAL
        room.extra_loss_db = round(float(loss), 1)


def _add_lines(rooms: list[Room], rng: np.random.Generator) -> None:
    number = 0
    for room in rooms:
        if room.door is None:
            continue
        chance = VITAL_LINE_PROBABILITY if room.criticality == "vital" else LINE_PROBABILITY
        if rng.random() < chance:
            number += 1
            room.analog_line = True
            room.line_number = f"01 00 00 01 {number:02d}"


def _route(plan: FloorPlan) -> list[tuple[float, float]]:
    # The walker's loop along the corridor axes; along a single corridor it goes and returns.
    bands = _bands(plan)
    corridor = plan.corridor_width_m
    y_south = sum(bands["C1"]) / 200
    if plan.layout == "spine":
        return [(corridor / 2, y_south), (plan.length_m - corridor / 2, y_south), (corridor / 2, y_south)]
    y_north = sum(bands["C3"]) / 200
    x_west, x_east = corridor / 2, plan.length_m - corridor / 2
    return [(x_west, y_south), (x_east, y_south), (x_east, y_north), (x_west, y_north), (x_west, y_south)]
