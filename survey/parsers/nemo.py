"""Nemo Outdoor / Nemo Handy ``.nmf`` logs (Keysight, formerly Anite): comma-separated event records.

Header records start with ``#`` (``#START,09:56:28.408,,"11.10.2018"`` gives the date, ``#UT``
the UTC offset, ``#HW`` the phone model, ``#EI`` the IMEI and ``#SI`` the IMSI). Data
records are ``EVENTID,HH:MM:SS.mmm,<context>,<parameters…>`` with the time of day only.

A ``CELLMEAS`` record is ``CELLMEAS,time,,system,#header params,<header params>,#cells,
#params per cell,<cell blocks>``. For LTE (system 7 = FDD, 8 = TDD) a cell block has 9
parameters: cell type (0 = serving), band code, EARFCN, PCI, RSSI (dBm), RSRP (dBm), RSRQ (dB),
timing, path loss. A record with zero cells means the phone measured no cell: no service.
These layouts come from the sample files and an open-source decoder, not from the
specification's parameter tables. Only LTE CELLMEAS records are read: no UMTS or NR sample
was available to check their cell blocks.

NOTE: records have a variable number of fields, so they are split line by line in Python,
unlike the column-wise parsers; drive-test files are far smaller than phone logs.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from survey.errors import FormatError
from survey.i18n import _, ngettext
from survey.operators import normalize_plmn, operator_name
from survey.parsers.base import Head, LogFormat, ParseResult, Rejections, finish
from survey.parsers.common import check_ranges, decode_text, localize, normalize_newlines

NAME = "nemo_nmf"
LTE_SYSTEMS = {"7", "8"}
LTE_CELL_PARAMETERS = 9
SERVING_CELL_TYPE = 0
# A Nemo time of day: hours, minutes, seconds and an optional fraction.
CLOCK_PATTERN = r"\d{1,2}:\d{2}:\d{2}(?:\.\d+)?"


def sniff(head: Head) -> bool:
    """Tell whether a file starts with Nemo header records (``#PRODUCT``, ``#FF``)."""
    return head.first_line.startswith(("#PRODUCT,", "#FF,", "#ID,"))


def parse(
    data: bytes, filename: str, *, timezone: str = "Europe/Paris", columns: dict | None = None
) -> ParseResult:
    """Parse a Nemo log into the sample table, one sample per LTE cell of each CELLMEAS.

    Returns
    -------
    ParseResult
        The serving cell has ``serving`` True, neighbours False. ``row_number`` is the line of
        the CELLMEAS record. A record with several cells gives several samples, so ``rows``
        counts the kept samples plus the rejected records. ``extra["gps"]`` is the last GPS
        fix (``lon``, ``lat``) at each sample's time, aligned with the samples.
    """
    lines = normalize_newlines(decode_text(data).text).split("\n")
    header = _read_header(lines, filename)
    cells, skipped = _read_cells(lines)
    rejections = Rejections(cells["line"].to_numpy())

    times, notes = _times(cells, header, timezone)
    samples = _samples(cells, times, header)
    samples["sinr_db"] = _serving_cinr(lines, cells, samples)
    _check(samples, cells, rejections)
    notes += _notes(header, skipped, cells.empty, _count_records(lines, "OFDMSCAN,", "PILOTSCAN,"))
    gps = _gps_at(lines, header, times, timezone)
    return finish(NAME, samples, rejections, notes=notes, extra={"gps": gps}, aligned=["gps"])


# --- header ---------------------------------------------------------------------------------


def _fields(line: str) -> list[str]:
    return [field.strip('"') for field in line.split(",")]


def _read_header(lines: list[str], filename: str) -> dict:
    """Read the start date, the UTC offset, the phone model and the home PLMN of the SIM."""
    header: dict = {}
    for number, line in enumerate(lines, start=1):
        if not line.startswith("#"):
            if header.get("start"):
                break
            continue
        fields = _fields(line)
        key = fields[0]
        if key == "#START" and len(fields) >= 4:
            header["start"] = _start_date(fields[3], number, filename)
        elif key == "#UT" and len(fields) >= 4 and fields[3].lstrip("-").isdigit():
            # NOTE: read as the UTC offset in minutes, which a Bangkok drive (420) matches;
            # the specification's definition of #UT was not available.
            header["utc_offset"] = int(fields[3])
        elif key == "#HW" and len(fields) >= 6:
            header["device"] = " ".join(part for part in fields[4:6] if part).strip() or None
        elif key == "#SI" and len(fields) >= 4:
            header["plmn"] = _home_plmn(fields[3])
    if "start" not in header:
        raise FormatError(
            _("This Nemo log has no #START record with the date."),
            file=filename,
            fix=_("Upload the .nmf file as Nemo wrote it, without editing its header."),
        )
    return header


def _start_date(text: str, line: int, filename: str) -> datetime:
    try:
        return datetime.strptime(text, "%d.%m.%Y")
    except ValueError:
        raise FormatError(
            _("Unreadable #START date; expected D.M.YYYY."),
            file=filename,
            line=line,
            column="#START",
            value=text,
        ) from None


def _home_plmn(imsi: str) -> str | None:
    """Return the SIM's home PLMN from the first five IMSI digits (two-digit MNC, as in Europe)."""
    digits = re.sub(r"\D", "", imsi)
    if len(digits) < 5 or set(digits) == {"0"}:
        return None
    return normalize_plmn(digits[:5])


# --- cell measurements ----------------------------------------------------------------------


def _read_cells(lines: list[str]) -> tuple[pd.DataFrame, int]:
    """Expand each LTE CELLMEAS record into one row per cell, or one no-cell row.

    Returns the rows (``line``, ``clock``, ``cell_type``, ``arfcn``, ``pci``, ``rssi``,
    ``rsrp``, ``rsrq`` as text) and the number of CELLMEAS records of other systems.
    """
    rows: list[tuple] = []
    skipped = 0
    for number, line in enumerate(lines, start=1):
        if not line.startswith("CELLMEAS,"):
            continue
        fields = line.split(",")
        if len(fields) < 5 or fields[3] not in LTE_SYSTEMS:
            skipped += 1
            continue
        rows.extend(_lte_cells(number, fields))
    names = ["line", "clock", "cell_type", "arfcn", "pci", "rssi", "rsrp", "rsrq"]
    return pd.DataFrame(rows, columns=names, dtype=object), skipped


def _lte_cells(number: int, fields: list[str]) -> list[tuple]:
    clock = fields[1]
    try:
        header_count = int(fields[4])
        cell_count = int(fields[5 + header_count])
        width = int(fields[6 + header_count])
    except (ValueError, IndexError):
        return [(number, clock, "invalid", "", "", "", "", "")]
    if cell_count == 0:
        return [(number, clock, "none", "", "", "", "", "")]
    start = 7 + header_count
    cells = []
    for index in range(cell_count):
        block = fields[start + index * width: start + (index + 1) * width]
        if width < LTE_CELL_PARAMETERS or len(block) < LTE_CELL_PARAMETERS:
            return [(number, clock, "invalid", "", "", "", "", "")]
        cells.append((number, clock, block[0], block[2], block[3], block[4], block[5], block[6]))
    return cells


# --- times ----------------------------------------------------------------------------------


def _times(cells: pd.DataFrame, header: dict, timezone: str) -> tuple[pd.Series, list[str]]:
    """Date each time of day from #START, adding a day whenever the clock goes backwards."""
    text = cells["clock"].astype(str).str.strip()
    # Only a time of day is a clock: pandas would also read "1d" or "5 min" as durations.
    clock = pd.to_timedelta(text.where(text.str.fullmatch(CLOCK_PATTERN)), errors="coerce")
    days = (clock.diff() < pd.Timedelta(hours=-12)).cumsum()
    naive = pd.Timestamp(header["start"]) + clock + pd.to_timedelta(days, unit="D")
    if "utc_offset" in header:
        offset = timedelta(minutes=header["utc_offset"])
        return (naive - offset).dt.tz_localize("UTC"), []
    return localize(naive, timezone)


def _samples(cells: pd.DataFrame, times: pd.Series, header: dict) -> pd.DataFrame:
    cell_type = cells["cell_type"].astype(str)
    no_cell = (cell_type == "none").to_numpy()
    numbers = {name: pd.to_numeric(cells[name], errors="coerce").to_numpy(dtype=float) for name in
               ("arfcn", "pci", "rssi", "rsrp", "rsrq")}
    plmn = header.get("plmn")
    return pd.DataFrame(
        {
            "time": times,
            "row_number": cells["line"].to_numpy(),
            "position_source": "none",
            "plmn": plmn,
            "operator": operator_name(plmn),
            "technology": np.where(no_cell, None, "lte"),
            "serving": no_cell | (cell_type == str(SERVING_CELL_TYPE)).to_numpy(),
            "service": np.where(no_cell, "no_service", "in_service"),
            "rsrp_dbm": numbers["rsrp"],
            "rsrq_db": numbers["rsrq"],
            "rssi_dbm": numbers["rssi"],
            "pci": numbers["pci"],
            "arfcn": numbers["arfcn"],
            "device_model": header.get("device"),
        }
    )


def _serving_cinr(lines: list[str], cells: pd.DataFrame, samples: pd.DataFrame) -> np.ndarray:
    """Return the serving cell's CINR (dB) from the CI record written with its CELLMEAS.

    A ``CI`` record is ``CI,time,,system,…,CINR,cell type,…`` with the CINR in field 5 and the
    cell type in field 6; it has the same time as the CELLMEAS it completes.
    """
    cinr = {}
    for line in lines:
        if line.startswith("CI,"):
            fields = line.split(",")
            if len(fields) > 6 and fields[3] in LTE_SYSTEMS and fields[6] == str(SERVING_CELL_TYPE):
                cinr[fields[1]] = fields[5]
    values = pd.to_numeric(cells["clock"].map(cinr), errors="coerce").to_numpy(dtype=float)
    serving = samples["serving"].to_numpy() & (samples["service"] == "in_service").to_numpy()
    return np.where(serving, values, np.nan)


def _check(samples: pd.DataFrame, cells: pd.DataFrame, rejections: Rejections) -> None:
    """Reject malformed records, unreadable times and values outside their valid ranges."""
    invalid = (cells["cell_type"].astype(str) == "invalid").to_numpy()
    reason = _("Malformed CELLMEAS record: its cell count does not match its fields.")
    rejections.reject(invalid, "CELLMEAS", None, reason)
    rejections.reject(samples["time"].isna().to_numpy(), "time", cells["clock"], _("Unreadable time of day."))
    checks = [
        ("rsrp_dbm", samples["rsrp_dbm"].to_numpy(), "RSRP", cells["rsrp"]),
        ("rsrq_db", samples["rsrq_db"].to_numpy(), "RSRQ", cells["rsrq"]),
        ("rssi_dbm", samples["rssi_dbm"].to_numpy(), "RSSI", cells["rssi"]),
        ("sinr_db", samples["sinr_db"].to_numpy(), "CINR", samples["sinr_db"].astype(str)),
    ]
    check_ranges(checks, rejections)


def _count_records(lines: list[str], *prefixes: str) -> int:
    return sum(1 for line in lines if line.startswith(prefixes))


def _notes(header: dict, skipped: int, no_cells: bool, scans: int) -> list[str]:
    notes = []
    if no_cells and scans:
        notes.append(
            _(
                "This Nemo log has no LTE CELLMEAS record; its {count} scanner records (OFDMSCAN, "
                "PILOTSCAN) measure every cell on a channel, not a phone's service, and were not read."
            ).format(count=scans)
        )
    if "utc_offset" in header:
        minutes = header["utc_offset"]
        sign = "+" if minutes >= 0 else "-"
        offset = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        note = _("Times were read with the UTC offset of the #UT header record ({offset}).")
        notes.append(note.format(offset=offset))
    if header.get("plmn"):
        note = _("The operator {plmn} is the SIM's home network, read from the IMSI prefix.")
        notes.append(note.format(plmn=header["plmn"]))
    if skipped:
        notes.append(
            ngettext(
                "{count} CELLMEAS record of a system other than LTE (such as Wi-Fi or UMTS) was not read.",
                "{count} CELLMEAS records of systems other than LTE (such as Wi-Fi or UMTS) were not read.",
                skipped,
            ).format(count=skipped)
        )
    return notes


def _gps_at(lines: list[str], header: dict, times: pd.Series, timezone: str) -> pd.DataFrame:
    """Return the last GPS fix (``GPS,time,,lon,lat,…``: longitude first) at each time."""
    # A cut record is padded, so that its missing fields read as missing.
    fixes = [(line.split(",") + [""] * 5)[:5] for line in lines if line.startswith("GPS,")]
    result = pd.DataFrame({"lon": np.nan, "lat": np.nan}, index=pd.RangeIndex(len(times)))
    if not fixes or times.isna().all():
        return result
    gps = pd.DataFrame(fixes, columns=["event", "clock", "context", "lon", "lat"])
    gps_times, _notes_unused = _times(gps, header, timezone)
    gps = pd.DataFrame(
        {
            "time": gps_times.dt.as_unit("ns"),
            "lon": pd.to_numeric(gps["lon"], errors="coerce"),
            "lat": pd.to_numeric(gps["lat"], errors="coerce"),
        }
    ).dropna().sort_values("time")
    order = pd.DataFrame({"time": times.dt.as_unit("ns"), "position": np.arange(len(times))}).dropna(subset=["time"])
    merged = pd.merge_asof(order.sort_values("time"), gps, on="time", direction="backward")
    result.loc[merged["position"].to_numpy(), ["lon", "lat"]] = merged[["lon", "lat"]].to_numpy()
    return result


# --- privacy --------------------------------------------------------------------------------

_QUOTED = re.compile(r'"[^"]*"')
# Records whose quoted fields are personal: IMEI, IMSI, dialled numbers, Wi-Fi names and MACs.
_PRIVATE_RECORDS = ("#EI,", "#SI,", "CAA,", "CELLMEAS,", "WLANCHI,")
# Signalling records whose last quoted field is a message payload with temporary identities.
_PAYLOAD_RECORDS = ("RRCSM,", "L3SM,", "SEI,")


def blank_identifiers(data: bytes) -> bytes:
    """Blank IMEI (#EI), IMSI (#SI), dialled numbers (CAA), Wi-Fi SSIDs and BSSIDs, and payloads.

    Every quoted field of those records becomes ``""`` (LTE CELLMEAS records have none), and
    the last quoted field of RRCSM, L3SM and SEI records (the signalling message, which can
    carry temporary identities) too. Lines and fields keep their count.
    """
    decoded = decode_text(data)
    lines = decoded.text.split("\n")
    for index, line in enumerate(lines):
        if line.startswith(_PRIVATE_RECORDS):
            lines[index] = _QUOTED.sub('""', line)
        elif line.startswith(_PAYLOAD_RECORDS):
            lines[index] = _blank_last_quoted(line)
    text = "\n".join(lines)
    return data if text == decoded.text else decoded.encode(text)


def _blank_last_quoted(line: str) -> str:
    matches = list(_QUOTED.finditer(line))
    if not matches:
        return line
    last = matches[-1]
    return line[: last.start()] + '""' + line[last.end():]


FORMAT = LogFormat(NAME, "Nemo NMF", sniff, parse, blank_identifiers)
