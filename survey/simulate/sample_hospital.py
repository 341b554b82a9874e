"""Write the whole sample hospital: plans, registry, survey files and ground truth.

Each level is surveyed in a different way so that the demo exercises every input path:

- level -1: native CSV per operator with plan coordinates (one file in a French dialect);
- levels 0 and 1: G-NetTrack Pro logs per operator plus the technician's track;
- level 2: G-NetTrack Pro logs per operator plus room visits, without a track.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from scipy.special import ndtr

from survey.simulate import radio
from survey.simulate.building import Hospital, Level, build_hospital
from survey.simulate.radio import OPERATORS, RadioModel
from survey.simulate.walk import Walk, plan_walk
from survey.simulate.writers import (
    GpsFixes,
    Phone,
    write_gnettrack_log,
    write_native_csv,
    write_plan_geojson,
    write_room_registry,
    write_track_csv,
    write_visits_csv,
)

TIMEZONE = "Europe/Paris"

# The technician's schedule: level ordinals in the order walked, with the local start time.
# The start times are fixed so that file names stay the same when the walk changes.
SURVEY_SCHEDULE = [
    (0, "2026-11-03 09:00:00"),
    (-1, "2026-11-03 09:45:00"),
    (1, "2026-11-04 09:00:00"),
    (2, "2026-11-04 09:45:00"),
]

# Survey file formats per level.
NATIVE_LEVELS = {-1}
TRACK_LEVELS = {0, 1}
VISIT_LEVELS = {2}
FRENCH_DIALECT_PLMN = "208-01"

PHONES = {
    "208-01": Phone("208-01", "Orange", "SM-A546B", reports_sinr=True, reports_timing_advance=True),
    "208-10": Phone("208-10", "SFR", "Pixel 7a", reports_sinr=False, reports_timing_advance=False),
    "208-15": Phone("208-15", "Free", "moto g54 5G", reports_sinr=True, reports_timing_advance=False),
}

# Logger apps skip a second now and then and sometimes write two rows in one second. Half
# of those second rows repeat the first one exactly.
DROP_PROBABILITY = 0.01
DUPLICATE_PROBABILITY = 0.01
EXACT_REPEAT_PROBABILITY = 0.5

# Indoor GPS: a fix near the building, renewed every 20–120 s with a few metres of error.
GPS_ORIGIN = (2.3722, 48.8275, 45.0)  # longitude, latitude in degrees, altitude in metres
GPS_ERROR_DEGREES = 3e-5
GPS_ALTITUDE_ERROR_M = 4.0
GPS_FIX_INTERVAL_S = (20, 120)

# Ground truth: medians over a grid of this pitch inside every room, in metres.
GROUND_TRUTH_GRID_M = 0.25
USABLE_RSRP_DBM = -110.0  # voice rule of the analysis, for the expected pass rate

# Random streams, one per purpose, so that adding one never changes the others.
STREAM_WALK, STREAM_MEASURE, STREAM_SAMPLING, STREAM_GPS, STREAM_WRITER = range(1, 6)


@dataclass(frozen=True)
class LevelSurvey:
    level: Level
    walk: Walk


def write_sample_hospital(out_dir: Path, seed: int = 2026, levels: Iterable[int] | None = None) -> dict:
    """Write the sample hospital and its simulated survey to ``out_dir``.

    Writes ``plans/level_<ordinal>.geojson``, ``rooms.csv``, the survey files of every
    level (see the module docstring) and ``ground_truth.json``. The same seed gives
    byte-identical files.

    Parameters
    ----------
    out_dir
        Folder to write into, created when missing. Existing files of the same names are
        replaced and other files are left alone.
    seed
        Seed of every random draw: shielding, shadowing, walk, phone readings and GPS.
    levels
        Ordinals of the levels whose survey files and ground truth to write; by default
        all. Plans and the room registry always cover every level, and a level's files are
        the same whichever other levels are written.

    Returns
    -------
    dict
        ``seed``, ``rooms``, ``shielded_rooms``, ``seconds`` (time taken) and ``files``: per
        file written, its path relative to ``out_dir``, its ``rows`` where it has rows, and
        its ``bytes``.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    (out_dir / "plans").mkdir(parents=True, exist_ok=True)
    hospital = build_hospital(seed)
    model = RadioModel(hospital, seed)
    selected = {level.ordinal for level in hospital.levels} if levels is None else set(levels)
    rows: dict[str, int | None] = {}

    # Plans and the room registry.
    for level in hospital.levels:
        name = f"plans/level_{level.ordinal}.geojson"
        write_plan_geojson(out_dir / name, hospital, level)
        rows[name] = None
    write_room_registry(out_dir / "rooms.csv", hospital)
    rows["rooms.csv"] = len(hospital.rooms)

    # The survey, level by level in the order the technician walked them. Every level is
    # walked, even when its files are not written, so that the schedule is checked whole.
    surveyed: list[tuple[Level, list[str]]] = []
    for survey in _walk_levels(hospital, seed):
        if survey.level.ordinal in selected:
            written = _write_level_survey(out_dir, survey, model, seed)
            rows.update(written)
            surveyed.append((survey.level, list(written)))

    # Ground truth from the noise-free field.
    write_ground_truth(out_dir / "ground_truth.json", hospital, model, selected)
    rows["ground_truth.json"] = None

    # The manifest `zoneblanche demo` follows to load the files written above.
    _write_manifest(out_dir / "manifest.toml", hospital, surveyed)
    rows["manifest.toml"] = None

    files = {
        name: {"rows": count, "bytes": (out_dir / name).stat().st_size} if count is not None
        else {"bytes": (out_dir / name).stat().st_size}
        for name, count in rows.items()
    }
    return {
        "seed": seed,
        "rooms": len(hospital.rooms),
        "shielded_rooms": sum(room.shielded for room in hospital.rooms),
        "seconds": round(time.perf_counter() - started, 2),
        "files": files,
    }


