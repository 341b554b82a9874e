"""termux-telephony-cellinfo output, one JSON array of cells per call, recorded as JSON Lines.

The command prints the cells of ``TelephonyManager.getAllCellInfo()`` with neither time nor
position, so a survey script must record each call with its time, one JSON object per line::

    {"time": "2026-11-03T09:15:00+01:00", "cells": [{"type": "lte", "registered": true, …}]}

The project's collector (``tools/termux/zoneblanche-collect``) writes these lines and adds two
optional keys: ``sim_operator``, the SIM's home PLMN as Android reports it (``20801``), which
names the operator of a call that returns no cell, and ``device_model``, the phone model.

A key is omitted when Android reports it unavailable. LTE and NR ``dbm`` are always written,
so they can be 2147483647 (``CellInfo.UNAVAILABLE``), read as missing. A call that returns no
cell (an empty array) is kept as a sample with service ``unknown``: Android returns one when
the phone measures no cell, and also when the app lacks the location permission.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from survey.errors import FormatError
from survey.i18n import _, ngettext
from survey.operators import normalize_plmn
from survey.parsers.base import Head, LogFormat, ParseResult
from survey.parsers.native import blank_json
from survey.parsers.records import convert_records, json_lines, plmn_from_codes, text_frame

NAME = "termux_cellinfo"
TIME_KEYS = ("time", "timestamp", "ts")
CELL_KEYS = ("cells", "cellinfo")
TECHNOLOGIES = {"lte": "lte", "nr": "nr", "gsm": "gsm", "wcdma": "umts"}
COLUMNS = [
    "line", "time", "type", "registered", "mcc", "mnc", "dbm", "rsrp", "rsrq", "rssi", "ss_rsrp",
    "ss_rsrq", "ss_sinr", "ci", "nci", "cid", "pci", "psc", "tac", "lac", "arfcn", "bands",
    "sim_operator", "device_model",
]  # fmt: skip
# Keys of a recorded line that apply to every cell of its call.
LINE_KEYS = ("sim_operator", "device_model")


def _is_cell(value: object) -> bool:
    return isinstance(value, dict) and "type" in value and ("registered" in value or "asu" in value)


def _cells_of(record: object) -> list | None:
    if isinstance(record, dict):
        return next((record[key] for key in CELL_KEYS if isinstance(record.get(key), list)), None)
    return None


def sniff(head: Head) -> bool:
    """Tell whether the file is termux cell info: an array of cells, or lines with ``cells``."""
    document = head.json
    if isinstance(document, list):
        return bool(document) and _is_cell(document[0])
    if document is None and head.text.lstrip().startswith("[") and '"registered"' in head.text:
        return True  # an array of cells that is not valid JSON: parse() reports the line
    line = head.first_line.strip()
    if not line.startswith("{"):
        return False
    try:
        first = json.loads(line)
    except ValueError:
        return '"cells"' in line and '"type"' in line  # parse() reports the invalid line
    # A first call may return no cell (an empty list), so the time key marks the format too.
    return _cells_of(first) is not None and any(key in first for key in TIME_KEYS)


def parse(
    data: bytes, filename: str, *, timezone: str = "Europe/Paris", columns: dict | None = None
) -> ParseResult:
    """Parse termux cell info recorded as JSON Lines, one call with its time per line.

    Returns
    -------
    ParseResult
        One sample per cell (``serving`` is ``registered``); ``row_number`` is the line.

    Raises
    ------
    FormatError
        For a bare array of cells, which has no time.
    """
    entries = json_lines(data, filename)
    if len(entries) == 1 and isinstance(entries[0][1], list):
        raise FormatError(
            _("This termux-telephony-cellinfo output has no time, so its cells cannot be placed."),
            file=filename,
            fix=_(
                'Record one JSON object per line with its time: '
                '{"time": "2026-11-03T09:15:00+01:00", "cells": [...]}.'
            ),
        )
    records, skipped = _flatten(entries)
    frame = _sample_columns(text_frame(records, COLUMNS))
    notes = []
    if skipped:
        notes.append(
            ngettext(
                "{count} cell of an unsupported type (CDMA, TD-SCDMA) was not read.",
                "{count} cells of an unsupported type (CDMA, TD-SCDMA) were not read.",
                skipped,
            ).format(count=skipped)
        )
    lines = frame.pop("line").astype(int).to_numpy()
    unreadable = (frame.pop("record") == "invalid").to_numpy()
    reason = _("This line has no cells list; expected an object with time and cells.")
    return convert_records(NAME, frame, lines, timezone, notes=notes, invalid=(unreadable, reason))


def _flatten(entries: list[tuple[int, object]]) -> tuple[list[dict], int]:
    """Return one record per cell (with the line and time of its call) and the skipped count."""
    records: list[dict] = []
    skipped = 0
    for line, entry in entries:
        cells = _cells_of(entry)
        time = next((entry.get(key) for key in TIME_KEYS if isinstance(entry, dict) and key in entry), None)
        call = {key: entry.get(key) for key in LINE_KEYS} if isinstance(entry, dict) else {}
        if cells is None:
            records.append({"line": line, "time": time, "type": "invalid"})
            continue
        if not cells:
            records.append({**call, "line": line, "time": time, "type": "none"})
            continue
        for cell in cells:
            if isinstance(cell, dict) and str(cell.get("type", "")).lower() in TECHNOLOGIES:
                records.append({**cell, **call, "line": line, "time": time})
            else:
                skipped += 1
    return records, skipped


def _sample_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename termux keys to sample-table columns, choosing the key of each cell type."""
    kind = frame["type"].str.lower()
    technology = kind.map(TECHNOLOGIES).fillna(kind)
    lte, nr, gsm, umts = (technology == name for name in ("lte", "nr", "gsm", "umts"))

    def pick(*choices: tuple[pd.Series, str]) -> pd.Series:
        result = pd.Series("", index=frame.index, dtype=str)
        for mask, key in choices:
            result = result.mask(mask, frame[key])
        return result

    out = pd.DataFrame(index=frame.index)
    out["line"] = frame["line"]
    out["record"] = kind
    out["time"] = frame["time"]
    out["technology"] = technology.where(~kind.isin(["none", "invalid"]), "")
    out["serving"] = frame["registered"]
    out["plmn"] = plmn_from_codes(frame["mcc"], frame["mnc"])
    # A call without cells is attributed to the SIM's operator when the line names it.
    sim_plmn = frame["sim_operator"].map(lambda code: normalize_plmn(code) or "")
    out["plmn"] = out["plmn"].mask((kind == "none") & (out["plmn"] == ""), sim_plmn)
    out["device_model"] = frame["device_model"]
    out["rsrp_dbm"] = pick((lte, "rsrp"), (nr, "ss_rsrp"))
    out["rsrp_dbm"] = out["rsrp_dbm"].mask(lte & (out["rsrp_dbm"] == ""), frame["dbm"])
    out["rsrq_db"] = pick((lte, "rsrq"), (nr, "ss_rsrq"))
    out["sinr_db"] = pick((nr, "ss_sinr"))
    out["rssi_dbm"] = pick((lte, "rssi"), (gsm, "dbm"))
    out["rscp_dbm"] = pick((umts, "dbm"))
    out["cell_id"] = pick((lte, "ci"), (nr, "nci"), (gsm, "cid"), (umts, "cid"))
    out["pci"] = pick((lte, "pci"), (nr, "pci"))
    out["tac"] = pick((lte, "tac"), (nr, "tac"), (gsm, "lac"), (umts, "lac"))
    out["arfcn"] = frame["arfcn"]
    # Android's band numbers, written as 3GPP names: "B1" for LTE band 1, "n78" for NR band 78.
    band = frame["bands"].str.extract(r"(\d+)", expand=False).fillna("")
    out["band"] = np.where(band == "", "", np.where(nr, "n", "B") + band)
    out["service"] = np.where(kind == "none", "unknown", "in_service")
    return out


def blank_identifiers(data: bytes) -> bytes:
    """Blank identifier keys (imei, imsi, ip…); termux output normally has none."""
    return blank_json(data)


FORMAT = LogFormat(NAME, "termux-telephony-cellinfo", sniff, parse, blank_identifiers)
