"""The room-aware gridders against the simulator's ground truth, and their contract."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from scenario_data import SMALL, simulated
from shapely.geometry import box

from survey.gridding import RoomAwareGridder, RoomKrigingGridder, grid_axes, make_gridder, room_index_grid
from survey.metrics import NO_SERVICE_DBM

GRIDDERS = [RoomAwareGridder, RoomKrigingGridder]


def operator_samples(samples, plmn="208-01"):
    mine = samples[samples["plmn"] == plmn]
    values = np.where(mine["service"] == "no_service", NO_SERVICE_DBM, mine["signal_dbm"].to_numpy(dtype=float, na_value=np.nan))
    return mine["x_m"].to_numpy(), mine["y_m"].to_numpy(), values, mine["room_id"].to_numpy(dtype=int) - 1


def rmse_in_measured_rooms(grid, truth_grid) -> float:
    # Cells where phones report a level: at or above the -124 dBm sensitivity.
    scored = np.isfinite(grid.values) & (truth_grid.values >= -124)
    return float(np.sqrt(np.mean((grid.values[scored] - truth_grid.values[scored]) ** 2)))


@pytest.mark.parametrize(("gridder_class", "limit_db"), [(RoomAwareGridder, 3.5), (RoomKrigingGridder, 3.0)])
def test_rmse_against_true_field(gridder_class, limit_db):
    """RMSE in measured rooms stays within a few dB of the true noise-free field.

    The samples carry 2.5 dB of fast fading and 1 dB rounding, and the field 4 dB of
    shadowing correlated over 7 m; a room-aware surface over 12 or more samples per room
    leaves about 2–3 dB (the benchmark measures 2.0–2.7 dB on such floors). The limits leave
    0.5–0.8 dB of margin over three seeds, so a broken trend, weight or average fails.
    """
    for seed in (1, 2, 3):
        rooms, samples, truth = simulated(SMALL, seed)
        gridder = gridder_class(resolution_m=0.5).fit([room.geometry for room in rooms], *operator_samples(samples))
        grid = gridder.grid(truth.level.footprint.bounds)
        assert rmse_in_measured_rooms(grid, truth.grid("208-01", 0.5)) < limit_db, seed


def test_kriging_beats_idw_on_average():
    errors = {RoomAwareGridder: [], RoomKrigingGridder: []}
    for seed in (1, 2, 3):
        rooms, samples, truth = simulated(SMALL, seed)
        truth_grid = truth.grid("208-01", 0.5)
        for gridder_class in errors:
            grid = gridder_class(resolution_m=0.5).fit([room.geometry for room in rooms], *operator_samples(samples)).grid(truth.level.footprint.bounds)
            errors[gridder_class].append(rmse_in_measured_rooms(grid, truth_grid))
    assert np.mean(errors[RoomKrigingGridder]) < np.mean(errors[RoomAwareGridder])


def test_kriging_uncertainty_is_calibrated():
    """About two thirds of the errors fall within one kriging standard deviation.

    A Gaussian error would put 68 % inside; the fitted variogram is an estimate, so 50–85 %
    is accepted over the measured rooms of one seeded floor.
    """
    rooms, samples, truth = simulated(SMALL, 1)
    grid = RoomKrigingGridder(resolution_m=0.5).fit([room.geometry for room in rooms], *operator_samples(samples)).grid(truth.level.footprint.bounds)
    truth_grid = truth.grid("208-01", 0.5)
    scored = np.isfinite(grid.values) & (truth_grid.values >= -124)
    inside = np.abs(grid.values[scored] - truth_grid.values[scored]) <= grid.spread_db[scored]
    assert 0.5 < inside.mean() < 0.85


def two_rooms():
    # A covered corridor beside a dead room, and a third room nobody entered.
    return [box(0, 0, 10, 2), box(0, 2, 5, 6), box(5, 2, 10, 6)]


@pytest.mark.parametrize("gridder_class", GRIDDERS)
def test_nothing_crosses_walls(gridder_class):
    rooms = two_rooms()
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(0.2, 9.8, 40), rng.uniform(0.2, 4.8, 20)])
    y = np.concatenate([rng.uniform(0.2, 1.8, 40), rng.uniform(2.2, 5.8, 20)])
    values = np.concatenate([-80 + rng.normal(0, 2, 40), np.full(20, NO_SERVICE_DBM)])
    sample_room = np.concatenate([np.zeros(40, int), np.ones(20, int)])
    grid = gridder_class(resolution_m=0.25).fit(rooms, x, y, values, sample_room).grid()

    dead = grid.values[grid.room_index == 1]
    assert np.allclose(dead, NO_SERVICE_DBM)
    assert np.isnan(grid.values[grid.room_index == 2]).all()
    assert grid.unmeasured.sum() == (grid.room_index == 2).sum()
    assert np.nanmax(grid.values[grid.room_index == 0]) < -70


@pytest.mark.parametrize("gridder_class", GRIDDERS)
def test_grid_records_how_it_was_made(gridder_class):
    rooms = two_rooms()
    grid = gridder_class(resolution_m=0.5).fit(rooms, [1.0, 2.0, 3.0], [1.0, 1.0, 1.0], [-90.0, -91.0, -92.0], [0, 0, 0]).grid()
    assert grid.method == gridder_class.method
    assert grid.settings["resolution_m"] == 0.5
    assert grid.resolution_m == 0.5


@pytest.mark.parametrize("gridder_class", GRIDDERS)
def test_fit_rejects_mismatched_lengths(gridder_class):
    with pytest.raises(ValueError, match="same length"):
        gridder_class().fit(two_rooms(), [1.0, 2.0], [1.0], [-90.0, -91.0], [0, 0])


def test_settings_are_validated():
    with pytest.raises(ValueError, match="resolution_m"):
        RoomAwareGridder(resolution_m=0)
    with pytest.raises(ValueError, match="neighbours"):
        RoomKrigingGridder(neighbours=0)
    with pytest.raises(ValueError, match="method"):
        make_gridder("spline")


def test_room_index_grid_matches_contains():
    # Boxes take a shortcut. One has its edges on cell centres, which belong to no room. The
    # last overlaps the first, which keeps the shared cells.
    rooms = [
        box(0, 0, 3.3, 2.1),
        shapely.Polygon([(3.3, 0), (7, 0), (7, 4), (3.3, 2.1)]),
        box(0.375, 2.125, 3.125, 3.875),
        box(2.0, 1.0, 3.0, 2.6),
    ]
    x_m, y_m = grid_axes((0, 0, 7, 4), 0.25)
    index = room_index_grid(rooms, x_m, y_m)
    xx, yy = np.meshgrid(x_m, y_m)
    claimed = np.zeros(xx.shape, dtype=bool)
    for position, room in enumerate(rooms):
        inside = shapely.contains_xy(room, xx, yy)
        assert np.array_equal(index == position, inside & ~claimed)
        claimed |= inside
    assert (index[np.isclose(yy, 2.125)] != 2).all()


def test_predict_one_room_or_one_per_point():
    gridder = RoomAwareGridder().fit(two_rooms(), [1.0, 1.0], [1.0, 3.0], [-80.0, -100.0], [0, 1])
    together, _spread = gridder.predict([2.0, 2.0], [1.0, 3.0], np.array([0, 1]))
    assert together == pytest.approx([-80.0, -100.0])
    alone, _spread = gridder.predict([2.0], [1.0], 2)
    assert np.isnan(alone).all()
