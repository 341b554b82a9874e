"""Room-aware gridding: each room is estimated from its own samples only.

Wi-Fi survey tools fit one surface over the whole floor, which smears a dead shielded room into
its corridor and invents values where nobody measured. Here a cell is estimated from the
samples *of the room it lies in*; a room without samples stays blank (NaN), and nothing is
interpolated across walls.

Two estimators share one shape (settings in the constructor, ``fit`` that validates and
returns the estimator, ``predict`` on points, ``grid`` whose result records how it was made):

- :class:`RoomAwareGridder`: inverse-distance weighting of the room's nearest samples,
  averaged in milliwatts;
- :class:`RoomKrigingGridder`: a planar trend with one offset per room, plus ordinary kriging
  of the residuals among the room's nearest samples, with the kriging standard deviation as
  each cell's uncertainty.

Both take a cell's nearest samples among those of its room only (:mod:`survey.nearest`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Self

import numpy as np
import shapely
from scipy.optimize import curve_fit
from scipy.spatial import cKDTree
from shapely.geometry.base import BaseGeometry

from survey.metrics import NO_SERVICE_DBM, dbm_to_mw
from survey.nearest import RoomSamples
from survey.results import LevelResult

logger = logging.getLogger(__name__)

# Offset between rooms in the variogram's pair search, in metres: far larger than any floor,
# so that the pairs found are always two samples of one room.
ROOM_OFFSET_M = 1.0e6

# Cells estimated per batch of kriging systems; bounds memory to a few tens of MB.
KRIGING_BATCH_CELLS = 8_192

GRIDDING_METHODS = ("idw", "kriging")

# Smallest kriging nugget, as a share of the partial sill: readings taken at one spot (a
# technician waiting at a door) would otherwise make the kriging systems singular.
MIN_NUGGET_SHARE = 0.01


@dataclass
class Grid:
    """A regular grid over a level in plan metres; row 0 is the southernmost row.

    ``values`` is NaN outside rooms and in unmeasured rooms. ``room_index`` is the index of
    the room each cell centre falls in, or -1 outside every room and on a wall shared by two
    rooms. ``spread_db`` is each cell's uncertainty in dB, as one standard deviation: the
    weighted spread of the samples behind it for inverse-distance weighting, and the kriging
    standard deviation for kriging. ``method`` and ``settings`` record how it was made.
    """

    x_m: np.ndarray
    y_m: np.ndarray
    values: np.ndarray
    spread_db: np.ndarray
    room_index: np.ndarray
    resolution_m: float
    method: str
    settings: dict = field(default_factory=dict)

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """Return (x_min, x_max, y_min, y_max) of the cell edges, for ``imshow``."""
        half = self.resolution_m / 2
        return (self.x_m[0] - half, self.x_m[-1] + half, self.y_m[0] - half, self.y_m[-1] + half)

    @property
    def unmeasured(self) -> np.ndarray:
        """Return the mask of cells inside a room that has no estimate."""
        return (self.room_index >= 0) & np.isnan(self.values)


def grid_axes(bounds: tuple[float, float, float, float], resolution_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the cell-centre coordinates along x and y of a grid covering ``bounds``."""
    x_min, y_min, x_max, y_max = bounds
    x_m = np.arange(x_min + resolution_m / 2, x_max, resolution_m)
    y_m = np.arange(y_min + resolution_m / 2, y_max, resolution_m)
    return x_m, y_m


