"""The nearest-samples search inside rooms, against brute force over every sample of the room."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from survey.metrics import dbm_to_mw, mw_to_dbm
from survey.nearest import PARALLEL_MIN_CELLS, RoomSamples

# A wide room, a tall corridor (sorted along y), an L-shaped room, a tiny room and an empty one.
ROOMS = [
    box(0, 0, 20, 8),
    box(20, 0, 23, 40),
    shapely.Polygon([(0, 8), (20, 8), (20, 20), (10, 20), (10, 14), (0, 14)]),
    box(0, 14, 3, 17),
    box(3, 14, 10, 20),
]


def samples(seed: int, count: int = 1500):
    """Random samples in the first four rooms, a third of them on shared positions, 1 dB steps."""
    rng = np.random.default_rng(seed)
    room = rng.choice(4, size=count, p=[0.35, 0.35, 0.29, 0.01])
    x = np.empty(count)
    y = np.empty(count)
    for index, geometry in enumerate(ROOMS[:4]):
        mine = np.flatnonzero(room == index)
        x_min, y_min, x_max, y_max = geometry.bounds
        points = shapely.points(rng.uniform(x_min, x_max, 4 * len(mine)), rng.uniform(y_min, y_max, 4 * len(mine)))
        inside = shapely.get_coordinates(points[shapely.contains(geometry, points)])[: len(mine)]
        x[mine], y[mine] = inside[:, 0], inside[:, 1]
    # A technician standing still: runs of samples at the position of the one before.
    still = rng.random(count) < 0.35
    still[0] = False
    for index in np.flatnonzero(still):
        if room[index] == room[index - 1]:
            x[index], y[index] = x[index - 1], y[index - 1]
    values = np.round(rng.normal(-95, 12, count))
    return x, y, values, room


def cells(rooms=ROOMS, resolution_m: float = 0.5):
    x_all, y_all = np.meshgrid(np.arange(0.25, 23, resolution_m), np.arange(0.25, 40, resolution_m))
    x_all, y_all = x_all.ravel(), y_all.ravel()
    room = np.full(len(x_all), -1)
    for index, geometry in enumerate(rooms):
        inside = shapely.contains_xy(geometry, x_all, y_all) & (room < 0)
        room[inside] = index
    keep = room >= 0
    return x_all[keep], y_all[keep], room[keep]


def brute_force(x, y, values, room, cell_x, cell_y, cell_room, k, power=2.0, smoothing_m=1.0):
    """Distances to the k nearest of the room, and IDW whose k-th places are shared among ties."""
    distances = np.full((len(cell_x), k), np.inf)
    estimate = np.full(len(cell_x), np.nan)
    spread = np.full(len(cell_x), np.nan)
    for cell in range(len(cell_x)):
        mine = np.flatnonzero(room == cell_room[cell])
        if not len(mine):
            continue
        d2 = (x[mine] - cell_x[cell]) ** 2 + (y[mine] - cell_y[cell]) ** 2
        ordered = np.sort(d2)[:k]
        distances[cell, : len(ordered)] = np.sqrt(ordered)
        last = ordered[-1]
        closer = d2 < last
        tied = d2 == last
        weights = np.where(closer, 1.0, 0.0) + np.where(tied, (len(ordered) - closer.sum()) / tied.sum(), 0.0)
        weights = weights / (np.sqrt(d2) + smoothing_m) ** power
        weights /= weights.sum()
        estimate[cell] = mw_to_dbm(np.sum(weights * dbm_to_mw(values[mine])))
        mean = np.sum(weights * values[mine])
        spread[cell] = np.sqrt(max(np.sum(weights * values[mine] ** 2) - mean * mean, 0.0))
    return distances, estimate, spread


@pytest.mark.parametrize("k", [1, 8, 12])
def test_nearest_matches_brute_force(k):
    x, y, values, room = samples(seed=k)
    cell_x, cell_y, cell_room = cells()
    distances, indices = RoomSamples(ROOMS, x, y, room).nearest(cell_x, cell_y, cell_room, k)
    expected, _, _ = brute_force(x, y, values, room, cell_x, cell_y, cell_room, k)

    assert np.allclose(distances, expected, rtol=0, atol=1e-12)
    found = indices >= 0
    assert np.array_equal(found, np.isfinite(expected))
    # Each index is a sample of the cell's room, at the distance given beside it.
    rows, ranks = np.nonzero(found)
    chosen = indices[rows, ranks]
    assert np.array_equal(room[chosen], cell_room[rows])
    assert np.allclose(np.hypot(x[chosen] - cell_x[rows], y[chosen] - cell_y[rows]), distances[rows, ranks], atol=1e-12)
    # The tiny room has fewer samples than k, so its rows are padded. The empty room finds nothing.
    tiny = cell_room == 3
    assert (found[tiny].sum(axis=1) == min(k, (room == 3).sum())).all()
    assert not found[cell_room == 4].any()


@pytest.mark.parametrize(("k", "power"), [(8, 2.0), (4, 1.5), (30, 2.0)])
def test_idw_shares_tied_places(k, power):
    x, y, values, room = samples(seed=3)
    cell_x, cell_y, cell_room = cells()
    estimate, spread = RoomSamples(ROOMS, x, y, room).idw(cell_x, cell_y, cell_room, k, values, dbm_to_mw(values), power, 1.0)
    _, expected, expected_spread = brute_force(x, y, values, room, cell_x, cell_y, cell_room, k, power=power)

    assert np.array_equal(np.isnan(estimate), np.isnan(expected))
    assert np.isnan(estimate[cell_room == 4]).all()
    assert np.allclose(estimate, expected, rtol=0, atol=1e-9, equal_nan=True)
    assert np.allclose(spread, expected_spread, rtol=0, atol=1e-6, equal_nan=True)


def test_idw_ignores_sample_order():
    x, y, values, room = samples(seed=5)
    cell_x, cell_y, cell_room = cells(resolution_m=0.25)
    first, first_spread = RoomSamples(ROOMS, x, y, room).idw(cell_x, cell_y, cell_room, 8, values, dbm_to_mw(values), 2.0, 1.0)
    shuffle = np.random.default_rng(0).permutation(len(x))
    second, second_spread = RoomSamples(ROOMS, x[shuffle], y[shuffle], room[shuffle]).idw(
        cell_x, cell_y, cell_room, 8, values[shuffle], dbm_to_mw(values[shuffle]), 2.0, 1.0
    )
    assert np.allclose(first, second, rtol=0, atol=1e-9, equal_nan=True)
    assert np.allclose(first_spread, second_spread, rtol=0, atol=1e-6, equal_nan=True)


def test_threads_give_same_grid():
    x, y, values, room = samples(seed=7)
    cell_x, cell_y, cell_room = cells(resolution_m=0.1)
    assert len(cell_x) >= 2 * PARALLEL_MIN_CELLS
    search = RoomSamples(ROOMS, x, y, room)
    mw = dbm_to_mw(values)
    whole, _ = search.idw(cell_x, cell_y, cell_room, 8, values, mw, 2.0, 1.0)
    # Parts small enough to run on one thread each, from several threads at once.
    parts = np.array_split(np.arange(len(cell_x)), 12)
    with ThreadPoolExecutor(max_workers=4) as pool:
        pieces = list(pool.map(lambda part: search.idw(cell_x[part], cell_y[part], cell_room[part], 8, values, mw, 2.0, 1.0)[0], parts))
    assert np.array_equal(np.concatenate(pieces), whole, equal_nan=True)
