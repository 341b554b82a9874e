"""Placement: give each sample a level, a position and a room.

Three sources, by what the technician recorded:

- ``xy``: the log has x_m and y_m columns, on the level given with the upload;
- ``track``: waypoints (time, x_m, y_m[, level]) marked while walking; a sample between two
  waypoints is placed by linear interpolation in time, which is exact for a walk at constant
  speed between turns;
- ``room_visit``: "from t1 to t2 I was in room B2-104": the room is known, not the position;
- ``gps``: the phone's own fixes, on a level georeferenced to WGS84, when nothing else is given.

Samples outside every track's or visit's time span stay unplaced (``position_source`` is
``none``); they are stored and counted, never dropped.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from survey.errors import InputError, RowError
from survey.i18n import _
from survey.timeparse import parse_times


@dataclass
class Track:
    """Waypoints sorted by time; ``level`` is None when the whole track is on one level."""

    waypoints: pd.DataFrame  # time (UTC), x_m, y_m, level (string or missing)
    filename: str
    notes: list[str] = field(default_factory=list)  # local times in a DST fold or gap


def read_track(data: bytes, filename: str, timezone: str) -> Track:
    """Read a track from CSV ``time,x_m,y_m[,level]`` or JSON (a list, or ``{"waypoints": [...]}``)."""
    frame = _read_table(data, filename, required=("time", "x_m", "y_m"))
    errors: list[RowError] = []
    times, time_errors, notes = parse_times(frame["time"], timezone, column="time", first_line=2)
    errors.extend(time_errors)
    x_m = _numbers(frame, "x_m", errors)
    y_m = _numbers(frame, "y_m", errors)
    if errors:
        raise InputError(
            _("the track has {count} invalid rows; nothing was stored").format(count=len(errors)),
            file=filename,
            errors=errors,
            fix=_("a track row is: time (ISO 8601), x_m and y_m in metres"),
        )
    waypoints = pd.DataFrame({"time": times, "x_m": x_m, "y_m": y_m})
    waypoints["level"] = frame["level"].astype("string") if "level" in frame else pd.NA
    waypoints = waypoints.sort_values("time", kind="stable").reset_index(drop=True)
    if len(waypoints) < 2:
        raise InputError(_("a track needs at least two waypoints"), file=filename, fix=_("mark a waypoint at every turn"))
    return Track(waypoints, filename, notes)


def read_visits(data: bytes, filename: str, timezone: str) -> pd.DataFrame:
    """Read room visits from CSV ``room,start,end`` (room ref, times); returns room, start, end.

    Notes on local times in a DST fold or gap are in the frame's ``attrs["notes"]``.
    """
    frame = _read_table(data, filename, required=("room", "start", "end"))
    start, start_errors, start_notes = parse_times(frame["start"], timezone, column="start", first_line=2)
    end, end_errors, end_notes = parse_times(frame["end"], timezone, column="end", first_line=2)
    errors = start_errors + end_errors
    for index in np.nonzero((end < start).fillna(False).to_numpy())[0]:
        errors.append(RowError(int(index) + 2, "end", str(frame["end"].iloc[index]), _("the visit ends before it starts")))
    if errors:
        raise InputError(
            _("the room visits have {count} invalid rows; nothing was stored").format(count=len(errors)),
            file=filename,
            errors=errors,
            fix=_("a visit row is: room ref, start time, end time"),
        )
    visits = pd.DataFrame({"room": frame["room"].astype("string").str.strip(), "start": start, "end": end})
    visits.attrs["notes"] = list(dict.fromkeys(start_notes + end_notes))
    return visits


def place_on_track(samples: pd.DataFrame, track: Track, level_ids: dict[str | None, int]) -> pd.DataFrame:
    """Place samples on a track; ``level_ids`` maps the track's level names (or None) to ids."""
    samples = samples.copy()
    waypoint_ns = track.waypoints["time"].astype("int64").to_numpy()
    sample_ns = samples["time"].astype("int64").to_numpy()
    inside = (sample_ns >= waypoint_ns[0]) & (sample_ns <= waypoint_ns[-1]) & samples["time"].notna().to_numpy()

    # Linear interpolation of x and y in time between the surrounding waypoints.
    x_m = np.interp(sample_ns, waypoint_ns, track.waypoints["x_m"].to_numpy(dtype=float))
    y_m = np.interp(sample_ns, waypoint_ns, track.waypoints["y_m"].to_numpy(dtype=float))

    # A sample takes the level of the waypoint before it; a leg that changes level (stairs,
    # lift) has no position worth interpolating, so its samples go to the nearer waypoint.
    previous = np.clip(np.searchsorted(waypoint_ns, sample_ns, side="right") - 1, 0, len(waypoint_ns) - 1)
    following = np.clip(previous + 1, 0, len(waypoint_ns) - 1)
    levels = track.waypoints["level"].astype("string").fillna("").to_numpy()
    changes_level = levels[previous] != levels[following]
    nearer = np.where(sample_ns - waypoint_ns[previous] <= waypoint_ns[following] - sample_ns, previous, following)
    x_m = np.where(changes_level, track.waypoints["x_m"].to_numpy(dtype=float)[nearer], x_m)
    y_m = np.where(changes_level, track.waypoints["y_m"].to_numpy(dtype=float)[nearer], y_m)
    level_names = np.where(changes_level, levels[nearer], levels[previous])
    level_column = pd.Series([level_ids.get(name or None, level_ids.get(None)) for name in level_names], dtype="Int64")

    samples.loc[inside, "x_m"] = x_m[inside]
    samples.loc[inside, "y_m"] = y_m[inside]
    samples.loc[inside, "level_id"] = level_column[inside].to_numpy()
    samples.loc[inside, "position_source"] = "track"
    return samples


