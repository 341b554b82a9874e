"""Nearest samples of the same room, for the room-aware gridders.

A grid needs the nearest samples of tens of thousands of cells, each among the samples of
its own room only. The samples of each room are sorted along the longer side of the room's
bounding box. A cell starts at its position in that order and walks outwards on both sides.
It stops once the gap along the sorted axis alone exceeds the k-th distance found so far. A
room has tens to a few thousand samples and is narrow across its sorted axis (a corridor lies
along it), so a cell looks at a few tens of samples and no search tree is needed.

The searches are compiled with Numba and release the GIL, so a grid is split across the
machine's cores with plain threads. Every call is independent and safe to run from several
threads at once. The first call in a process loads the compiled code from the cache beside
this file (about 0.2 s); the first call after an install compiles it (a few seconds).

Samples often share a position (a technician standing still). When more samples lie at the
k-th distance than places are left, inverse-distance weighting shares those places' weight among
all of them, so its estimate does not depend on the samples' order; the plain search keeps the
ones the walk meets first, which the same input always repeats.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely
from numba import njit
from shapely.geometry.base import BaseGeometry

# Below this many cells a grid is searched on one thread. Above it, each core takes a part.
PARALLEL_MIN_CELLS = 20_000


@njit(nogil=True, cache=True)
def _first_at_or_after(key, start, stop, along):
    """Return the first position in key[start:stop] whose value is at or after ``along``."""
    low, high = start, stop
    while low < high:
        middle = (low + high) >> 1
        if key[middle] < along:
            low = middle + 1
        else:
            high = middle
    return low


@njit(nogil=True, cache=True)
def _nearest_of_cell(along, across, start, stop, key, other, k, best_d2, best_index):
    """Fill ``best_d2``/``best_index`` with the ``k`` nearest of samples start..stop-1.

    Returns how many were found, and the smallest squared distance of the samples met but
    left out (infinite if none): equal to the k-th squared distance when a tie was cut.
    """
    low = _first_at_or_after(key, start, stop, along)
    limit = min(k, stop - start)
    found = 0
    left_out = np.inf
    left, right = low - 1, low
    while True:
        gap_left = along - key[left] if left >= start else np.inf
        gap_right = key[right] - along if right < stop else np.inf
        if gap_left <= gap_right:
            gap, sample = gap_left, left
            left -= 1
        else:
            gap, sample = gap_right, right
            right += 1
        if gap == np.inf:
            break
        # Every sample further out along the axis is at least ``gap`` away; one exactly
        # ``gap`` away may still tie with the k-th.
        if found == limit and gap * gap > best_d2[limit - 1]:
            break
        offset = other[sample] - across
        d2 = gap * gap + offset * offset
        if found < limit:
            slot = found
            found += 1
        elif d2 < best_d2[limit - 1]:
            left_out = min(left_out, best_d2[limit - 1])
            slot = limit - 1
        else:
            left_out = min(left_out, d2)
            continue
        # Insertion into the sorted list of the best so far.
        while slot > 0 and best_d2[slot - 1] > d2:
            best_d2[slot] = best_d2[slot - 1]
            best_index[slot] = best_index[slot - 1]
            slot -= 1
        best_d2[slot] = d2
        best_index[slot] = sample
    return found, left_out


@njit(nogil=True, cache=True)
def _at_distance(along, across, start, stop, key, other, target_d2, values_db, values_mw):
    """Return the count, and sums of mW, dB and dB², of the samples exactly at ``target_d2``."""
    low = _first_at_or_after(key, start, stop, along)
    count = 0
    sum_mw = 0.0
    sum_db = 0.0
    sum_square = 0.0
    for step in (-1, 1):
        sample = low - 1 if step < 0 else low
        while start <= sample < stop:
            gap = along - key[sample] if step < 0 else key[sample] - along
            if gap * gap > target_d2:
                break
            offset = other[sample] - across
            if gap * gap + offset * offset == target_d2:
                value = values_db[sample]
                count += 1
                sum_mw += values_mw[sample]
                sum_db += value
                sum_square += value * value
            sample += step
    return count, sum_mw, sum_db, sum_square


@njit(nogil=True, cache=True)
def _along_across(x, y, transposed):
    """Return a point's coordinates along and across its room's sorted axis."""
    return (y, x) if transposed else (x, y)


@njit(nogil=True, cache=True)
def _nearest_kernel(cell_x, cell_y, cell_room, key, other, starts, stops, transposed, k, distances, indices):
    best_d2 = np.empty(k)
    best_index = np.empty(k, np.int64)
    for cell in range(cell_x.shape[0]):
        room = cell_room[cell]
        along, across = _along_across(cell_x[cell], cell_y[cell], transposed[room])
        found, _ = _nearest_of_cell(along, across, starts[room], stops[room], key, other, k, best_d2, best_index)
        for rank in range(found):
            distances[cell, rank] = np.sqrt(best_d2[rank])
            indices[cell, rank] = best_index[rank]


@njit(nogil=True, cache=True)
def _idw_kernel(cell_x, cell_y, cell_room, key, other, starts, stops, transposed, k, values_db, values_mw, power,
                smoothing_m, estimate, spread):
    best_d2 = np.empty(k)
    best_index = np.empty(k, np.int64)
    for cell in range(cell_x.shape[0]):
        room = cell_room[cell]
        along, across = _along_across(cell_x[cell], cell_y[cell], transposed[room])
        start, stop = starts[room], stops[room]
        found, left_out = _nearest_of_cell(along, across, start, stop, key, other, k, best_d2, best_index)
        if found == 0:
            continue
        total = 0.0
        power_mw = 0.0
        mean_db = 0.0
        mean_square = 0.0
        last_d2 = best_d2[found - 1]
        tie_cut = left_out == last_d2
        tied_slots = 0
        for rank in range(found):
            if tie_cut and best_d2[rank] == last_d2:
                tied_slots += 1
                continue
            weight = _weight(best_d2[rank], power, smoothing_m)
            sample = best_index[rank]
            value = values_db[sample]
            total += weight
            power_mw += weight * values_mw[sample]
            mean_db += weight * value
            mean_square += weight * value * value
        if tie_cut:
            # More samples share the k-th distance than places are left: the places' weight
            # is shared by all of them, so the estimate does not depend on the samples' order.
            count, sum_mw, sum_db, sum_square = _at_distance(along, across, start, stop, key, other, last_d2, values_db, values_mw)
            share = _weight(last_d2, power, smoothing_m) * tied_slots / count
            total += share * count
            power_mw += share * sum_mw
            mean_db += share * sum_db
            mean_square += share * sum_square
        mean_db /= total
        estimate[cell] = 10.0 * np.log10(power_mw / total)
        spread[cell] = np.sqrt(max(mean_square / total - mean_db * mean_db, 0.0))


@njit(nogil=True, cache=True)
def _weight(d2, power, smoothing_m):
    shifted = np.sqrt(d2) + smoothing_m
    return 1.0 / (shifted * shifted) if power == 2.0 else shifted ** -power


class RoomSamples:
    """A level's placed samples, sorted per room for nearest-sample searches inside rooms.

    The bounding box of each of ``rooms`` picks the axis its samples are sorted on.
    ``sample_room`` is each sample's index into ``rooms``, so every sample must be in a room.
    """

    def __init__(self, rooms: Sequence[BaseGeometry], x_m: np.ndarray, y_m: np.ndarray, sample_room: np.ndarray) -> None:
        bounds = shapely.bounds(np.asarray(list(rooms), dtype=object)).reshape(-1, 4)
        # Sort each room along its longer side: a corridor is walked along its length.
        self.transposed = (bounds[:, 3] - bounds[:, 1]) > (bounds[:, 2] - bounds[:, 0])
        sample_room = np.asarray(sample_room, dtype=np.int64)
        along = np.where(self.transposed[sample_room], y_m, x_m)
        across = np.where(self.transposed[sample_room], x_m, y_m)
        self.order = np.lexsort((along, sample_room))
        self.key = np.ascontiguousarray(along[self.order], dtype=float)
        self.other = np.ascontiguousarray(across[self.order], dtype=float)
        counts = np.bincount(sample_room, minlength=len(bounds))
        self.stops = np.cumsum(counts)
        self.starts = self.stops - counts

    def nearest(self, x_m: np.ndarray, y_m: np.ndarray, room: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the distances and sample indices of each point's ``k`` nearest samples of its room.

        Rows are sorted by distance; a room with fewer than ``k`` samples pads its rows with
        an infinite distance and index -1. Indices refer to the order the samples were given in.
        """
        distances = np.full((len(x_m), k), np.inf)
        indices = np.full((len(x_m), k), -1, dtype=np.int64)
        self._run(_nearest_kernel, x_m, y_m, room, (k,), (distances, indices))
        found = indices >= 0
        indices[found] = self.order[indices[found]]
        return distances, indices

    def idw(self, x_m, y_m, room, k: int, values_db: np.ndarray, values_mw: np.ndarray, power: float,
            smoothing_m: float) -> tuple[np.ndarray, np.ndarray]:
        """Return inverse-distance weighting of each point's ``k`` nearest samples of its room.

        The weights are 1 / (d + ``smoothing_m``)^``power``. The estimate is the weighted mean of
        ``values_mw``, back in dBm, and the spread is the weighted standard deviation of ``values_db``.
        Points of a room without samples get NaN.
        """
        estimate = np.full(len(x_m), np.nan)
        spread = np.full(len(x_m), np.nan)
        values = (np.ascontiguousarray(values_db[self.order], dtype=float), np.ascontiguousarray(values_mw[self.order], dtype=float))
        self._run(_idw_kernel, x_m, y_m, room, (k, *values, float(power), float(smoothing_m)), (estimate, spread))
        return estimate, spread

    def _run(self, kernel, x_m, y_m, room, settings: tuple, outputs: tuple[np.ndarray, ...]) -> None:
        # Each thread fills its own slice of the outputs.
        x_m = np.ascontiguousarray(x_m, dtype=float)
        y_m = np.ascontiguousarray(y_m, dtype=float)
        room = np.ascontiguousarray(room, dtype=np.int64)
        shared = (self.key, self.other, self.starts, self.stops, self.transposed, *settings)
        parts = _parts(len(x_m))
        if len(parts) == 1:
            kernel(x_m, y_m, room, *shared, *outputs)
            return
        with ThreadPoolExecutor(max_workers=len(parts)) as pool:
            futures = [pool.submit(kernel, x_m[part], y_m[part], room[part], *shared, *(out[part] for out in outputs)) for part in parts]
            for future in futures:
                future.result()


def _parts(cells: int) -> list[slice]:
    workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    count = max(1, min(workers, cells // (PARALLEL_MIN_CELLS // 2)))
    edges = np.linspace(0, cells, count + 1).astype(int)
    return [slice(edges[i], edges[i + 1]) for i in range(count)]