def room_index_grid(rooms: Sequence[BaseGeometry], x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
    """Return, per cell of the grid ``x_m`` × ``y_m``, the index of the room containing its centre.

    Cells outside every room, and cells whose centre lies exactly on a room's boundary, get -1.
    Should rooms overlap, the first room in order keeps the cell.
    """
    room_index = np.full((len(y_m), len(x_m)), -1, dtype=np.int32)
    geometries = np.asarray(list(rooms), dtype=object)
    bounds = shapely.bounds(geometries).reshape(-1, 4)
    # A room whose area is that of its bounding box is that box: every cell strictly inside
    # the box is in the room, with no point-in-polygon test.
    box_area = (bounds[:, 2] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 1])
    is_box = np.isclose(shapely.area(geometries), box_area, rtol=1e-9, atol=0.0)
    for index, geometry in enumerate(geometries):
        x_min, y_min, x_max, y_max = bounds[index]
        if is_box[index]:
            # Cells are sorted along each axis: the inside ones are one block.
            first_column, end_column = np.searchsorted(x_m, x_min, "right"), np.searchsorted(x_m, x_max, "left")
            first_row, end_row = np.searchsorted(y_m, y_min, "right"), np.searchsorted(y_m, y_max, "left")
            block = room_index[first_row:end_row, first_column:end_column]
            block[block < 0] = index
            continue
        # Only the cells of the room's bounding box are tested, with one vectorized call.
        columns = np.flatnonzero((x_m >= x_min) & (x_m <= x_max))
        rows = np.flatnonzero((y_m >= y_min) & (y_m <= y_max))
        if not len(columns) or not len(rows):
            continue
        column_grid, row_grid = np.meshgrid(columns, rows)
        column_grid, row_grid = column_grid.ravel(), row_grid.ravel()
        inside = shapely.contains_xy(geometry, x_m[column_grid], y_m[row_grid])
        inside &= room_index[row_grid, column_grid] < 0
        room_index[row_grid[inside], column_grid[inside]] = index
    return room_index