def place_by_visits(samples: pd.DataFrame, visits: pd.DataFrame, rooms: dict[str, tuple[int, int]]) -> pd.DataFrame:
    """Give samples inside a visit the room and level of that visit; ``rooms`` maps ref -> (room id, level id)."""
    unknown = sorted(set(visits["room"]) - set(rooms))
    if unknown:
        raise InputError(
            _("the room visits name rooms that are not on the plan: {refs}").format(refs=", ".join(unknown)),
            column="room",
            value=unknown[0],
            fix=_("import the plan first, or correct the room refs"),
        )
    samples = samples.copy()
    sample_ns = samples["time"].astype("int64").to_numpy()
    for visit in visits.itertuples(index=False):
        inside = (sample_ns >= visit.start.value) & (sample_ns <= visit.end.value) & samples["time"].notna().to_numpy()
        room_id, level_id = rooms[visit.room]
        samples.loc[inside, "room_id"] = room_id
        samples.loc[inside, "level_id"] = level_id
        samples.loc[inside, "position_source"] = "room_visit"
    return samples


def place_by_gps(samples: pd.DataFrame, gps: pd.DataFrame, level_id: int, georeference: dict) -> pd.DataFrame:
    """Place samples at their GPS fix (``gps``: lon, lat aligned with ``samples``) on a georeferenced level."""
    from survey.plans.georeference import wgs84_to_plan

    samples = samples.copy()
    lon = pd.to_numeric(gps["lon"], errors="coerce").to_numpy(dtype=float)
    lat = pd.to_numeric(gps["lat"], errors="coerce").to_numpy(dtype=float)
    fixed = np.isfinite(lon) & np.isfinite(lat)
    if not fixed.any():
        return samples
    x_m, y_m = wgs84_to_plan(georeference, lon[fixed], lat[fixed])
    positions = samples.index[fixed]
    samples.loc[positions, "x_m"] = np.asarray(x_m, dtype=float)
    samples.loc[positions, "y_m"] = np.asarray(y_m, dtype=float)
    samples.loc[positions, "level_id"] = level_id
    samples.loc[positions, "position_source"] = "gps"
    return samples


def assign_rooms(samples: pd.DataFrame, level_id: int, rooms: list[tuple[int, BaseGeometry]]) -> pd.DataFrame:
    """Set ``room_id`` of the samples of one level from their x, y; a point on a shared wall goes to one room."""
    mask = (samples["level_id"] == level_id).fillna(False) & samples["x_m"].notna() & samples["y_m"].notna()
    mask &= samples["position_source"] != "room_visit"
    if not mask.any() or not rooms:
        return samples
    tree = shapely.STRtree([geometry for _room_id, geometry in rooms])
    points = shapely.points(samples.loc[mask, "x_m"].to_numpy(), samples.loc[mask, "y_m"].to_numpy())
    point_index, room_index = tree.query(points, predicate="intersects")
    first = np.unique(point_index, return_index=True)[1]
    room_ids = np.full(len(points), -1, dtype=np.int64)
    room_ids[point_index[first]] = np.array([room_id for room_id, _geometry in rooms])[room_index[first]]
    samples = samples.copy()
    positions = samples.index[mask]
    samples.loc[positions, "room_id"] = pd.array(np.where(room_ids >= 0, room_ids, None), dtype="Int64")
    return samples


def _read_table(data: bytes, filename: str, required: tuple[str, ...]) -> pd.DataFrame:
    text = data.decode("utf-8-sig", errors="replace")
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            document = json.loads(stripped)
        except json.JSONDecodeError as error:
            raise InputError(
                _("the file is not valid JSON: {error}").format(error=error.msg), file=filename, line=error.lineno
            ) from None
        if isinstance(document, dict):
            document = document.get("waypoints") or document.get("visits") or []
        frame = pd.DataFrame(document).astype("string")
    else:
        first_line = text.split("\n", 1)[0]
        separator = ";" if first_line.count(";") > first_line.count(",") else ","
        frame = pd.read_csv(io.StringIO(text), sep=separator, dtype="string", skipinitialspace=True)
        if separator == ";":
            frame = frame.apply(lambda column: column.str.replace(",", ".", regex=False))
    frame.columns = [str(column).strip().lower() for column in frame.columns]
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise InputError(
            _("missing columns: {columns}").format(columns=", ".join(missing)),
            file=filename,
            line=1,
            fix=_("the first line must name the columns: {columns}").format(columns=",".join(required)),
        )
    return frame


def _numbers(frame: pd.DataFrame, column: str, errors: list[RowError]) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    for index in np.nonzero(values.isna().to_numpy())[0]:
        errors.append(RowError(int(index) + 2, column, str(frame[column].iloc[index]), _("not a number")))
    return values.astype(float)
