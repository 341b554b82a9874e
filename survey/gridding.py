"""Room-aware gridding: each room is estimated from its own samples only.

Wi-Fi survey tools fit one surface over the whole floor, which smears a dead shielded room into
its corridor and invents values where nobody measured. Here a cell takes the inverse-distance
weighted power average of the nearest samples *of the room it lies in*; a room without samples
stays blank (NaN), and nothing is interpolated across walls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from survey.metrics import NO_SERVICE_DBM, dbm_to_mw, mw_to_dbm
from survey.results import LevelResult


@dataclass
class Grid:
    """A regular grid over a level in plan metres; row 0 is the southernmost row.

    ``values`` is NaN outside rooms and in unmeasured rooms; ``room_index`` is the index of
    the room each cell centre falls in (-1 outside every room); ``spread_db`` is the weighted
    standard deviation of the samples behind each cell, an estimate of its uncertainty.
    """

    x_m: np.ndarray
    y_m: np.ndarray
    values: np.ndarray
    spread_db: np.ndarray
    room_index: np.ndarray
    resolution_m: float
    method: str

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """Return (x_min, x_max, y_min, y_max) of the cell edges, for ``imshow``."""
        half = self.resolution_m / 2
        return (self.x_m[0] - half, self.x_m[-1] + half, self.y_m[0] - half, self.y_m[-1] + half)

    @property
    def unmeasured(self) -> np.ndarray:
        """Return the mask of cells inside a room that has no estimate."""
        return (self.room_index >= 0) & np.isnan(self.values)


class RoomAwareGridder:
    """Inverse-distance weighting inside each room, averaged in milliwatts.

    Parameters
    ----------
    resolution_m
        Cell size in metres.
    neighbours
        Number of nearest samples of the room that weigh on a cell.
    power
        Exponent of the inverse-distance weights.
    smoothing_m
        Added to the distance so that a cell on top of a sample does not take its value alone;
        about the distance a phone moves during one fast-fading average (one second's walk).
    """

    def __init__(
        self, resolution_m: float = 0.5, neighbours: int = 8, power: float = 2.0, smoothing_m: float = 1.0
    ) -> None:
        if resolution_m <= 0:
            raise ValueError(f"resolution_m must be positive, got {resolution_m}")
        if neighbours < 1:
            raise ValueError(f"neighbours must be at least 1, got {neighbours}")
        self.resolution_m = resolution_m
        self.neighbours = neighbours
        self.power = power
        self.smoothing_m = smoothing_m

    def fit(
        self,
        rooms: Sequence[BaseGeometry],
        x_m: np.ndarray,
        y_m: np.ndarray,
        values_dbm: np.ndarray,
        sample_room: np.ndarray,
    ) -> RoomAwareGridder:
        """Store the samples of each room; ``sample_room`` gives each sample's room index."""
        x_m, y_m, values_dbm, sample_room = (np.asarray(a) for a in (x_m, y_m, values_dbm, sample_room))
        if not len(x_m) == len(y_m) == len(values_dbm) == len(sample_room):
            raise ValueError(
                "x_m, y_m, values_dbm and sample_room must have the same length, got "
                f"{len(x_m)}, {len(y_m)}, {len(values_dbm)} and {len(sample_room)}"
            )
        keep = np.isfinite(values_dbm) & np.isfinite(x_m) & np.isfinite(y_m) & (sample_room >= 0)
        self.rooms_ = list(rooms)
        self.trees_: dict[int, tuple[cKDTree, np.ndarray]] = {}
        for room in np.unique(sample_room[keep]).astype(int):
            mask = keep & (sample_room == room)
            points = np.column_stack([x_m[mask], y_m[mask]])
            self.trees_[room] = (cKDTree(points), values_dbm[mask].astype(float))
        return self

    def predict(self, x_m: np.ndarray, y_m: np.ndarray, room: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the estimate in dBm and its spread in dB at points inside room ``room``."""
        x_m, y_m = np.asarray(x_m, dtype=float), np.asarray(y_m, dtype=float)
        if room not in self.trees_:
            empty = np.full(x_m.shape, np.nan)
            return empty, empty.copy()
        tree, values = self.trees_[room]
        count = min(self.neighbours, len(values))
        distances, indices = tree.query(np.column_stack([x_m, y_m]), k=count)
        distances = distances.reshape(len(x_m), count)
        indices = indices.reshape(len(x_m), count)

        # Weights 1 / (d + s)^p, normalized per point.
        weights = 1.0 / np.power(distances + self.smoothing_m, self.power)
        weights /= weights.sum(axis=1, keepdims=True)

        # Average power in mW, then back to dBm; the spread is taken in dB.
        neighbour_values = values[indices]
        estimate = mw_to_dbm((weights * dbm_to_mw(neighbour_values)).sum(axis=1))
        mean_db = (weights * neighbour_values).sum(axis=1)
        spread = np.sqrt((weights * (neighbour_values - mean_db[:, None]) ** 2).sum(axis=1))
        return estimate, spread

    def grid(self, bounds: tuple[float, float, float, float] | None = None) -> Grid:
        """Estimate every cell of a grid covering ``bounds`` (default: the rooms' extent)."""
        if bounds is None:
            bounds = shapely.GeometryCollection(self.rooms_).bounds
        x_min, y_min, x_max, y_max = bounds
        step = self.resolution_m
        x_m = np.arange(x_min + step / 2, x_max, step)
        y_m = np.arange(y_min + step / 2, y_max, step)
        values = np.full((len(y_m), len(x_m)), np.nan)
        spread = np.full_like(values, np.nan)
        room_index = np.full(values.shape, -1, dtype=np.int32)

        for index, geometry in enumerate(self.rooms_):
            rows, columns = _cells_in(geometry, x_m, y_m, step)
            inside = room_index[rows, columns] < 0  # a cell on a shared wall goes to the first room
            rows, columns = rows[inside], columns[inside]
            room_index[rows, columns] = index
            estimate, cell_spread = self.predict(x_m[columns], y_m[rows], index)
            values[rows, columns] = estimate
            spread[rows, columns] = cell_spread

        return Grid(x_m, y_m, values, spread, room_index, step, method="room_idw")


def _cells_in(geometry: BaseGeometry, x_m: np.ndarray, y_m: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the (row, column) indices of the cells whose centre lies in ``geometry``."""
    gx_min, gy_min, gx_max, gy_max = geometry.bounds
    column_range = np.nonzero((x_m >= gx_min) & (x_m <= gx_max))[0]
    row_range = np.nonzero((y_m >= gy_min) & (y_m <= gy_max))[0]
    if len(column_range) == 0 or len(row_range) == 0:
        return np.empty(0, dtype=int), np.empty(0, dtype=int)
    columns, rows = np.meshgrid(column_range, row_range)
    rows, columns = rows.ravel(), columns.ravel()
    inside = shapely.contains_xy(geometry, x_m[columns], y_m[rows])
    return rows[inside], columns[inside]


def grid_level(
    level: LevelResult,
    plmn: str | None,
    metric: str = "signal_dbm",
    *,
    technologies: Sequence[str] = ("lte", "nr"),
    resolution_m: float = 0.5,
) -> Grid:
    """Grid one operator's serving-cell ``metric`` over a level (``plmn=None``: the best operator).

    No-service samples enter as :data:`~survey.metrics.NO_SERVICE_DBM` for signal levels, so a
    dead room shows as ``none`` rather than as unmeasured. With ``plmn=None`` each cell takes
    the strongest operator's estimate, the view of a person who may use any network.
    """
    if plmn is None:
        operators = sorted(level.samples["plmn"].dropna().unique())
        grids = [grid_level(level, code, metric, technologies=technologies, resolution_m=resolution_m) for code in operators]
        if not grids:
            return grid_level(level, "", metric, technologies=technologies, resolution_m=resolution_m)
        stacked = np.stack([grid.values for grid in grids])
        best = grids[0]
        with np.errstate(invalid="ignore"):
            all_missing = np.all(np.isnan(stacked), axis=0)
            values = np.where(all_missing, np.nan, np.nanmax(np.where(np.isnan(stacked), -np.inf, stacked), axis=0))
        return Grid(best.x_m, best.y_m, values, best.spread_db, best.room_index, best.resolution_m, "room_idw_best")

    samples = level.samples
    selected = samples[
        (samples["plmn"] == plmn).fillna(False)
        & samples["serving"]
        & samples["room_id"].notna()
        & samples["x_m"].notna()
    ]
    no_service = (selected["service"] == "no_service").to_numpy()
    in_technology = selected["technology"].isin(technologies).to_numpy()
    selected_values = selected[metric].to_numpy(dtype=float, na_value=np.nan)
    if metric in ("signal_dbm", "rsrp_dbm"):
        selected_values = np.where(no_service, NO_SERVICE_DBM, selected_values)
    keep = in_technology | no_service

    room_position = {room.room_id: index for index, room in enumerate(level.rooms)}
    sample_room = selected["room_id"].map(room_position).fillna(-1).to_numpy(dtype=int)
    gridder = RoomAwareGridder(resolution_m=resolution_m).fit(
        [room.geometry for room in level.rooms],
        selected["x_m"].to_numpy(dtype=float)[keep],
        selected["y_m"].to_numpy(dtype=float)[keep],
        selected_values[keep],
        sample_room[keep],
    )
    return gridder.grid(level.bounds)