def grid_from(
    rooms: Sequence[BaseGeometry],
    bounds: tuple[float, float, float, float] | None,
    resolution_m: float,
    predict: Callable[[np.ndarray, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    method: str,
    settings: dict | None = None,
) -> Grid:
    """Build a grid over ``bounds`` (default: the rooms' extent) whose room cells ``predict`` fills.

    ``predict(x_m, y_m, room_index)`` returns the estimate in dBm and its uncertainty in dB at
    every cell centre inside a room; cells outside rooms stay NaN.
    """
    if bounds is None:
        bounds = shapely.GeometryCollection(list(rooms)).bounds
    x_m, y_m = grid_axes(bounds, resolution_m)
    room_index = room_index_grid(rooms, x_m, y_m)

    # Every cell inside a room at once.
    rows, columns = np.nonzero(room_index >= 0)
    estimate, spread = predict(x_m[columns], y_m[rows], room_index[rows, columns])
    values = np.full(room_index.shape, np.nan)
    spread_db = np.full(room_index.shape, np.nan)
    values[rows, columns] = estimate
    spread_db[rows, columns] = spread
    return Grid(x_m, y_m, values, spread_db, room_index, resolution_m, method, settings or {})


class _RoomGridder:
    """Base of the room-aware estimators: input checks, the nearest samples of a room and ``grid``."""

    method = ""

    def __init__(self, resolution_m: float, neighbours: int) -> None:
        if not resolution_m > 0:
            raise ValueError(f"resolution_m must be positive, got {resolution_m}")
        if neighbours < 1:
            raise ValueError(f"neighbours must be at least 1, got {neighbours}")
        self.resolution_m = resolution_m
        self.neighbours = neighbours

    def settings(self) -> dict:
        """Return the constructor settings, recorded in every grid."""
        return {"resolution_m": self.resolution_m, "neighbours": self.neighbours}

    def fit(
        self,
        rooms: Sequence[BaseGeometry],
        x_m: np.ndarray,
        y_m: np.ndarray,
        values_dbm: np.ndarray,
        sample_room: np.ndarray,
    ) -> Self:
        """Validate and store the samples, then fit the estimator; return it.

        ``rooms`` are the level's room polygons in plan metres, ``values_dbm`` the samples'
        levels and ``sample_room`` each sample's index into ``rooms`` (-1: in no room).
        """
        self._store_samples(rooms, x_m, y_m, values_dbm, sample_room)
        self._fit()
        return self

    def _fit(self) -> None:
        """Fit what the estimator needs beyond the stored samples."""

    def _store_samples(self, rooms, x_m, y_m, values_dbm, sample_room) -> np.ndarray:
        """Validate the samples, keep the placed ones and sort them for searches inside rooms.

        Returns the mask of kept samples.
        """
        x_m, y_m, values_dbm, sample_room = (np.asarray(a) for a in (x_m, y_m, values_dbm, sample_room))
        if not len(x_m) == len(y_m) == len(values_dbm) == len(sample_room):
            raise ValueError(
                "x_m, y_m, values_dbm and sample_room must have the same length, got "
                f"{len(x_m)}, {len(y_m)}, {len(values_dbm)} and {len(sample_room)}"
            )
        self.rooms_ = list(rooms)
        sample_room = sample_room.astype(int)
        if len(sample_room) and sample_room.max() >= len(self.rooms_):
            raise ValueError(f"sample_room contains room index {sample_room.max()}, but only {len(self.rooms_)} rooms were given")

        keep = np.isfinite(values_dbm) & np.isfinite(x_m) & np.isfinite(y_m) & (sample_room >= 0)
        self.x_ = x_m[keep].astype(float)
        self.y_ = y_m[keep].astype(float)
        self.values_ = values_dbm[keep].astype(float)
        self.sample_room_ = sample_room[keep]
        self.measured_rooms_ = np.zeros(len(self.rooms_), dtype=bool)
        self.measured_rooms_[self.sample_room_] = True
        self.search_ = RoomSamples(self.rooms_, self.x_, self.y_, self.sample_room_)
        return keep

    def _neighbours(self, x_m: np.ndarray, y_m: np.ndarray, room: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the distances, sample indices and validity of each point's nearest samples of its room."""
        distances, indices = self.search_.nearest(x_m, y_m, room, self.neighbours)
        valid = indices >= 0
        return np.where(valid, distances, 0.0), np.where(valid, indices, 0), valid

    def predict(self, x_m: np.ndarray, y_m: np.ndarray, room: int | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the estimate in dBm and its uncertainty in dB at points inside room ``room``.

        ``room`` is one room index for every point, or one per point. Points of a room
        without samples get NaN.
        """
        x_m = np.atleast_1d(np.asarray(x_m, dtype=float))
        y_m = np.atleast_1d(np.asarray(y_m, dtype=float))
        room = np.broadcast_to(np.asarray(room, dtype=int), x_m.shape)
        estimate = np.full(x_m.shape, np.nan)
        spread = np.full(x_m.shape, np.nan)
        measured = (room >= 0) & (room < len(self.rooms_))
        measured[measured] = self.measured_rooms_[room[measured]]
        if measured.any():
            estimate[measured], spread[measured] = self._predict_measured(x_m[measured], y_m[measured], room[measured])
        return estimate, spread

    def grid(self, bounds: tuple[float, float, float, float] | None = None) -> Grid:
        """Estimate every cell of a grid covering ``bounds`` (default: the rooms' extent)."""
        return grid_from(self.rooms_, bounds, self.resolution_m, self.predict, self.method, self.settings())

    def _predict_measured(self, x_m, y_m, room) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError


class RoomAwareGridder(_RoomGridder):
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

    method = "room_idw"

    def __init__(
        self, resolution_m: float = 0.5, neighbours: int = 8, power: float = 2.0, smoothing_m: float = 1.0
    ) -> None:
        super().__init__(resolution_m, neighbours)
        self.power = power
        self.smoothing_m = smoothing_m

    def settings(self) -> dict:
        return {**super().settings(), "power": self.power, "smoothing_m": self.smoothing_m}

    def _fit(self) -> None:
        self.values_mw_ = dbm_to_mw(self.values_)

    def _predict_measured(self, x_m, y_m, room) -> tuple[np.ndarray, np.ndarray]:
        # Weights 1 / (d + s)^p over the room's nearest samples; power averaged in mW. The
        # spread is the weighted standard deviation of the same samples in dB.
        return self.search_.idw(x_m, y_m, room, self.neighbours, self.values_, self.values_mw_, self.power, self.smoothing_m)


@dataclass(frozen=True)
class Variogram:
    """An exponential variogram γ(h) = nugget + partial_sill × (1 − exp(−h / range_m)), in dB²."""

    nugget_db2: float
    partial_sill_db2: float
    range_m: float

    def covariance(self, distance_m: np.ndarray) -> np.ndarray:
        """Return the covariance of the smooth field at ``distance_m``, without the nugget."""
        return self.partial_sill_db2 * np.exp(-distance_m / self.range_m)


class RoomKrigingGridder(_RoomGridder):
    """A planar trend with one offset per room, plus ordinary kriging of the residuals per room.

    The trend replaces the log-distance path loss, because the cells' positions are unknown in a
    real survey, and over a floor 50–300 m from the cells the log-distance loss varies almost
    linearly across the floor. One gradient is shared by the level and each room has its own
    offset, so walls and shielding shift rooms without tilting the floor. The residuals
    (shadowing and fast fading) are kriged among the room's nearest samples with an
    exponential variogram fitted on pairs of samples of the same room. Its nugget is the
    reading-to-reading noise (fast fading and 1 dB rounding), so the estimate is the noise-free
    local mean. The uncertainty is the kriging standard deviation of that mean.

    Everything is in dB: shadowing is log-normal, so it is Gaussian in dB.

    Parameters
    ----------
    resolution_m
        Cell size in metres.
    neighbours
        Nearest samples of the room in each local kriging system.
    range_m
        Variogram range in metres; None fits it on the samples.
    max_lag_m
        Longest sample distance used to fit the variogram, in metres.
    variogram_samples
        Samples drawn at random to fit the variogram, bounding its cost.
    seed
        Seed of that draw.

    Notes
    -----
    The uncertainty leaves out the error of the trend's offset, which is small next to the
    kriging variance once a room has a few tens of samples. Samples with no service enter at
    ``NO_SERVICE_DBM`` as every other value, so a dead room is flat at that level.
    """

    method = "room_kriging"

    def __init__(
        self,
        resolution_m: float = 0.5,
        neighbours: int = 12,
        range_m: float | None = None,
        max_lag_m: float = 15.0,
        variogram_samples: int = 3000,
        seed: int = 0,
    ) -> None:
        super().__init__(resolution_m, neighbours)
        if range_m is not None and not range_m > 0:
            raise ValueError(f"range_m must be positive or None, got {range_m}")
        self.range_m = range_m
        self.max_lag_m = max_lag_m
        self.variogram_samples = variogram_samples
        self.seed = seed

    def settings(self) -> dict:
        fitted = getattr(self, "variogram_", None)
        return {
            **super().settings(),
            "range_m": self.range_m,
            "variogram": None if fitted is None else {
                "model": "exponential",
                "nugget_db2": round(fitted.nugget_db2, 3),
                "partial_sill_db2": round(fitted.partial_sill_db2, 3),
                "range_m": round(fitted.range_m, 2),
            },
            "gradient_db_per_m": None if getattr(self, "gradient_", None) is None else [round(float(g), 4) for g in self.gradient_],
        }

    def _fit(self) -> None:
        # The trend, then the variogram of the residuals around it.
        self.censored_ = self.values_ <= NO_SERVICE_DBM
        self.gradient_, self.offsets_ = self._fit_trend()
        self.residuals_ = self.values_ - self._trend(self.x_, self.y_, self.sample_room_)
        self.variogram_ = self._fit_variogram()
        logger.debug("kriging fit on %d samples: %s", len(self.values_), self.variogram_)

    def _fit_trend(self) -> tuple[np.ndarray, np.ndarray]:
        # Least squares of value ~ offset[room] + gradient · (x, y): removing each room's
        # means leaves a two-parameter regression for the gradient.
        # The gradient comes from in-service samples only: a no-service sample is censored
        # (the true level is anywhere below the sensitivity), not a measured level.
        measured = ~self.censored_
        gradient = np.zeros(2)
        if measured.sum() > 2:
            means = _room_means(self.sample_room_[measured], len(self.rooms_), self.x_[measured], self.y_[measured], self.values_[measured])
            room = self.sample_room_[measured]
            centred = np.column_stack([self.x_[measured] - means[0][room], self.y_[measured] - means[1][room]])
            gradient, *_ = np.linalg.lstsq(centred, self.values_[measured] - means[2][room], rcond=None)

        # A room with no in-service sample stays flat at its level. Each room's offset is its
        # mean of value minus gradient, no-service samples included.
        self.tilted_ = np.zeros(len(self.rooms_), dtype=bool)
        self.tilted_[self.sample_room_[measured]] = True
        detrended = self.values_ - self.tilted_[self.sample_room_] * (gradient[0] * self.x_ + gradient[1] * self.y_)
        (offsets,) = _room_means(self.sample_room_, len(self.rooms_), detrended)
        return gradient, offsets

    def _trend(self, x_m: np.ndarray, y_m: np.ndarray, room: np.ndarray) -> np.ndarray:
        return self.offsets_[room] + self.tilted_[room] * (self.gradient_[0] * x_m + self.gradient_[1] * y_m)

    def _fit_variogram(self) -> Variogram:
        # Empirical semivariance of residual pairs of the same room, in 1 m lag bins.
        rng = np.random.default_rng(self.seed)
        chosen = np.flatnonzero(~self.censored_)
        if len(chosen) > self.variogram_samples:
            chosen = np.sort(rng.choice(chosen, self.variogram_samples, replace=False))
        points = np.column_stack([self.x_[chosen] + self.sample_room_[chosen] * ROOM_OFFSET_M, self.y_[chosen]])
        pairs = cKDTree(points).query_pairs(self.max_lag_m, output_type="ndarray") if len(chosen) > 1 else np.empty((0, 2), int)
        variance = float(np.var(self.residuals_[chosen])) if len(chosen) else 1.0
        variance = max(variance, 1e-6)
        fallback = Variogram(nugget_db2=0.5 * variance, partial_sill_db2=0.5 * variance, range_m=self.range_m or 7.0)
        if len(pairs) < 50:
            return fallback

        lags = np.hypot(*(points[pairs[:, 0]] - points[pairs[:, 1]]).T)
        halves = 0.5 * (self.residuals_[chosen[pairs[:, 0]]] - self.residuals_[chosen[pairs[:, 1]]]) ** 2
        bins = np.floor(lags).astype(int)
        counts = np.bincount(bins, minlength=int(self.max_lag_m) + 1)
        sums = np.bincount(bins, weights=halves, minlength=int(self.max_lag_m) + 1)
        filled = counts >= 10
        centres = (np.arange(len(counts)) + 0.5)[filled]
        semivariance = sums[filled] / counts[filled]

        # Weighted least squares of the exponential model; bins with more pairs weigh more.
        def model(h, nugget, partial_sill, range_m):
            return nugget + partial_sill * (1 - np.exp(-h / range_m))

        fixed_range = self.range_m
        try:
            if fixed_range is None:
                parameters, _ = curve_fit(model, centres, semivariance, p0=[0.3 * variance, 0.7 * variance, 5.0],
                                          sigma=1 / np.sqrt(counts[filled]), bounds=([0, 1e-6, 0.5], [np.inf, np.inf, 2 * self.max_lag_m]))
            else:
                partial, _ = curve_fit(lambda h, n, s: model(h, n, s, fixed_range), centres, semivariance,
                                       p0=[0.3 * variance, 0.7 * variance], sigma=1 / np.sqrt(counts[filled]),
                                       bounds=([0, 1e-6], [np.inf, np.inf]))
                parameters = [*partial, fixed_range]
        except (RuntimeError, ValueError) as error:
            logger.warning("variogram fit failed on %d pairs (%s); using nugget and sill of half the variance each", len(pairs), error)
            return fallback
        # A zero nugget would make the systems singular where a phone stood still.
        nugget = max(float(parameters[0]), MIN_NUGGET_SHARE * float(parameters[1]))
        return Variogram(nugget_db2=nugget, partial_sill_db2=float(parameters[1]), range_m=float(parameters[2]))

    def _predict_measured(self, x_m, y_m, room) -> tuple[np.ndarray, np.ndarray]:
        estimate = np.empty(len(x_m))
        spread = np.empty(len(x_m))
        for start in range(0, len(x_m), KRIGING_BATCH_CELLS):
            part = slice(start, start + KRIGING_BATCH_CELLS)
            estimate[part], spread[part] = self._krige(x_m[part], y_m[part], room[part])
        return estimate, spread

    def _krige(self, x_m, y_m, room) -> tuple[np.ndarray, np.ndarray]:
        distances, indices, valid = self._neighbours(x_m, y_m, room)
        cells, count = indices.shape
        variogram = self.variogram_

        # Covariances among the neighbours (noise on the diagonal) and to the cell.
        dx = self.x_[indices][:, :, None] - self.x_[indices][:, None, :]
        dy = self.y_[indices][:, :, None] - self.y_[indices][:, None, :]
        among = variogram.covariance(np.hypot(dx, dy)) + variogram.nugget_db2 * np.eye(count)
        to_cell = variogram.covariance(distances)

        # Neighbours from outside the room (rooms with few samples) get zero weight: their
        # rows become the identity with a zero right-hand side and no part in the constraint.
        pair_valid = valid[:, :, None] & valid[:, None, :]
        among = np.where(pair_valid, among, np.eye(count)[None])
        to_cell = np.where(valid, to_cell, 0.0)

        # Ordinary kriging: weights summing to one, with a Lagrange multiplier.
        system = np.zeros((cells, count + 1, count + 1))
        system[:, :count, :count] = among
        system[:, :count, count] = valid
        system[:, count, :count] = valid
        right = np.concatenate([to_cell, np.ones((cells, 1))], axis=1)
        solution = np.linalg.solve(system, right[:, :, None])[:, :, 0]
        weights, multiplier = solution[:, :count], solution[:, count]

        # Trend plus kriged residual; the variance is that of the noise-free local mean.
        residual = (weights * self.residuals_[indices]).sum(axis=1)
        variance = variogram.partial_sill_db2 - (weights * to_cell).sum(axis=1) - multiplier
        estimate = self._trend(x_m, y_m, room) + residual
        return estimate, np.sqrt(np.clip(variance, 0.0, None))


def _room_means(room: np.ndarray, rooms: int, *columns: np.ndarray) -> list[np.ndarray]:
    """Return the per-room mean of each column (NaN for rooms without samples)."""
    counts = np.bincount(room, minlength=rooms).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return [np.bincount(room, weights=column, minlength=rooms) / counts for column in columns]


def make_gridder(method: str = "idw", resolution_m: float = 0.5) -> RoomAwareGridder | RoomKrigingGridder:
    """Return a room-aware gridder by name: ``idw`` or ``kriging``."""
    if method == "idw":
        return RoomAwareGridder(resolution_m=resolution_m)
    if method == "kriging":
        return RoomKrigingGridder(resolution_m=resolution_m)
    raise ValueError(f"method must be one of {', '.join(GRIDDING_METHODS)}, got {method!r}")


def grid_level(
    level: LevelResult,
    plmn: str | None,
    metric: str = "signal_dbm",
    *,
    technologies: Sequence[str] = ("lte", "nr"),
    resolution_m: float = 0.5,
    method: str = "idw",
) -> Grid:
    """Grid one operator's serving-cell ``metric`` over a level (``plmn=None``: the best operator).

    No-service samples enter as :data:`~survey.metrics.NO_SERVICE_DBM` for signal levels, so a
    dead room shows as ``none`` rather than as unmeasured. With ``plmn=None`` each cell takes
    the strongest operator's estimate, the view of a person who may use any network.
    ``method`` picks the estimator: ``idw`` (:class:`RoomAwareGridder`) or ``kriging``
    (:class:`RoomKrigingGridder`).
    """
    if plmn is None:
        return _best_operator_grid(level, metric, technologies, resolution_m, method)

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
    gridder = make_gridder(method, resolution_m).fit(
        [room.geometry for room in level.rooms],
        selected["x_m"].to_numpy(dtype=float)[keep],
        selected["y_m"].to_numpy(dtype=float)[keep],
        selected_values[keep],
        sample_room[keep],
    )
    return gridder.grid(level.bounds)


def _best_operator_grid(level: LevelResult, metric: str, technologies: Sequence[str], resolution_m: float, method: str) -> Grid:
    # Each cell takes the strongest operator's estimate, and that operator's uncertainty.
    operators = sorted(level.samples["plmn"].dropna().unique())
    grids = [grid_level(level, code, metric, technologies=technologies, resolution_m=resolution_m, method=method) for code in operators]
    if not grids:
        return grid_level(level, "", metric, technologies=technologies, resolution_m=resolution_m, method=method)
    stacked = np.stack([grid.values for grid in grids])
    spreads = np.stack([grid.spread_db for grid in grids])
    all_missing = np.all(np.isnan(stacked), axis=0)
    best = np.argmax(np.where(np.isnan(stacked), -np.inf, stacked), axis=0)
    values = np.where(all_missing, np.nan, np.take_along_axis(stacked, best[None], axis=0)[0])
    spread = np.where(all_missing, np.nan, np.take_along_axis(spreads, best[None], axis=0)[0])
    first = grids[0]
    return Grid(first.x_m, first.y_m, values, spread, first.room_index, first.resolution_m, f"{first.method}_best", first.settings)