MANIFEST_SITE = "Centre hospitalier de démonstration"
MANIFEST_SURVEY = "Campagne de novembre 2026"


def _write_manifest(path: Path, hospital: Hospital, levels: list[tuple[Level, list[str]]]) -> None:
    """Write the steps that load the sample hospital: plans, room registry, then each level's files."""
    lines = [
        "# What `zoneblanche demo` loads, in order: the steps a technician and a planner run with",
        "# the command line (site create, plan import, rooms import, ingest). Written by the simulator.",
        f'site = "{MANIFEST_SITE}"',
        f'timezone = "{TIMEZONE}"',
        'registry = "rooms.csv"',
    ]
    for level in sorted(hospital.levels, key=lambda level: level.ordinal):
        lines += ["", "[[plans]]", f'file = "plans/level_{level.ordinal}.geojson"']
    for level, files in levels:
        logs = [name for name in files if name.endswith(".txt") or name.startswith("native_level_")]
        lines += ["", "[[ingest]]", f'survey = "{MANIFEST_SURVEY}"']
        visits = [name for name in files if name.startswith("visits_level_")]
        tracks = [name for name in files if name.startswith("track_level_")]
        if visits:
            lines.append(f'visits = "{visits[0]}"')
        else:
            lines.append(f'level = "{level.name}"')
        if tracks:
            lines.append(f'track = "{tracks[0]}"')
        lines.append("files = [" + ", ".join(f'"{name}"' for name in logs) + "]")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _walk_levels(hospital: Hospital, seed: int) -> list[LevelSurvey]:
    surveys: list[LevelSurvey] = []
    for ordinal, start in SURVEY_SCHEDULE:
        level = hospital.level(ordinal)
        walk = plan_walk(level, pd.Timestamp(start, tz=TIMEZONE), _seed(seed, STREAM_WALK, ordinal))
        if surveys and surveys[-1].walk.positions["time"].iloc[-1] >= walk.positions["time"].iloc[0]:
            raise ValueError(f"the walk before level {ordinal} ends after {start}: move its start later")
        surveys.append(LevelSurvey(level, walk))
    return surveys


def _write_level_survey(out_dir: Path, survey: LevelSurvey, model: RadioModel, seed: int) -> dict[str, int]:
    level, walk = survey.level, survey.walk
    rows: dict[str, int] = {}
    start = walk.positions["time"].iloc[0]

    for index, operator in enumerate(OPERATORS):
        phone = PHONES[operator.plmn]
        stream = (level.ordinal, index)
        times, x, y, readings = _phone_log(walk.positions, model, operator.plmn, level.ordinal, seed, stream)

        if level.ordinal in NATIVE_LEVELS:
            name = f"native_level_{level.ordinal}_{operator.name.lower()}.csv"
            rows[name] = write_native_csv(out_dir / name, times, x, y, readings, phone,
                                          french=operator.plmn == FRENCH_DIALECT_PLMN)
        else:
            name = f"{operator.name}_{start.strftime('%Y.%m.%d_%H.%M.%S')}.txt"
            gps = _gps_fixes(times, level.ordinal, np.random.default_rng(_seed(seed, STREAM_GPS, *stream)))
            rows[name] = write_gnettrack_log(out_dir / name, times, readings, phone, gps,
                                             np.random.default_rng(_seed(seed, STREAM_WRITER, *stream)))

    if level.ordinal in TRACK_LEVELS:
        name = f"track_level_{level.ordinal}.csv"
        rows[name] = write_track_csv(out_dir / name, walk.waypoints)
    if level.ordinal in VISIT_LEVELS:
        name = f"visits_level_{level.ordinal}.csv"
        rows[name] = write_visits_csv(out_dir / name, walk.visits)
    return rows


