"""The technician's walk through one level, as waypoints and one position per second.

The walk has two parts. First the technician follows the corridor loop once, zig-zagging
across a corridor where a straight pass would give too few samples. Then they follow the
loop again and enter every room on the way: through the door, a zig-zag that covers the
room, and back out. Every waypoint falls on a whole second and the speed is constant
between two waypoints, so interpolating the waypoints linearly in time gives back the
positions exactly. Where the path crosses a wall it has a waypoint 0.3 m before and after
it, so no sampled position lies on a wall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point

from survey.simulate.building import DOOR_OFFSET_M, Level, Room
from survey.simulate.walls import wall_crossing_fractions

# Walking speed in m/s, drawn once per walk: a slow indoor pace while holding phones.
SPEED_RANGE_M_S = (0.9, 1.1)

# Samples required inside each room at one sample per second: at least 12 and one per 3 m²,
# above the default verdict rule of 10 and one per 4 m².
MIN_SAMPLES_PER_ROOM = 12
AREA_PER_SAMPLE_M2 = 3.0
EXTRA_SECONDS = 2  # margin for the seconds that a phone app skips

# Distance kept from the walls while zig-zagging, in metres.
WALL_MARGIN_M = 0.5

# Short stops in front of a door (opening it, waiting for staff), in seconds.
DOOR_PAUSE_PROBABILITY = 0.25
DOOR_PAUSE_SECONDS = (2, 6)

Point2 = tuple[float, float]


@dataclass(frozen=True)
class WalkDensity:
    """How long the technician stays in each room, as samples at one per second.

    The defaults are those of the sample hospital: at least 12 samples and one per 3 m²,
    above the default verdict rule of 10 and one per 4 m².
    """

    min_samples: int = MIN_SAMPLES_PER_ROOM
    area_per_sample_m2: float = AREA_PER_SAMPLE_M2
    extra_seconds: int = EXTRA_SECONDS


DEFAULT_DENSITY = WalkDensity()

# Seconds spent in a room entered only briefly: a step through the door and back.
BRIEF_VISIT_DEPTH_M = 1.5


@dataclass
class Walk:
    """A walk through one level: waypoints, positions per second and room visits."""

    waypoints: pd.DataFrame  # time, x_m, y_m: every turn of the path
    positions: pd.DataFrame  # time, x_m, y_m, room_ref: one row per second
    visits: pd.DataFrame  # room, start, end: corridors in the first part, rooms in the second


def walk_level(hospital_level: Level, start_time: pd.Timestamp,
               seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate the technician's walk through one level.

    Parameters
    ----------
    hospital_level
        The level to walk. Rooms must be axis-aligned rectangles with a door on a corridor,
        and the level's ``route`` must run along the corridor axes.
    start_time
        Time of the first waypoint, timezone-aware, on a whole second.
    seed
        Seed of the walking speed and of the stops at doors.

    Returns
    -------
    waypoints, positions
        ``waypoints`` has columns ``time, x_m, y_m`` with one row per turn of the path.
        ``positions`` has ``time, x_m, y_m, room_ref`` with one row per second.
    """
    walk = plan_walk(hospital_level, start_time, seed)
    return walk.waypoints, walk.positions


def plan_walk(level: Level, start_time: pd.Timestamp, seed: int,
              density: WalkDensity = DEFAULT_DENSITY,
              brief_rooms: frozenset[str] = frozenset()) -> Walk:
    """Simulate the walk through ``level`` like :func:`walk_level`, and return its visits too.

    ``density`` sets the time spent in each room and corridor. The rooms whose refs are in
    ``brief_rooms`` are entered only a step past the door, as a technician does when a room
    is busy, so they get a handful of samples near the door.
    """
    rng = np.random.default_rng(seed)
    speed = float(rng.uniform(*SPEED_RANGE_M_S))
    path = _Path(speed, level)
    path.density = density

    # Part 1: the corridor loop, one visit per corridor.
    visits = _walk_corridor_loop(path, level)

    # Part 2: the loop again, entering every room on the way.
    visits += _walk_rooms(path, level, rng, brief_rooms)

    return _timed_walk(path, level, start_time, visits)


class _Path:
    """Waypoints with the whole number of seconds spent reaching each one."""

    def __init__(self, speed: float, level: Level) -> None:
        self.speed = speed
        self.level = level
        self.points: list[Point2] = []
        self.seconds: list[int] = []
        self.density = DEFAULT_DENSITY

    @property
    def last(self) -> Point2:
        return self.points[-1]

    def go(self, point: Point2) -> None:
        """Walk straight to ``point``, adding a waypoint on either side of each wall crossed."""
        point = (round(point[0], 2), round(point[1], 2))
        if not self.points:
            self.points.append(point)
            self.seconds.append(0)
            return
        start = np.array(self.last)
        end = np.array(point)
        length = float(np.hypot(*(end - start)))
        if length < 0.01:
            return
        direction = (end - start) / length
        for fraction in wall_crossing_fractions(self.last, point, self.level.walls):
            crossing = start + fraction * length * direction
            for offset in (-DOOR_OFFSET_M, DOOR_OFFSET_M):
                self._append(tuple(crossing + offset * direction))
        self._append(point)

    def pause(self, seconds: int) -> None:
        self.points.append(self.last)
        self.seconds.append(seconds)

    def _append(self, point: tuple) -> None:
        point = (round(float(point[0]), 2), round(float(point[1]), 2))
        length = math.hypot(point[0] - self.last[0], point[1] - self.last[1])
        if length < 0.01:
            return
        self.points.append(point)
        self.seconds.append(max(1, math.ceil(length / self.speed - 1e-9)))


