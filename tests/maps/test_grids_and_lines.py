"""Grids shared by every rendering, and the fixed lines numbered the same way everywhere."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from maps.grids import LevelGrids, display_technology, operator_label, site_grids
from maps.lines import has_line_marker, level_lines
from survey.gridding import grid_level


@pytest.fixture(scope="module")
def grids(ground_floor):
    return LevelGrids(ground_floor, ["208-01", "208-10"])


def test_grid_is_computed_once(grids):
    assert grids.grid("208-01") is grids.grid("208-01")


def test_best_grid_is_the_cell_maximum(grids):
    orange, sfr, best = grids.grid("208-01"), grids.grid("208-10"), grids.grid(None)
    expected = np.fmax(orange.values, sfr.values)
    assert np.array_equal(np.isnan(best.values), np.isnan(expected))
    assert np.allclose(best.values[~np.isnan(expected)], expected[~np.isnan(expected)])


def test_best_grid_spread_is_the_chosen_operators(grids):
    orange, sfr, best = grids.grid("208-01"), grids.grid("208-10"), grids.grid(None)
    chosen = np.where(np.nan_to_num(orange.values, nan=-np.inf) >= np.nan_to_num(sfr.values, nan=-np.inf),
                      orange.spread_db, sfr.spread_db)
    measured = ~np.isnan(best.values)
    assert np.allclose(best.spread_db[measured], chosen[measured])


def test_best_grid_matches_gridding_values(ground_floor, grids):
    reference = grid_level(ground_floor, None)
    assert np.allclose(grids.grid(None).values, reference.values, equal_nan=True)


def test_level_without_rooms_has_no_grid(ground_floor):
    empty = dataclasses.replace(ground_floor, rooms=[])
    assert LevelGrids(empty, ["208-01"]).grid(None) is None


def test_level_without_samples_grids_every_room_unmeasured(ground_floor):
    level = dataclasses.replace(ground_floor, samples=ground_floor.samples.iloc[0:0])
    grid = LevelGrids(level, []).grid(None)
    assert np.all(np.isnan(grid.values))


def test_site_grids_cover_every_level(analysis):
    assert set(site_grids(analysis)) == {level.level_id for level in analysis.levels}


def test_metric_technologies():
    assert display_technology("signal_dbm") == "lte"
    assert display_technology("rscp_dbm") == "umts"
    with pytest.raises(ValueError, match="rsrp_mw"):
        display_technology("rsrp_mw")


def test_operator_labels(analysis, english):
    assert operator_label(analysis, "208-10") == "SFR"
    assert operator_label(analysis, None) == "best operator"
    assert operator_label(analysis, "208-99") == "208-99"


def test_lines_numbered_in_reading_order(ground_floor):
    lines = level_lines(ground_floor)
    assert [(line.number, line.room.ref, line.proposed) for line in lines] == [
        (1, "A0-101", False),
        (2, "A0-102", True),
        (3, "A0-110", True),
        (4, "A0-113", False),
    ]


def test_every_line_room_is_numbered(analysis):
    for level in analysis.levels:
        numbered = {line.room.ref for line in level_lines(level)}
        assert numbered == {room.ref for room in level.rooms if has_line_marker(room)}


def test_room_visit_samples_fill_their_room(ground_floor):
    samples = ground_floor.samples.copy()
    room = next(room for room in ground_floor.rooms if room.ref == "A0-103")
    in_room = samples["room_id"] == room.room_id
    samples.loc[in_room, ["x_m", "y_m"]] = np.nan
    level = dataclasses.replace(ground_floor, samples=samples)
    index = [item.ref for item in level.rooms].index("A0-103")

    grid = LevelGrids(level, ["208-01", "208-10"]).grid("208-01")

    cells = grid.room_index == index
    assert cells.any()
    values = grid.values[cells]
    assert np.all(np.isfinite(values))
    assert np.allclose(values, values[0])
    orange = samples[in_room & (samples["plmn"] == "208-01")]["rsrp_dbm"]
    expected = 10 * np.log10(np.mean(10 ** (orange.to_numpy() / 10)))
    assert values[0] == pytest.approx(expected)


def test_unmeasured_room_stays_blank(ground_floor):
    grid = LevelGrids(ground_floor, ["208-01", "208-10"]).grid("208-01")
    index = [room.ref for room in ground_floor.rooms].index("A0-112")
    assert np.all(np.isnan(grid.values[grid.room_index == index]))


def test_verdict_plan_draws_the_plan_doors(ground_floor):
    import shapely

    from maps.verdict_plan import verdict_plan_figure

    def white_lines(level):
        figure = verdict_plan_figure(level, level_lines(level), "plan")
        return [line for line in figure.axes[0].get_lines() if line.get_color() == "white"]

    room = ground_floor.rooms[0]
    x_min, y_min, x_max, _y_max = room.geometry.bounds
    doors = [shapely.LineString([(x_min + 0.5, y_min), (x_min + 1.5, y_min)]), shapely.Point(x_max, y_min + 0.5)]
    drawn = white_lines(dataclasses.replace(ground_floor, doors=doors))

    assert white_lines(ground_floor) == []
    assert len(drawn) == 2
    assert list(drawn[0].get_xdata()) == [x_min + 0.5, x_min + 1.5]
    assert drawn[1].get_marker() == "s"
