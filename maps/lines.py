"""The fixed lines of a level, numbered the same way on every map, poster and report.

A level's lines are its rooms with an analog line and the rooms where the recommendation is
to install one. They are numbered from 1 in reading order of the plan (north to south, then
west to east), so that "line 3" names the same telephone on the poster, the map and the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass

from maps.geometry import label_anchor
from survey.results import LevelResult, RoomResult


@dataclass(frozen=True)
class FixedLine:
    """One analog line, existing or to install, with its number on its level and its position in metres."""

    number: int
    room: RoomResult
    proposed: bool
    x_m: float
    y_m: float


def has_line_marker(room: RoomResult) -> bool:
    """Return whether the room has an analog line or is recommended one."""
    return room.analog_line or room.recommendation.action == "install_analog_line"


def level_lines(level: LevelResult) -> list[FixedLine]:
    """Return the numbered fixed lines of a level, in reading order of the plan."""
    anchors = []
    for room in level.rooms:
        if has_line_marker(room) and not room.geometry.is_empty:
            anchor = label_anchor(room.geometry)
            anchors.append((room, anchor.x, anchor.y))

    # Rows of 2 m from the north, then west to east, so small offsets do not reorder a row.
    anchors.sort(key=lambda item: (-round(item[2] / 2.0), item[1], item[0].ref))
    return [
        FixedLine(number, room, not room.analog_line, x_m, y_m)
        for number, (room, x_m, y_m) in enumerate(anchors, start=1)
    ]


def line_by_room(lines: list[FixedLine]) -> dict[str, FixedLine]:
    """Return the lines keyed by their room's ref."""
    return {line.room.ref: line for line in lines}