def _walk_corridor_loop(path: _Path, level: Level) -> list[tuple[str, int, int]]:
    route = level.route
    path.go(route[0])
    first = len(path.points) - 1
    for corner in route[1:]:
        path.go(corner)

    # Zig-zag across corridors where the straight pass is too short, from the last run on
    # so that the indices of earlier runs stay valid.
    for ref, start, end in reversed(_corridor_runs(path, level, first)):
        _widen_corridor_run(path, level.room(ref), start, end)
    return _corridor_runs(path, level, first)


def _corridor_runs(path: _Path, level: Level, first: int) -> list[tuple[str, int, int]]:
    # Runs of consecutive waypoints in one corridor, from waypoint ``first`` on. The last
    # run closes the loop in the corridor where the first one started, so it is no visit.
    refs = level.locate(*np.array(path.points[first:]).T)
    runs: list[tuple[str, int, int]] = []
    for index, ref in enumerate(refs, start=first):
        if runs and runs[-1][0] == ref:
            runs[-1] = (ref, runs[-1][1], index)
        else:
            runs.append((ref, index, index))
    if len(runs) > 1 and runs[-1][0] == runs[0][0]:
        runs = runs[:-1]
    return runs


def _widen_corridor_run(path: _Path, corridor: Room, start: int, end: int) -> None:
    # Replace the longest straight leg between waypoints ``start`` and ``end`` by a zig-zag
    # across the corridor, with as many turns as it takes to stay there long enough.
    needed = _required_seconds(corridor, path.density)
    walked = sum(path.seconds[start + 1:end + 1])
    if walked >= needed or end == start:
        return
    lengths = [math.dist(path.points[i], path.points[i + 1]) for i in range(start, end)]
    leg = start + int(np.argmax(lengths))
    a, b = path.points[leg], path.points[leg + 1]
    other_legs = walked - path.seconds[leg + 1]
    turns = 1
    zigzag = _zigzag(a, b, corridor, turns)
    while other_legs + _duration(a, zigzag, path.speed) < needed:
        turns += 1  # each turn adds at least one second, so the loop ends
        zigzag = _zigzag(a, b, corridor, turns)

    tail_points, tail_seconds = path.points[leg + 2:], path.seconds[leg + 2:]
    del path.points[leg + 1:], path.seconds[leg + 1:]
    for point in zigzag:
        path._append(point)
    path.points += tail_points
    path.seconds += tail_seconds


def _zigzag(a: Point2, b: Point2, room: Room, turns: int) -> list[Point2]:
    # Points from a to b that alternate between the two sides of the straight line.
    min_x, min_y, max_x, max_y = room.polygon.bounds
    ax, ay = a
    bx, by = b
    along_x = abs(bx - ax) >= abs(by - ay)
    if along_x:
        sides = (min_y + WALL_MARGIN_M, max_y - WALL_MARGIN_M)
    else:
        sides = (min_x + WALL_MARGIN_M, max_x - WALL_MARGIN_M)
    points = []
    for step in range(1, turns + 1):
        fraction = step / (turns + 1)
        side = sides[step % 2]
        x = ax + fraction * (bx - ax)
        y = ay + fraction * (by - ay)
        points.append((x, side) if along_x else (side, y))
    points.append(b)
    return points


def _walk_rooms(path: _Path, level: Level, rng: np.random.Generator,
                brief_rooms: frozenset[str] = frozenset()) -> list[tuple[str, int, int]]:
    route_line = LineString(level.route)
    rooms = [room for room in level.rooms if room.door is not None]
    rooms.sort(key=lambda room: route_line.project(Point(room.door.outside())))

    visits = []
    walked = 0.0
    for room in rooms:
        # Along the corridor to the point of the loop in front of the door.
        stop = route_line.project(Point(room.door.outside()))
        _go_along_route(path, route_line, walked, stop)
        walked = stop

        # Through the door, around the room, and back to the corridor axis.
        path.go(room.door.outside())
        if rng.random() < DOOR_PAUSE_PROBABILITY:
            path.pause(int(rng.integers(*DOOR_PAUSE_SECONDS)))
        path.go(room.door.inside())
        first = len(path.points) - 1
        if room.ref in brief_rooms:
            sweep = _brief_visit(room)
        else:
            sweep = _room_sweep(room, room.door.inside(), path.speed, path.density)
        for point in sweep:
            path.go(point)
        visits.append((room.ref, first, len(path.points) - 1))
        path.go(room.door.outside())
        path.go(_point_at(route_line, stop))

    _go_along_route(path, route_line, walked, route_line.length)
    return visits