def _phone_log(positions: pd.DataFrame, model: RadioModel, plmn: str, ordinal: int, seed: int,
               stream: tuple[int, int]) -> tuple[pd.Series, np.ndarray, np.ndarray, pd.DataFrame]:
    """Return the times, positions and readings of every row that one phone's app logged."""
    # Seconds the app logged, with a few skipped and a few doubled.
    sampling_rng = np.random.default_rng(_seed(seed, STREAM_SAMPLING, *stream))
    logged, repeat = _logged_seconds(len(positions), sampling_rng)
    x = positions["x_m"].to_numpy()[logged]
    y = positions["y_m"].to_numpy()[logged]

    # One reading per logged row, except exact repeats that copy the row before.
    readings = model.measure(plmn, ordinal, x, y, np.random.default_rng(_seed(seed, STREAM_MEASURE, *stream)))
    readings = _repeat_rows(readings, repeat)
    times = positions["time"].iloc[logged].reset_index(drop=True)
    return times, x, y, readings


def _seed(seed: int, stream: int, ordinal: int, index: int = 0) -> list[int]:
    # SeedSequence entropy must be non-negative, hence the offset on the level ordinal.
    return [seed, stream, ordinal + 100, index]


def _logged_seconds(seconds: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return the position index of every log row and whether it repeats the row before.

    A second is dropped with :data:`DROP_PROBABILITY`. A second that is not dropped gets a
    second row with :data:`DUPLICATE_PROBABILITY`, an exact repeat half of the time.
    """
    written = rng.random(seconds) >= DROP_PROBABILITY
    doubled = written & (rng.random(seconds) < DUPLICATE_PROBABILITY)
    exact = rng.random(seconds) < EXACT_REPEAT_PROBABILITY
    logged = np.repeat(np.arange(seconds), written.astype(int) + doubled.astype(int))
    repeat = np.zeros(len(logged), dtype=bool)
    second_rows = np.flatnonzero(np.diff(logged) == 0) + 1
    repeat[second_rows] = exact[logged[second_rows]]
    return logged, repeat


def _repeat_rows(readings: pd.DataFrame, repeat: np.ndarray) -> pd.DataFrame:
    # Replace each repeated row by a copy of the row before it.
    source = np.arange(len(readings))
    for row in np.flatnonzero(repeat):
        source[row] = source[row - 1]
    return readings.iloc[source].reset_index(drop=True)


def _gps_fixes(times: pd.Series, ordinal: int, rng: np.random.Generator) -> GpsFixes:
    # Fix times as seconds since the first row; each row shows the last fix before it.
    elapsed = (times - times.iloc[0]).dt.total_seconds().to_numpy()
    fix_times = [0.0]
    while fix_times[-1] < elapsed[-1]:
        fix_times.append(fix_times[-1] + float(rng.integers(*GPS_FIX_INTERVAL_S)))
    longitude = GPS_ORIGIN[0] + rng.normal(0.0, GPS_ERROR_DEGREES, len(fix_times))
    latitude = GPS_ORIGIN[1] + rng.normal(0.0, GPS_ERROR_DEGREES, len(fix_times))
    altitude = GPS_ORIGIN[2] + radio.FLOOR_HEIGHT_M * ordinal
    altitude = altitude + rng.normal(0.0, GPS_ALTITUDE_ERROR_M, len(fix_times))
    current = np.searchsorted(fix_times, elapsed, side="right") - 1
    return GpsFixes(longitude[current], latitude[current], np.round(altitude[current]))


def write_ground_truth(path: Path, hospital: Hospital, model: RadioModel,
                       levels: Iterable[int] | None = None) -> None:
    """Write the simulation's ground truth as JSON, for the rooms of ``levels`` (default all).

    Per room it writes the level, category, shielding and area. Per room and operator it
    writes three values over a 0.25 m grid of the room: the median of the noise-free RSRP
    (``true_median_rsrp_dbm``), the share of points below the phone sensitivity
    (``true_no_service_fraction``), and the expected share of phone samples at or above
    -110 dBm once fast fading is added (``expected_usable_fraction``). The operators, the
    cells and the model constants complete the file.
    """
    selected = None if levels is None else set(levels)
    rooms = []
    for level in hospital.levels:
        if selected is None or level.ordinal in selected:
            rooms += _room_truth(level, model)
    truth = {
        "seed": hospital.seed,
        "building": hospital.building,
        "operators": [{"plmn": operator.plmn, "name": operator.name} for operator in OPERATORS],
        "levels": [{"name": level.name, "ordinal": level.ordinal} for level in hospital.levels],
        "model": _model_constants(),
        "rooms": rooms,
        "stations": [_station_truth(station) for station in model.stations],
    }
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _room_truth(level: Level, model: RadioModel) -> list[dict]:
    # Grid points of every room of the level, evaluated in one call per operator.
    grids = [_room_grid(room.polygon) for room in level.rooms]
    x = np.concatenate([grid[0] for grid in grids])
    y = np.concatenate([grid[1] for grid in grids])
    owner = np.repeat(np.arange(len(grids)), [len(grid[0]) for grid in grids])
    fields = {plmn: model.true_rsrp_dbm(plmn, level.ordinal, x, y) for plmn in model.plmns}

    rooms = []
    for index, room in enumerate(level.rooms):
        values = {plmn: field[owner == index] for plmn, field in fields.items()}
        rooms.append({
            "ref": room.ref,
            "level_ordinal": level.ordinal,
            "name": room.name,
            "category": room.category,
            "shielded": room.shielded,
            "extra_loss_db": room.extra_loss_db,
            "wall_material": room.wall_material,
            "area_m2": round(room.area_m2, 2),
            "true_median_rsrp_dbm": {plmn: _round(np.median(v), 1) for plmn, v in values.items()},
            "true_no_service_fraction": {
                plmn: _round(np.mean(v < radio.SENSITIVITY_DBM), 3) for plmn, v in values.items()
            },
            "expected_usable_fraction": {
                plmn: _round(np.mean(ndtr((v - USABLE_RSRP_DBM) / radio.FAST_FADING_SIGMA_DB)), 3)
                for plmn, v in values.items()
            },
        })
    return rooms


def _room_grid(polygon: shapely.Polygon) -> tuple[np.ndarray, np.ndarray]:
    # Cell centres of a grid aligned on the room's south-west corner, kept when inside.
    min_x, min_y, max_x, max_y = polygon.bounds
    step = GROUND_TRUTH_GRID_M
    xs = np.arange(min_x + step / 2, max_x, step)
    ys = np.arange(min_y + step / 2, max_y, step)
    x, y = (grid.ravel() for grid in np.meshgrid(xs, ys))
    inside = shapely.contains_xy(polygon, x, y)
    return x[inside], y[inside]


def _station_truth(station: radio.Station) -> dict:
    fields = asdict(station)
    fields["cell_id"] = station.cell_id
    return fields


def _model_constants() -> dict:
    return {
        "path_loss_exponent": radio.PATH_LOSS_EXPONENT,
        "reference_loss": "free space at 1 m: 20 log10(f_MHz) - 27.55 dB",
        "building_entry_loss_db": radio.BUILDING_ENTRY_LOSS_DB,
        "drywall_loss_db": radio.DRYWALL_LOSS_DB,
        "concrete_loss_db": f"{radio.CONCRETE_LOSS_INTERCEPT_DB} + {radio.CONCRETE_LOSS_DB_PER_GHZ} f_GHz",
        "wall_loss_cap_db": radio.WALL_LOSS_CAP_DB,
        "basement_loss_db": radio.BASEMENT_LOSS_DB,
        "floor_gain_db": radio.FLOOR_GAIN_DB,
        "shadowing_sigma_db": radio.SHADOWING_SIGMA_DB,
        "shadowing_correlation_m": radio.SHADOWING_CORRELATION_M,
        "fast_fading_sigma_db": radio.FAST_FADING_SIGMA_DB,
        "sensitivity_dbm": radio.SENSITIVITY_DBM,
        "ground_truth_grid_m": GROUND_TRUTH_GRID_M,
    }


def _round(value: float, digits: int) -> float:
    return round(float(value), digits) + 0.0  # adding 0.0 turns -0.0 into 0.0
