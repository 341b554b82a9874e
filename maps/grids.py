"""Heatmap grids of a level, per operator and metric, built once and shared by every rendering.

The offline maps, the heatmap images, the PDF report and the crisis kit all draw the same
grids, so :class:`LevelGrids` computes each (operator, metric) grid on first use and keeps it.
The best-operator grid is the per-cell maximum of the operator grids already computed.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field

import numpy as np

from survey.gridding import Grid, grid_level
from survey.i18n import _
from survey.metrics import NO_SERVICE_DBM, dbm_to_mw, mw_to_dbm
from survey.results import LevelResult, SiteAnalysis

logger = logging.getLogger(__name__)

DEFAULT_RESOLUTION_M = 0.5

# Metrics in which no-service samples count as a very low level, as in the gridder.
SIGNAL_METRICS = ("signal_dbm", "rsrp_dbm")

# Metrics of the maps' layers: the primary signal level (RSRP on LTE and NR), RSRQ and SINR.
MAP_METRICS = ("signal_dbm", "rsrq_db", "sinr_db")

# Heatmap metric -> (technology whose display classes colour it, technologies gridded).
METRIC_TECHNOLOGIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "signal_dbm": ("lte", ("lte", "nr")),
    "rsrp_dbm": ("lte", ("lte", "nr")),
    "rsrq_db": ("lte", ("lte", "nr")),
    "sinr_db": ("lte", ("lte", "nr")),
    "rscp_dbm": ("umts", ("umts",)),
    "ecno_db": ("umts", ("umts",)),
    "rssi_dbm": ("gsm", ("gsm",)),
}


def display_technology(metric: str) -> str:
    """Return the technology whose display classes colour ``metric`` on maps."""
    return metric_technologies(metric)[0]


def metric_technologies(metric: str) -> tuple[str, tuple[str, ...]]:
    """Return (display technology, gridded technologies) of a heatmap metric."""
    try:
        return METRIC_TECHNOLOGIES[metric]
    except KeyError:
        known = ", ".join(METRIC_TECHNOLOGIES)
        raise ValueError(f"invalid heatmap metric {metric!r}: use one of {known}") from None


def operator_label(analysis: SiteAnalysis, plmn: str | None) -> str:
    """Return the display name of an operator, or the translated "best operator" for None."""
    if plmn is None:
        return _("best operator")
    return next((name or code for code, name in analysis.operators if code == plmn), plmn)


@dataclass
class LevelGrids:
    """The grids of one level, computed on first request and kept.

    Keys are (PLMN, metric); a PLMN of None is the best operator, the strongest operator's
    estimate in each cell. A level without rooms has no grid: :meth:`grid` returns None.
    """

    level: LevelResult
    plmns: list[str]
    resolution_m: float = DEFAULT_RESOLUTION_M
    _grids: dict[tuple[str | None, str], Grid] = field(default_factory=dict, repr=False)

    def grid(self, plmn: str | None, metric: str = "signal_dbm") -> Grid | None:
        """Return the grid of one operator (None: the best one) and metric, or None without rooms."""
        if not self.level.rooms:
            return None
        key = (plmn, metric)
        if key not in self._grids:
            self._grids[key] = self._best(metric) if plmn is None else self._operator(plmn, metric)
        return self._grids[key]

    def _operator(self, plmn: str, metric: str) -> Grid:
        _technology, technologies = metric_technologies(metric)
        grid = grid_level(self.level, plmn, metric, technologies=technologies, resolution_m=self.resolution_m)
        return fill_rooms_without_positions(grid, self.level, plmn, metric, technologies)

    def _best(self, metric: str) -> Grid:
        """Return the per-cell maximum over the operator grids, with the chosen operator's spread."""
        grids = [self.grid(plmn, metric) for plmn in self.plmns]
        if not grids:
            # A level without any sample: every room is unmeasured.
            return self._operator("", metric)

        values = np.stack([grid.values for grid in grids])
        spreads = np.stack([grid.spread_db for grid in grids])
        measured = ~np.all(np.isnan(values), axis=0)
        best = np.argmax(np.where(np.isnan(values), -np.inf, values), axis=0)
        chosen_values = np.take_along_axis(values, best[None], axis=0)[0]
        chosen_spread = np.take_along_axis(spreads, best[None], axis=0)[0]
        first = grids[0]
        return Grid(
            first.x_m,
            first.y_m,
            np.where(measured, chosen_values, np.nan),
            np.where(measured, chosen_spread, np.nan),
            first.room_index,
            first.resolution_m,
            "room_idw_best",
        )


def fill_rooms_without_positions(
    grid: Grid, level: LevelResult, plmn: str, metric: str, technologies: tuple[str, ...]
) -> Grid:
    """Return ``grid`` with each room that has samples but no estimate filled with one value.

    Samples placed by a room visit have a room but no x, y, so the gridder leaves their room
    blank, as if unmeasured. Such a room takes the power average of its samples in every cell,
    with their spread in dB; no-service samples count at ``NO_SERVICE_DBM`` in signal metrics,
    as in the gridder.
    """
    means = _room_power_means(level, plmn, metric, technologies)
    if not means:
        return grid
    values, spread = grid.values.copy(), grid.spread_db.copy()
    for index, room in enumerate(level.rooms):
        if room.room_id not in means:
            continue
        cells = grid.room_index == index
        if cells.any() and not np.isfinite(values[cells]).any():
            values[cells], spread[cells] = means[room.room_id]
    return dataclasses.replace(grid, values=values, spread_db=spread)


def _room_power_means(
    level: LevelResult, plmn: str, metric: str, technologies: tuple[str, ...]
) -> dict[int, tuple[float, float]]:
    """Return (power average in dB or dBm, standard deviation in dB) of each room's samples."""
    samples = level.samples
    if samples.empty:
        return {}
    chosen = samples[((samples["plmn"] == plmn) & samples["serving"] & samples["room_id"].notna()).fillna(False)]
    no_service = chosen["service"] == "no_service"
    chosen_values = chosen[metric].astype(float)
    if metric in SIGNAL_METRICS:
        chosen_values = chosen_values.where(~no_service, NO_SERVICE_DBM)
    keep = (chosen["technology"].isin(technologies) | no_service) & chosen_values.notna()
    means = {}
    for room_id, group in chosen_values[keep].groupby(chosen["room_id"][keep]):
        level_db = group.to_numpy(dtype=float)
        means[int(room_id)] = (float(mw_to_dbm(dbm_to_mw(level_db).mean())), float(level_db.std()))
    return means


def site_grids(analysis: SiteAnalysis, resolution_m: float = DEFAULT_RESOLUTION_M) -> dict[int, LevelGrids]:
    """Return an empty grid cache per level id of the site."""
    plmns = [plmn for plmn, _name in analysis.operators]
    return {level.level_id: LevelGrids(level, plmns, resolution_m) for level in analysis.levels}