def _go_along_route(path: _Path, route_line: LineString, start: float, end: float) -> None:
    coords = list(route_line.coords)
    distances = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(np.array(coords), axis=0).T))])
    for corner, distance in zip(coords, distances):
        if start < distance < end:
            path.go(corner)
    path.go(_point_at(route_line, end))


def _point_at(line: LineString, distance: float) -> Point2:
    point = line.interpolate(distance)
    return (point.x, point.y)


def _brief_visit(room: Room) -> list[Point2]:
    # A step straight in from the door and back to it.
    inside = room.door.inside()
    depth = min(BRIEF_VISIT_DEPTH_M, _room_depth(room) / 2)
    step = (inside[0] + depth * room.door.normal[0], inside[1] + depth * room.door.normal[1])
    return [step, inside]


def _room_depth(room: Room) -> float:
    min_x, min_y, max_x, max_y = room.polygon.bounds
    return max_y - min_y if room.door.normal[0] == 0 else max_x - min_x


def _room_sweep(room: Room, entry: Point2, speed: float,
                density: WalkDensity = DEFAULT_DENSITY) -> list[Point2]:
    # A zig-zag of parallel lines along the room's longer side, from the door and back to
    # it, with as many lines as it takes to spend the required time inside.
    needed = _required_seconds(room, density)
    min_x, min_y, max_x, max_y = room.polygon.bounds
    margin = min(WALL_MARGIN_M, (max_x - min_x) / 4, (max_y - min_y) / 4)
    box = (min_x + margin, min_y + margin, max_x - margin, max_y - margin)
    lines = 1
    sweep = _parallel_lines(box, lines, entry) + [entry]
    while _duration(entry, sweep, speed) < needed:
        lines += 1  # each line adds at least one second, so the loop ends
        sweep = _parallel_lines(box, lines, entry) + [entry]
    return sweep


def _parallel_lines(box: tuple[float, float, float, float], lines: int, entry: Point2) -> list[Point2]:
    min_x, min_y, max_x, max_y = box
    horizontal = (max_x - min_x) >= (max_y - min_y)
    across = (min_y, max_y) if horizontal else (min_x, max_x)
    along = (min_x, max_x) if horizontal else (min_y, max_y)
    offsets = np.linspace(*across, lines) if lines > 1 else [sum(across) / 2]

    # Start with the line and the end nearest to the door.
    entry_across = entry[1] if horizontal else entry[0]
    entry_along = entry[0] if horizontal else entry[1]
    if abs(offsets[-1] - entry_across) < abs(offsets[0] - entry_across):
        offsets = offsets[::-1]
    ends = list(along) if abs(along[0] - entry_along) <= abs(along[1] - entry_along) else list(along[::-1])

    points = []
    for offset in offsets:
        for end in ends:
            points.append((end, offset) if horizontal else (offset, end))
        ends.reverse()
    return points


def _required_seconds(room: Room, density: WalkDensity = DEFAULT_DENSITY) -> int:
    by_area = math.ceil(room.area_m2 / density.area_per_sample_m2)
    return max(density.min_samples, by_area) + density.extra_seconds


def _duration(start: Point2, points: list[Point2], speed: float) -> int:
    total = 0
    previous = start
    for point in points:
        length = math.hypot(point[0] - previous[0], point[1] - previous[1])
        if length >= 0.01:
            total += max(1, math.ceil(length / speed - 1e-9))
        previous = point
    return total


def _timed_walk(path: _Path, level: Level, start_time: pd.Timestamp,
                visits: list[tuple[str, int, int]]) -> Walk:
    elapsed = np.cumsum(path.seconds)
    points = np.array(path.points)
    times = start_time + pd.to_timedelta(elapsed, unit="s")
    waypoints = pd.DataFrame({"time": times, "x_m": points[:, 0], "y_m": points[:, 1]})

    # One position per second, interpolated between the waypoints.
    seconds = np.arange(0, elapsed[-1] + 1)
    x = np.interp(seconds, elapsed, points[:, 0])
    y = np.interp(seconds, elapsed, points[:, 1])
    positions = pd.DataFrame({
        "time": start_time + pd.to_timedelta(seconds, unit="s"),
        "x_m": x,
        "y_m": y,
        "room_ref": level.locate(x, y),
    })

    visit_rows = pd.DataFrame({
        "room": [ref for ref, _, _ in visits],
        "start": [times[first] for _, first, _ in visits],
        "end": [times[last] for _, _, last in visits],
    })
    return Walk(waypoints=waypoints, positions=positions, visits=visit_rows)
