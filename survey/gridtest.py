"""The grid test of the US in-building public-safety codes (IFC 510, NFPA 1225), for one level.

The codes judge radio coverage floor by floor rather than room by room:

- the floor is divided into about 20 equal cells, with sides of 20 to 80 ft (about 6.1 to
  24.4 m), as NFPA 1221 annex guidance has it. Each cell is judged by the linear (milliwatt)
  average of the samples taken in it, as the NFPA 1 annex method averages the samples walked
  across a cell;
- the floor passes when at most 2 cells fail and no two failed cells are adjacent (IFC-derived
  wording of a local ordinance); when it fails, the same wording lets the floor be divided
  again into 40 cells, of which at most 4 non-adjacent ones may fail;
- critical areas need 99 % coverage. Here they are the ``vital`` rooms, each judged by the
  share of its samples at or above the threshold.

The codes' −95 dBm threshold is a narrowband land-mobile-radio level, not an LTE RSRP, so the
default threshold is the policy's voice threshold on RSRP (see ``Policy.gridtest_min_signal_dbm``).
All numbers come from the policy. The codes do not define adjacency; cells that share an edge
or a corner count as adjacent here, the stricter reading. A cell with too few samples is
``untested`` and counts as failed, since nothing shows that it passes.

Averaging a cell hides a small dead room among well-covered corridors, so each cell also lists
the rooms whose own samples in it average below the threshold (``rooms_below``), whatever the
cell's result: the room verdicts, not the grid test, decide about those rooms.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from survey.analysis import censored_signal
from survey.errors import InputError
from survey.i18n import _, gettext, lazy
from survey.metrics import NO_SERVICE_DBM, dbm_to_mw, mw_to_dbm
from survey.policy import Policy
from survey.results import LevelResult

logger = logging.getLogger(__name__)

# Cell sides of the NFPA 1221 annex guidance, 20 to 80 ft, in metres.
MIN_CELL_SIDE_M = 20 * 0.3048
MAX_CELL_SIDE_M = 80 * 0.3048
# Floors above 128,000 ft² are split into sectors by the same guidance, in m².
MAX_FLOOR_AREA_M2 = 128_000 * 0.3048**2
# Share of a cell's rectangle that must be floor for the cell to be part of the test.
MIN_FLOOR_SHARE = 0.05

STATUS_LABELS = {"pass": lazy("pass"), "fail": lazy("fail"), "untested": lazy("untested")}


def status_label(status: str) -> str:
    """Return the translated label of a cell or critical-area status."""
    return gettext(STATUS_LABELS[status])


@dataclass
class GridCell:
    """One cell of a grid test, with the measurement that decides it."""

    row: int
    column: int
    bounds: tuple[float, float, float, float]
    floor_area_m2: float
    samples: int
    level_dbm: float | None
    operator: str | None
    status: str
    rooms_below: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "bounds": [round(value, 2) for value in self.bounds],
            "floor_area_m2": round(self.floor_area_m2, 1),
            "samples": self.samples,
            "level_dbm": None if self.level_dbm is None else round(self.level_dbm, 1),
            "operator": self.operator,
            "status": self.status,
            "rooms_below": self.rooms_below,
        }


@dataclass
class GridDivision:
    """One division of the floor into cells, and whether it passes."""

    requested_cells: int
    rows: int
    columns: int
    cell_width_m: float
    cell_height_m: float
    max_failures: int
    cells: list[GridCell]
    adjacent_failures: list[tuple[int, int]] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return sum(cell.status != "pass" for cell in self.cells)

    @property
    def passed(self) -> bool:
        return self.failures <= self.max_failures and not self.adjacent_failures

    def as_dict(self) -> dict:
        return {
            "requested_cells": self.requested_cells,
            "rows": self.rows,
            "columns": self.columns,
            "cell_width_m": round(self.cell_width_m, 2),
            "cell_height_m": round(self.cell_height_m, 2),
            "tested_cells": len(self.cells),
            "failures": self.failures,
            "max_failures": self.max_failures,
            "adjacent_failures": [list(pair) for pair in self.adjacent_failures],
            "passed": self.passed,
            "cells": [cell.as_dict() for cell in self.cells],
        }


@dataclass
class CriticalArea:
    """A vital room judged at the critical-area pass rate."""

    ref: str
    name: str
    samples: int
    pass_rate: float | None
    required_pass_rate: float
    status: str

    def as_dict(self) -> dict:
        return {
            "ref": self.ref,
            "name": self.name,
            "samples": self.samples,
            "pass_rate": None if self.pass_rate is None else round(self.pass_rate, 4),
            "required_pass_rate": self.required_pass_rate,
            "status": self.status,
        }


@dataclass
class GridTestResult:
    """The grid test of one level for one operator (or the best operator per cell)."""

    level_id: int
    level: str
    building: str
    operator: str | None
    operator_name: str
    threshold_dbm: float
    first: GridDivision
    regrid: GridDivision | None
    critical_areas: list[CriticalArea]
    notes: list[str]

    @property
    def floor_passed(self) -> bool:
        return self.first.passed or (self.regrid is not None and self.regrid.passed)

    @property
    def passed(self) -> bool:
        return self.floor_passed and all(area.status == "pass" for area in self.critical_areas)

    def as_dict(self) -> dict:
        return {
            "level_id": self.level_id,
            "level": self.level,
            "building": self.building,
            "operator": self.operator,
            "operator_name": self.operator_name,
            "threshold_dbm": self.threshold_dbm,
            "passed": self.passed,
            "floor_passed": self.floor_passed,
            "first": self.first.as_dict(),
            "regrid": self.regrid.as_dict() if self.regrid else None,
            "critical_areas": [area.as_dict() for area in self.critical_areas],
            "notes": self.notes,
        }


def run_gridtest(level: LevelResult, policy: Policy, plmn: str | None = None, operator_name: str | None = None) -> GridTestResult:
    """Run the grid test on a level's samples, for operator ``plmn`` or the best one per cell.

    Raises InputError for a level without rooms. The samples are the level's serving-cell samples of the policy's voice technologies;
    no-service samples count at ``NO_SERVICE_DBM``. Each division, cell and critical area
    is in the result, for the report to print.
    """
    if not level.rooms:
        raise InputError(
            _("level {level!r} has no rooms for the grid test").format(level=level.name),
            fix=_("import the level's floor plan first"),
        )
    samples = _test_samples(level, policy, plmn)
    placed = samples[samples["x_m"].notna()]
    if placed.empty and not samples.empty:
        raise InputError(
            _("the samples of level {level!r} have no position in the plan (room visits), so the floor cannot be divided into cells").format(level=level.name),
            fix=_("survey the level with a track of waypoints, or read its room verdicts, which need no position"),
        )
    footprint = shapely.union_all([room.geometry for room in level.rooms])
    threshold = policy.gridtest_threshold_dbm

    # The first division, then the re-division when the first fails.
    refs = {room.room_id: room.ref for room in level.rooms}
    first = _division(footprint, placed, policy.gridtest_cells, policy.gridtest_max_failures, threshold, policy, refs)
    regrid = None
    if not first.passed:
        regrid = _division(footprint, placed, policy.gridtest_regrid_cells, policy.gridtest_regrid_max_failures, threshold, policy, refs)

    critical = [_critical_area(room, samples, threshold, policy) for room in level.rooms if room.criticality == "vital"]
    result = GridTestResult(
        level_id=level.level_id,
        level=level.name,
        building=level.building,
        operator=plmn,
        operator_name=operator_name or (plmn if plmn else _("best operator")),
        threshold_dbm=threshold,
        first=first,
        regrid=regrid,
        critical_areas=critical,
        notes=_notes(footprint, first),
    )
    logger.info("grid test of level %s, operator %s: %s", level.name, plmn or "best", "pass" if result.passed else "fail")
    return result


def _test_samples(level: LevelResult, policy: Policy, plmn: str | None) -> pd.DataFrame:
    samples = level.samples
    if samples.empty:
        return pd.DataFrame({"x_m": [], "y_m": [], "plmn": [], "signal": [], "room_id": []})
    # Critical areas are judged by room, so samples placed by room visits (no position) count there.
    keep = samples["serving"] & (samples["x_m"].notna() | samples["room_id"].notna()) & samples["plmn"].notna()
    keep &= samples["technology"].isin(policy.voice_technologies) | (samples["service"] == "no_service")
    if plmn is not None:
        keep &= (samples["plmn"] == plmn).fillna(False)
    chosen = samples[keep.fillna(False)]
    return pd.DataFrame({
        "x_m": chosen["x_m"].to_numpy(dtype=float),
        "y_m": chosen["y_m"].to_numpy(dtype=float),
        "plmn": chosen["plmn"].astype(str).to_numpy(),
        "signal": censored_signal(chosen).fillna(NO_SERVICE_DBM).to_numpy(dtype=float),
        "room_id": chosen["room_id"].to_numpy(dtype=float, na_value=np.nan),
    })


def grid_shape(width_m: float, height_m: float, cells: int) -> tuple[int, int]:
    """Return (rows, columns) whose product is closest to ``cells``, with the squarest cells."""
    best = None
    for columns in range(1, cells + 1):
        rows = max(1, round(cells / columns))
        aspect = abs(math.log((width_m / columns) / (height_m / rows))) if width_m > 0 and height_m > 0 else 0.0
        score = (abs(rows * columns - cells), aspect)
        if best is None or score < best[0]:
            best = (score, rows, columns)
    return best[1], best[2]


def _division(
    footprint, samples: pd.DataFrame, cells: int, max_failures: int, threshold: float, policy: Policy, refs: dict[int, str]
) -> GridDivision:
    x_min, y_min, x_max, y_max = footprint.bounds
    rows, columns = grid_shape(x_max - x_min, y_max - y_min, cells)
    width, height = (x_max - x_min) / columns, (y_max - y_min) / rows

    # Each sample's cell, counted from the south-west corner.
    column_of = np.clip(((samples["x_m"].to_numpy() - x_min) // width).astype(int), 0, columns - 1) if width > 0 else np.zeros(len(samples), int)
    row_of = np.clip(((samples["y_m"].to_numpy() - y_min) // height).astype(int), 0, rows - 1) if height > 0 else np.zeros(len(samples), int)

    grid_cells = []
    for row in range(rows):
        for column in range(columns):
            bounds = (x_min + column * width, y_min + row * height, x_min + (column + 1) * width, y_min + (row + 1) * height)
            area = footprint.intersection(shapely.box(*bounds)).area
            if area < MIN_FLOOR_SHARE * width * height:
                continue
            in_cell = samples[(row_of == row) & (column_of == column)]
            cell = _cell(row, column, bounds, area, in_cell, threshold, policy)
            cell.rooms_below = _rooms_below(in_cell, threshold, policy, refs)
            grid_cells.append(cell)
    division = GridDivision(cells, rows, columns, width, height, max_failures, grid_cells)
    division.adjacent_failures = _adjacent_failures(grid_cells)
    return division


def _cell(row: int, column: int, bounds, area: float, samples: pd.DataFrame, threshold: float, policy: Policy) -> GridCell:
    best = _best_average(samples, policy)
    if best is None:
        return GridCell(row, column, bounds, area, len(samples), None, None, "untested")
    level, plmn, count = best
    return GridCell(row, column, bounds, area, count, level, plmn, "pass" if level >= threshold else "fail")


def _best_average(samples: pd.DataFrame, policy: Policy) -> tuple[float, str, int] | None:
    """Return the best operator's linear average (dBm), its code and its sample count."""
    best: tuple[float, str, int] | None = None
    for plmn, group in samples.groupby("plmn"):
        if len(group) < policy.gridtest_min_samples:
            continue
        level = float(mw_to_dbm(np.mean(dbm_to_mw(group["signal"].to_numpy()))))
        if best is None or level > best[0]:
            best = (level, str(plmn), len(group))
    return best


