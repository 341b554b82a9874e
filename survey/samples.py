"""The sample table: the one DataFrame shape shared by every parser and the analysis.

Every parser returns a DataFrame with exactly :data:`SAMPLE_COLUMNS`, in that order, with
these dtypes. Nothing downstream knows which app wrote the file.

Units are in the column names: ``*_dbm`` are dBm, ``*_db`` are dB, ``x_m`` and ``y_m`` are
metres in the site's plan frame (x to the east, y to the north).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TECHNOLOGIES = ["gsm", "umts", "lte", "nr"]
SERVICE_STATES = ["in_service", "no_service", "emergency_only", "unknown"]
POSITION_SOURCES = ["xy", "track", "gps", "room_visit", "none"]
CALL_TEST_RESULTS = ["ok", "failed", "dropped"]

# Column name -> pandas dtype. Categories are built from the lists above so that every
# parser produces identical categorical dtypes and concatenation keeps them.
SAMPLE_DTYPES: dict[str, object] = {
    "time": "datetime64[ns, UTC]",
    "upload_id": "Int64",
    "row_number": "Int64",
    "level_id": "Int64",
    "x_m": "float64",
    "y_m": "float64",
    "position_source": pd.CategoricalDtype(POSITION_SOURCES),
    "room_id": "Int64",
    "plmn": "string",
    "operator": "string",
    "technology": pd.CategoricalDtype(TECHNOLOGIES),
    "serving": "bool",
    "service": pd.CategoricalDtype(SERVICE_STATES),
    "rsrp_dbm": "float64",
    "rsrq_db": "float64",
    "sinr_db": "float64",
    "rscp_dbm": "float64",
    "ecno_db": "float64",
    "rssi_dbm": "float64",
    "signal_dbm": "float64",
    "cell_id": "Int64",
    "pci": "Int64",
    "tac": "Int64",
    "arfcn": "Int64",
    "band": "string",
    "call_test": pd.CategoricalDtype(CALL_TEST_RESULTS),
    "device_model": "string",
}
SAMPLE_COLUMNS = list(SAMPLE_DTYPES)

# The measured metric that is each technology's primary signal level.
PRIMARY_METRIC = {"lte": "rsrp_dbm", "nr": "rsrp_dbm", "umts": "rscp_dbm", "gsm": "rssi_dbm"}


def empty_samples(rows: int = 0) -> pd.DataFrame:
    """Return a sample table of ``rows`` rows with every value missing."""
    frame = pd.DataFrame(index=pd.RangeIndex(rows))
    for column, dtype in SAMPLE_DTYPES.items():
        frame[column] = pd.Series(None, index=frame.index, dtype=_fill_dtype(dtype))
    frame["serving"] = True
    frame["service"] = "unknown"
    frame["position_source"] = "none"
    return conform(frame)


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with the sample columns, in order, cast to their dtypes.

    Missing columns are added empty; extra columns are dropped. ``signal_dbm`` is filled from
    the technology's primary metric where it is missing.
    """
    frame = frame.copy()
    for column, dtype in SAMPLE_DTYPES.items():
        if column not in frame.columns:
            frame[column] = pd.Series(None, index=frame.index, dtype=_fill_dtype(dtype))
    frame = frame[SAMPLE_COLUMNS]
    frame["time"] = pd.to_datetime(frame["time"], utc=True).astype("datetime64[ns, UTC]")
    for column, dtype in SAMPLE_DTYPES.items():
        if column == "time":
            continue
        if dtype == "float64":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
        elif dtype == "Int64":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
        elif dtype == "bool":
            frame[column] = frame[column].fillna(True).astype("bool")
        else:
            frame[column] = frame[column].astype(dtype)
    frame["position_source"] = frame["position_source"].fillna("none")
    frame["service"] = frame["service"].fillna("unknown")
    frame["signal_dbm"] = frame["signal_dbm"].fillna(primary_signal(frame))
    return frame.reset_index(drop=True)


def primary_signal(frame: pd.DataFrame) -> pd.Series:
    """Return each row's primary signal level in dBm: RSRP, RSCP or RSSI by technology."""
    signal = pd.Series(np.nan, index=frame.index, dtype="float64")
    technology = frame["technology"].astype("string")
    for tech, column in PRIMARY_METRIC.items():
        mask = (technology == tech).fillna(False).to_numpy()
        signal[mask] = frame.loc[mask, column].astype("float64")
    return signal


def _fill_dtype(dtype: object) -> object:
    if dtype == "datetime64[ns, UTC]":
        return "datetime64[ns, UTC]"
    if dtype == "bool":
        return "boolean"
    return dtype
