"""Signal metrics: valid ranges, display classes and the voice-usability test.

Display classes use the four cut-points of Android's signal bars (AOSP
``CarrierConfigManager`` defaults), so that maps agree with the bars staff see on their
phones: below the first cut-point the class is ``none``, then ``poor``, ``fair``, ``good`` and
``excellent`` from the fourth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.i18n import lazy

COVERAGE_LEVELS = ["none", "poor", "fair", "good", "excellent"]
COVERAGE_LABELS = {
    "none": lazy("no coverage"),
    "poor": lazy("poor"),
    "fair": lazy("fair"),
    "good": lazy("good"),
    "excellent": lazy("excellent"),
}

# (technology, metric column) -> the four ascending cut-points (AOSP CarrierConfigManager).
DISPLAY_THRESHOLDS: dict[tuple[str, str], tuple[float, float, float, float]] = {
    ("lte", "rsrp_dbm"): (-128, -118, -108, -98),
    ("lte", "rsrq_db"): (-20, -17, -14, -11),
    ("lte", "sinr_db"): (-3, 1, 5, 13),
    ("nr", "rsrp_dbm"): (-125, -115, -105, -95),
    ("nr", "rsrq_db"): (-31, -19, -7, 6),
    ("nr", "sinr_db"): (-5, 5, 15, 30),
    ("umts", "rscp_dbm"): (-115, -105, -95, -85),
    ("umts", "ecno_db"): (-24, -14, -6, 1),
    ("gsm", "rssi_dbm"): (-107, -103, -97, -89),
}

# Metric column -> (minimum, maximum) a phone can report; values outside reject the row.
# Ranges from 3GPP TS 36.133, 38.133 and 25.133 and Android's CellSignalStrength getters.
VALID_RANGES: dict[str, tuple[float, float]] = {
    "rsrp_dbm": (-156, -31),
    "rsrq_db": (-43, 20),
    "sinr_db": (-23, 40),
    "rscp_dbm": (-120, -24),
    "ecno_db": (-24, 1),
    "rssi_dbm": (-120, -25),
}

METRIC_LABELS = {
    "rsrp_dbm": "RSRP",
    "rsrq_db": "RSRQ",
    "sinr_db": "SINR",
    "rscp_dbm": "RSCP",
    "ecno_db": "Ec/No",
    "rssi_dbm": "RSSI",
    "signal_dbm": lazy("signal"),
}

METRIC_UNITS = {
    "rsrp_dbm": "dBm",
    "rsrq_db": "dB",
    "sinr_db": "dB",
    "rscp_dbm": "dBm",
    "ecno_db": "dB",
    "rssi_dbm": "dBm",
    "signal_dbm": "dBm",
}


def display_thresholds(technology: str, metric: str) -> tuple[float, float, float, float]:
    """Return the cut-points of ``metric`` for ``technology``; ``signal_dbm`` is the primary one."""
    if metric == "signal_dbm":
        metric = {"lte": "rsrp_dbm", "nr": "rsrp_dbm", "umts": "rscp_dbm", "gsm": "rssi_dbm"}[technology]
    try:
        return DISPLAY_THRESHOLDS[(technology, metric)]
    except KeyError:
        raise ValueError(f"no display classes for {metric} on {technology}") from None


def display_class_index(values: np.ndarray | pd.Series, technology: str, metric: str) -> np.ndarray:
    """Return the class index 0 (``none``) to 4 (``excellent``) per value, -1 where missing."""
    cut_points = np.asarray(display_thresholds(technology, metric), dtype=float)
    array = np.asarray(values, dtype=float)
    index = np.searchsorted(cut_points, array, side="right")
    return np.where(np.isnan(array), -1, index)


def display_class(value: float, technology: str, metric: str) -> str | None:
    """Return the coverage level of one value, or None where it is missing."""
    index = int(display_class_index(np.array([value]), technology, metric)[0])
    return None if index < 0 else COVERAGE_LEVELS[index]

# Signal level given to no-service samples where a map or a median needs a number: below
# every phone's sensitivity and at the bottom of the LTE RSRP reporting range.
NO_SERVICE_DBM = -140.0


def dbm_to_mw(dbm: np.ndarray | float) -> np.ndarray:
    return np.power(10.0, np.asarray(dbm, dtype=float) / 10.0)


def mw_to_dbm(mw: np.ndarray | float) -> np.ndarray:
    return 10.0 * np.log10(np.asarray(mw, dtype=float))