def _rooms_below(samples: pd.DataFrame, threshold: float, policy: Policy, refs: dict[int, str]) -> list[str]:
    """Return the refs of the rooms whose samples in the cell average below the threshold."""
    below = []
    for room_id, group in samples.dropna(subset=["room_id"]).groupby("room_id"):
        best = _best_average(group, policy)
        if best is not None and best[0] < threshold and int(room_id) in refs:
            below.append(refs[int(room_id)])
    return sorted(below)


def _adjacent_failures(cells: list[GridCell]) -> list[tuple[int, int]]:
    """Return the index pairs of failed cells that share an edge or a corner."""
    failed = [(index, cell) for index, cell in enumerate(cells) if cell.status != "pass"]
    pairs = []
    for position, (index, cell) in enumerate(failed):
        for other_index, other in failed[position + 1 :]:
            if abs(cell.row - other.row) <= 1 and abs(cell.column - other.column) <= 1:
                pairs.append((index, other_index))
    return pairs


def _critical_area(room, samples: pd.DataFrame, threshold: float, policy: Policy) -> CriticalArea:
    # The best operator's share of samples at or above the threshold.
    in_room = samples[samples["room_id"] == room.room_id]
    best: tuple[float, int] | None = None
    for _plmn, group in in_room.groupby("plmn"):
        if len(group) < policy.gridtest_min_samples:
            continue
        rate = float(np.mean(group["signal"].to_numpy() >= threshold))
        if best is None or rate > best[0]:
            best = (rate, len(group))
    required = policy.gridtest_critical_pass_rate
    if best is None:
        return CriticalArea(room.ref, room.name, len(in_room), None, required, "untested")
    rate, count = best
    return CriticalArea(room.ref, room.name, count, rate, required, "pass" if rate >= required else "fail")


def _notes(footprint, first: GridDivision) -> list[str]:
    notes = []
    if footprint.area > MAX_FLOOR_AREA_M2:
        notes.append(_("the floor is larger than {area:.0f} m²: the codes' guidance splits it into sectors").format(area=MAX_FLOOR_AREA_M2))
    sides = (first.cell_width_m, first.cell_height_m)
    if first.cells and (min(sides) < MIN_CELL_SIDE_M or max(sides) > MAX_CELL_SIDE_M):
        notes.append(
            _("cells of {width:.1f} m × {height:.1f} m are outside the guidance of {low:.1f} to {high:.1f} m a side").format(
                width=sides[0], height=sides[1], low=MIN_CELL_SIDE_M, high=MAX_CELL_SIDE_M
            )
        )
    return notes
