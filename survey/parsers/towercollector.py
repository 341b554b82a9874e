"""Tower Collector CSV exports: one row per cell per measurement, serving and neighbours.

The header changed five times; columns are found by name. Version 1 (2016) has ``mcc, mnc,
lac, cell_id, psc, asu, dbm, ta, lat, lon, accuracy, speed, bearing, altitude, measured_at,
net_type, neighboring, device``; version 2 adds ``rsrp, rsrq, rssi, rssnr, cqi, rscp, csi_*,
ss_*, cdma_*, evdo_*``, version 3 ``ec_no, arfcn``, version 4 ``short_cell_id, rnc`` and
version 5 ``discovered_at``. ``measured_at`` is UTC (``"2022-07-16T10:00:00.000Z"``).
``lac`` is the LAC or TAC and ``psc`` the PSC or PCI, by ``net_type``. ``mnc``, ``lac`` and
``cell_id`` are always written, so an unknown one is 2147483647, read as missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.parsers.base import Head, LogFormat, ParseResult
from survey.parsers.common import blank_delimited_columns, decode_text, split_header
from survey.parsers.records import convert_records, coordinates, plmn_from_codes
from survey.parsers.tables import read_table

NAME = "towercollector_csv"
MARKERS = {"mcc", "mnc", "lac", "cell_id", "measured_at", "net_type"}
TECHNOLOGIES = {"GSM": "gsm", "UMTS": "umts", "LTE": "lte", "NR": "nr"}


def sniff(head: Head) -> bool:
    """Tell whether the header has Tower Collector's columns (``measured_at``, ``net_type``…)."""
    return MARKERS <= set(split_header(head.first_line, ","))


def parse(
    data: bytes, filename: str, *, timezone: str = "Europe/Paris", columns: dict | None = None
) -> ParseResult:
    """Parse a Tower Collector CSV export; ``serving`` is ``neighboring`` inverted.

    Rows of other technologies (``CDMA``, ``TD-SCDMA``, ``UNKNOWN``) are rejected as rows of
    an unsupported technology.
    """
    table = read_table(decode_text(data).text, ",", filename)
    frame = table.frame
    gps = coordinates(frame, "lon", "lat")
    return convert_records(NAME, _sample_columns(frame), table.lines, timezone, gps=gps, table=table)


def _sample_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename Tower Collector columns; ``dbm`` fills the technology's level when it lacks one."""

    def field(name: str) -> pd.Series:
        return frame[name] if name in frame.columns else pd.Series("", index=frame.index, dtype=str)

    net_type = field("net_type").str.strip().str.upper()
    technology = net_type.map(TECHNOLOGIES).fillna(net_type)
    lte_nr = technology.isin(["lte", "nr"]).to_numpy()
    neighbouring = field("neighboring").str.strip().str.lower()

    out = pd.DataFrame(index=frame.index)
    out["time"] = field("measured_at").str.strip('"')
    out["technology"] = technology
    out["serving"] = np.where(neighbouring == "true", "false", np.where(neighbouring == "false", "true", ""))
    out["plmn"] = plmn_from_codes(field("mcc"), field("mnc"))
    out["service"] = "in_service"
    out["rsrp_dbm"] = field("rsrp").mask(technology == "nr", field("ss_rsrp"))
    out["rsrq_db"] = field("rsrq").mask(technology == "nr", field("ss_rsrq"))
    out["sinr_db"] = field("rssnr").mask(technology == "nr", field("ss_sinr"))
    out["rscp_dbm"] = field("rscp")
    out["ecno_db"] = field("ec_no")
    out["rssi_dbm"] = field("rssi").mask(technology == "gsm", field("dbm"))
    for tech, column in (("lte", "rsrp_dbm"), ("nr", "rsrp_dbm"), ("umts", "rscp_dbm")):
        missing = (technology == tech) & (out[column].str.strip() == "")
        out[column] = out[column].mask(missing, field("dbm"))
    out["cell_id"] = field("cell_id")
    out["tac"] = field("lac")
    out["pci"] = field("psc").where(lte_nr, "")
    out["arfcn"] = field("arfcn")
    out["device_model"] = field("device").str.strip('"')
    return out


def blank_identifiers(data: bytes) -> bytes:
    """Blank identifier columns (imei, imsi, ip…); Tower Collector exports normally have none."""
    return blank_delimited_columns(data)


FORMAT = LogFormat(NAME, "Tower Collector CSV", sniff, parse, blank_identifiers)
