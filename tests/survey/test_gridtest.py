"""The public-safety grid test on hand-made levels whose cells are known in advance.

The floor is 100 m × 40 m. Its 20 cells make 5 columns × 4 rows of 20 m × 10 m. The re-grid
of 40 cells makes 10 columns × 4 rows of 10 m × 10 m, so each first cell splits into two.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from survey.gridtest import grid_shape, run_gridtest
from survey.policy import DEFAULT_POLICY
from survey.results import LevelResult, RoomResult
from survey.samples import conform

STRONG, DEAD = -90.0, None


def room(room_id: int, geometry, criticality: str = "normal") -> RoomResult:
    return RoomResult(room_id, 1, "L0", f"R{room_id}", f"Room {room_id}", "office", criticality, False, "", geometry.area, geometry)


def level(signal, rooms=None, plmn="208-01") -> LevelResult:
    """A level whose samples lie on a 1 m lattice, with ``signal(x, y)`` in dBm (None: no service)."""
    rooms = rooms or [room(1, box(0, 0, 100, 40))]
    xx, yy = np.meshgrid(np.arange(0.5, 100, 1.0), np.arange(0.5, 40, 1.0))
    x, y = xx.ravel(), yy.ravel()
    values = [signal(a, b) for a, b in zip(x, y)]
    owner = [next((r.room_id for r in rooms if r.geometry.contains(box(a, b, a, b).centroid)), None) for a, b in zip(x, y)]
    frame = conform(pd.DataFrame({
        "time": pd.Timestamp("2026-11-03T09:00:00Z"),
        "x_m": x, "y_m": y, "room_id": owner, "level_id": 1, "plmn": plmn,
        "technology": ["lte" if value is not None else None for value in values],
        "service": ["in_service" if value is not None else "no_service" for value in values],
        "rsrp_dbm": [np.nan if value is None else value for value in values],
        "sinr_db": 10.0,
    }))
    return LevelResult(1, "A", "L0", 0, rooms, frame)


def failing_cells(division) -> list[tuple[int, int]]:
    return sorted((cell.row, cell.column) for cell in division.cells if cell.status != "pass")


def test_grid_shape_gives_square_cells():
    assert grid_shape(100, 40, 20) == (4, 5)
    assert grid_shape(100, 40, 40) == (4, 10)
    assert grid_shape(30, 30, 20) == (4, 5)


def test_covered_floor_passes_at_once():
    result = run_gridtest(level(lambda x, y: STRONG), DEFAULT_POLICY, "208-01")
    assert result.passed
    assert len(result.first.cells) == 20
    assert result.first.failures == 0
    assert result.regrid is None


def test_threshold_defaults_to_the_voice_rsrp():
    # -100 dBm everywhere passes at -110 dBm, the voice threshold, but not at the codes' -95.
    result = run_gridtest(level(lambda x, y: -100.0), DEFAULT_POLICY, "208-01")
    assert result.threshold_dbm == -110.0
    assert result.passed
    strict = replace(DEFAULT_POLICY, gridtest_min_signal_dbm=-95.0)
    assert not run_gridtest(level(lambda x, y: -100.0), strict, "208-01").passed


def test_two_separate_failures_pass():
    dead = lambda x, y: DEAD if (x < 20 and y < 10) or (60 <= x < 80 and y >= 30) else STRONG  # noqa: E731
    result = run_gridtest(level(dead), DEFAULT_POLICY, "208-01")
    assert failing_cells(result.first) == [(0, 0), (3, 3)]
    assert result.first.adjacent_failures == []
    assert result.passed


def test_two_adjacent_failures_fail_even_after_regrid():
    dead = lambda x, y: DEAD if x < 40 and y < 10 else STRONG  # noqa: E731
    result = run_gridtest(level(dead), DEFAULT_POLICY, "208-01")
    assert failing_cells(result.first) == [(0, 0), (0, 1)]
    assert len(result.first.adjacent_failures) == 1
    assert result.regrid is not None
    assert failing_cells(result.regrid) == [(0, 0), (0, 1), (0, 2), (0, 3)]
    assert not result.passed


def test_diagonal_failures_count_as_adjacent():
    dead = lambda x, y: DEAD if (x < 20 and y < 10) or (20 <= x < 40 and 10 <= y < 20) else STRONG  # noqa: E731
    result = run_gridtest(level(dead), DEFAULT_POLICY, "208-01")
    assert failing_cells(result.first) == [(0, 0), (1, 1)]
    assert len(result.first.adjacent_failures) == 1
    assert not result.first.passed


def test_regrid_can_rescue_three_failures():
    # In three separate first cells, the west half is dead and the east half marginal:
    # the milliwatt average of the cell falls under -110 dBm, but the east half alone passes.
    def signal(x, y):
        if y < 10 and x // 20 in (0, 2, 4):
            return DEAD if x % 20 < 10 else -108.0
        return STRONG

    result = run_gridtest(level(signal), DEFAULT_POLICY, "208-01")
    assert failing_cells(result.first) == [(0, 0), (0, 2), (0, 4)]
    assert not result.first.passed
    assert failing_cells(result.regrid) == [(0, 0), (0, 4), (0, 8)]
    assert result.regrid.passed
    assert result.passed


def test_unmeasured_cells_are_untested_and_fail():
    far = lambda x, y: STRONG if x < 60 else DEAD  # noqa: E731
    frame = level(far)
    frame.samples = frame.samples[frame.samples["x_m"] < 60].reset_index(drop=True)
    result = run_gridtest(frame, DEFAULT_POLICY, "208-01")
    statuses = {cell.status for cell in result.first.cells if cell.column >= 3}
    assert statuses == {"untested"}
    assert not result.passed


def test_critical_area_needs_99_percent():
    rooms = [room(1, box(0, 0, 90, 40)), room(2, box(90, 0, 100, 40), "vital")]
    # 400 samples in the vital room; 6 of them (1.5 %) are dead.
    dead = lambda x, y: DEAD if x > 90 and y < 6 and x < 91 else STRONG  # noqa: E731
    result = run_gridtest(level(dead, rooms), DEFAULT_POLICY, "208-01")
    area = result.critical_areas[0]
    assert area.ref == "R2"
    assert area.samples == 400
    assert area.pass_rate == pytest.approx(0.985)
    assert area.status == "fail"
    assert result.floor_passed
    assert not result.passed


def test_best_operator_per_cell():
    first = level(lambda x, y: DEAD if x < 20 else STRONG, plmn="208-01")
    second = level(lambda x, y: -85.0, plmn="208-10")
    both = LevelResult(1, "A", "L0", 0, first.rooms, pd.concat([first.samples, second.samples], ignore_index=True))
    result = run_gridtest(both, DEFAULT_POLICY, None)
    assert result.passed
    assert {cell.operator for cell in result.first.cells} == {"208-10"}


def test_result_as_dict_lists_every_cell():
    data = run_gridtest(level(lambda x, y: STRONG), DEFAULT_POLICY, "208-01").as_dict()
    assert data["passed"] is True
    assert len(data["first"]["cells"]) == 20
    assert set(data["first"]["cells"][0]) == {"row", "column", "bounds", "floor_area_m2", "samples", "level_dbm", "operator", "status", "rooms_below"}


def test_level_without_rooms_is_rejected():
    from survey.errors import InputError

    empty = LevelResult(1, "A", "L0", 0, [], level(lambda x, y: STRONG).samples.iloc[:0])
    with pytest.raises(InputError):
        run_gridtest(empty, DEFAULT_POLICY, "208-01")


def test_level_without_samples_fails_untested():
    silent = level(lambda x, y: STRONG)
    silent.samples = silent.samples.iloc[:0]
    result = run_gridtest(silent, DEFAULT_POLICY, None)
    assert {cell.status for cell in result.first.cells} == {"untested"}
    assert not result.passed


def test_dead_small_room_named_in_passing_cell():
    # A 3 m × 3 m dead room inside the first 20 m × 10 m cell, the rest of the floor strong.
    rooms = [room(2, box(2, 2, 5, 5)), room(1, box(0, 0, 100, 40).difference(box(2, 2, 5, 5)))]
    result = run_gridtest(level(lambda x, y: DEAD if 2 < x < 5 and 2 < y < 5 else STRONG, rooms), DEFAULT_POLICY, "208-01")

    first_cell = next(cell for cell in result.first.cells if (cell.row, cell.column) == (0, 0))
    # Nine dead samples of 200 leave the cell's linear average above the threshold.
    assert first_cell.status == "pass"
    assert first_cell.rooms_below == ["R2"]
    assert all(cell.rooms_below == [] for cell in result.first.cells if cell is not first_cell)
    assert result.passed


def test_level_placed_by_room_visits_has_no_cells():
    from survey.errors import InputError

    # Samples placed in rooms by visits carry a room but no position.
    rooms = [room(1, box(0, 0, 100, 40)), room(2, box(100, 0, 110, 10), criticality="vital")]
    visits = level(lambda x, y: STRONG, rooms)
    samples = visits.samples.copy()
    samples[["x_m", "y_m"]] = np.nan
    samples.loc[samples.index[:50], "room_id"] = 2
    placed_by_visits = LevelResult(1, "A", "L0", 0, rooms, samples)

    with pytest.raises(InputError, match="position"):
        run_gridtest(placed_by_visits, DEFAULT_POLICY, "208-01")


def test_critical_area_counts_visit_samples():
    # A vital room measured by a visit (no positions) inside a level walked with a track.
    rooms = [room(1, box(0, 0, 100, 40).difference(box(0, 0, 10, 10))), room(2, box(0, 0, 10, 10), criticality="vital")]
    walked = level(lambda x, y: STRONG, rooms)
    samples = walked.samples.copy()
    in_vital = samples["room_id"] == 2
    samples.loc[in_vital, ["x_m", "y_m"]] = np.nan
    result = run_gridtest(LevelResult(1, "A", "L0", 0, rooms, samples), DEFAULT_POLICY, "208-01")

    [area] = result.critical_areas
    assert area.samples == int(in_vital.sum())
    assert area.status == "pass"
