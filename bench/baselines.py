"""The two surfaces peers draw, as baselines for the room-aware gridders (not product code).

- :class:`GlobalRBFGridder`: one ``scipy.interpolate.RBFInterpolator`` with a linear kernel
  over every sample of the floor, in dB, as Wi-Fi survey tools draw heatmaps;
- :class:`FloorIDWGridder`: inverse-distance weighting of the nearest samples of the floor,
  averaged in milliwatts, ignoring walls.

Both take the room-aware gridders' ``fit`` arguments and give a value to every cell inside a
room, unmeasured rooms included, since that is what they do.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.interpolate import RBFInterpolator
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from survey.gridding import Grid, grid_from
from survey.metrics import dbm_to_mw, mw_to_dbm


class _FloorGridder:
    method = ""

    def __init__(self, resolution_m: float = 0.5) -> None:
        self.resolution_m = resolution_m

    def fit(self, rooms: Sequence[BaseGeometry], x_m, y_m, values_dbm, sample_room) -> _FloorGridder:
        """Keep the placed samples; walls and rooms play no part in the surface."""
        x_m, y_m, values_dbm = (np.asarray(a, dtype=float) for a in (x_m, y_m, values_dbm))
        keep = np.isfinite(x_m) & np.isfinite(y_m) & np.isfinite(values_dbm)
        self.rooms_ = list(rooms)
        self._fit_points(np.column_stack([x_m[keep], y_m[keep]]), values_dbm[keep])
        return self

    def grid(self, bounds: tuple[float, float, float, float] | None = None) -> Grid:
        """Estimate every cell inside a room of a grid covering ``bounds``."""
        return grid_from(self.rooms_, bounds, self.resolution_m, self._predict_cells, self.method)

    def _predict_cells(self, x_m: np.ndarray, y_m: np.ndarray, _room: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # The room plays no part; these surfaces carry no uncertainty.
        return self.predict(x_m, y_m), np.full(len(x_m), np.nan)

    def _fit_points(self, points: np.ndarray, values: np.ndarray) -> None:
        raise NotImplementedError

    def predict(self, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        raise NotImplementedError


class GlobalRBFGridder(_FloorGridder):
    """A linear-kernel radial basis function through every sample of the floor, in dB.

    Repeated positions (a technician standing still) are averaged first, since the
    interpolation system is singular with two identical points. ``smoothing`` is SciPy's
    regularization: with 0, the exact interpolant swings by hundreds of dB between close
    samples of very different levels, such as both sides of a shielded room's wall. Solving the system costs
    O(N³) time and O(N²) memory for N distinct positions.
    """

    method = "global_rbf"

    def __init__(self, resolution_m: float = 0.5, smoothing: float = 1.0) -> None:
        super().__init__(resolution_m)
        self.smoothing = smoothing

    def _fit_points(self, points: np.ndarray, values: np.ndarray) -> None:
        frame = pd.DataFrame({"x": points[:, 0], "y": points[:, 1], "value": values})
        merged = frame.groupby(["x", "y"], as_index=False)["value"].mean()
        self.interpolator_ = RBFInterpolator(
            merged[["x", "y"]].to_numpy(), merged["value"].to_numpy(), kernel="linear", smoothing=self.smoothing
        )

    def predict(self, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        return self.interpolator_(np.column_stack([x_m, y_m]))


class FloorIDWGridder(_FloorGridder):
    """Inverse-distance weighting of the floor's nearest samples, in milliwatts, across walls."""

    method = "floor_idw"

    def __init__(self, resolution_m: float = 0.5, neighbours: int = 8, power: float = 2.0, smoothing_m: float = 1.0) -> None:
        super().__init__(resolution_m)
        self.neighbours = neighbours
        self.power = power
        self.smoothing_m = smoothing_m

    def _fit_points(self, points: np.ndarray, values: np.ndarray) -> None:
        self.tree_ = cKDTree(points)
        self.values_ = values

    def predict(self, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        count = min(self.neighbours, len(self.values_))
        distances, indices = self.tree_.query(np.column_stack([x_m, y_m]), k=count)
        distances = distances.reshape(len(x_m), count)
        indices = indices.reshape(len(x_m), count)
        weights = 1.0 / np.power(distances + self.smoothing_m, self.power)
        weights /= weights.sum(axis=1, keepdims=True)
        return mw_to_dbm((weights * dbm_to_mw(self.values_[indices])).sum(axis=1))
