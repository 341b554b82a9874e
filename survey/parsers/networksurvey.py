"""Network Survey (Craxiom) logs: CSV files per technology and JSON messages.

The CSV log has ``#`` comment lines (app and CSV version) before the header, and one file per
technology (``craxiom-lte-….csv``…); its columns are the fields of the JSON messages. A JSON
message is ``{"version": …, "messageType": "LteRecord", "data": {…}}``, one per line when
streamed to a file. ``deviceTime`` is ISO 8601 with an offset. ``deviceSerialNumber`` is a
per-device identifier and is blanked in the kept copy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.i18n import ngettext
from survey.parsers.base import Head, LogFormat, ParseResult
from survey.parsers.common import (
    blank_delimited_columns,
    decode_text,
    is_private_field,
    normalize_newlines,
    split_header,
)
from survey.parsers.native import blank_json_text
from survey.parsers.records import convert_records, coordinates, json_lines, plmn_from_codes, text_frame
from survey.parsers.tables import read_table

CSV_NAME = "networksurvey_csv"
JSON_NAME = "networksurvey_json"
MESSAGE_TECHNOLOGIES = {"LteRecord": "lte", "NrRecord": "nr", "UmtsRecord": "umts", "GsmRecord": "gsm"}
# The app uses the Android ID as serial number, and its default mission id contains it.
PRIVATE_KEYS = {"deviceserialnumber", "missionid"}
# Maximum length of a client id, the width of ``samples.client_id``.
MAX_ID_LENGTH = 100

# Sample-table column -> message field, per technology.
FIELDS = {
    "lte": {"cell_id": "eci", "arfcn": "earfcn", "pci": "pci", "tac": "tac", "rsrp_dbm": "rsrp",
            "rsrq_db": "rsrq", "sinr_db": "snr", "rssi_dbm": "signalStrength"},
    "nr": {"cell_id": "nci", "arfcn": "narfcn", "pci": "pci", "tac": "tac", "rsrp_dbm": "ssRsrp",
           "rsrq_db": "ssRsrq", "sinr_db": "ssSinr"},
    "umts": {"cell_id": "cid", "arfcn": "uarfcn", "tac": "lac", "rscp_dbm": "rscp", "ecno_db": "ecno"},
    "gsm": {"cell_id": "ci", "arfcn": "arfcn", "tac": "lac", "rssi_dbm": "signalStrength"},
}  # fmt: skip
# A CSV log's technology, from a column only its technology has.
CSV_MARKERS = (("eci", "lte"), ("nci", "nr"), ("uarfcn", "umts"), ("bsic", "gsm"))


def is_private_key(name: str) -> bool:
    """Tell whether a field or column contains a device identifier (serial number, mission id, IMEI…)."""
    return is_private_field(name) or name.strip().lower() in PRIVATE_KEYS


# --- detection ------------------------------------------------------------------------------


def _csv_header(text: str) -> str:
    """Return the first line that is neither blank nor a ``#`` comment."""
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            return line
    return ""


def sniff_csv(head: Head) -> bool:
    """Tell whether the file is a Network Survey CSV log: ``deviceTime`` and a cell column."""
    names = set(split_header(_csv_header(head.text), ","))
    return "deviceTime" in names and any(marker in names for marker, _tech in CSV_MARKERS)


def sniff_json(head: Head) -> bool:
    """Tell whether the file contains Network Survey messages (``messageType`` and ``data``)."""
    line = head.first_line.strip()
    return line.startswith("{") and '"messageType"' in head.text[:2000] and '"data"' in head.text[:2000]


# --- CSV ------------------------------------------------------------------------------------


def parse_csv(
    data: bytes, filename: str, *, timezone: str = "Europe/Paris", columns: dict | None = None
) -> ParseResult:
    """Parse a Network Survey CSV log (one technology per file); ``row_number`` is the line."""
    text = normalize_newlines(decode_text(data).text)
    comment_lines = _leading_comments(text)
    table = read_table(_without_comments(text, comment_lines), ",", filename)
    names = set(table.frame.columns)
    technology = next((tech for marker, tech in CSV_MARKERS if marker in names), "lte")
    frame = table.frame.copy()
    frame["technology"] = technology
    gps = coordinates(frame, "longitude", "latitude")
    return convert_records(CSV_NAME, sample_columns(frame), table.lines, timezone, gps=gps, table=table)


def _leading_comments(text: str) -> int:
    count = 0
    for line in text.split("\n"):
        if not line.startswith("#"):
            break
        count += 1
    return count


def _without_comments(text: str, count: int) -> str:
    """Replace the leading comment lines by blank lines, so line numbers stay true."""
    lines = text.split("\n")
    return "\n".join([""] * count + lines[count:])


# --- JSON -----------------------------------------------------------------------------------


def parse_json(
    data: bytes, filename: str, *, timezone: str = "Europe/Paris", columns: dict | None = None
) -> ParseResult:
    """Parse Network Survey JSON messages (one per line, or one document).

    Cell records (LteRecord, NrRecord, UmtsRecord, GsmRecord) become samples; other messages
    (PhoneState, DeviceStatus, CdmaRecord…) are counted in a note. When every cell record of a
    JSON Lines file carries an envelope ``id``, ``extra["client_ids"]`` lists them, aligned
    with the samples, so that ingest skips records the survey already holds.
    """
    records, lines, ids, skipped = [], [], [], {}
    for line, value in json_lines(data, filename):
        for message in value if isinstance(value, list) else [value]:
            kind = message.get("messageType") if isinstance(message, dict) else None
            if kind in MESSAGE_TECHNOLOGIES and isinstance(message.get("data"), dict):
                records.append({**message["data"], "technology": MESSAGE_TECHNOLOGIES[kind]})
                lines.append(line)
                ids.append(message_id(message))
            else:
                skipped[str(kind)] = skipped.get(str(kind), 0) + 1

    keys = sorted({key for record in records for key in record})
    frame = text_frame(records, keys or ["technology"])
    notes = [_skipped_note(kind, count) for kind, count in sorted(skipped.items())]
    gps = coordinates(frame, "longitude", "latitude")
    lines_array = np.asarray(lines, dtype=int)
    result = convert_records(JSON_NAME, sample_columns(frame), lines_array, timezone, notes=notes, gps=gps)

    client_ids = _client_ids(ids, lines, result)
    if client_ids is not None:
        result.extra["client_ids"] = client_ids
    return result


def message_id(message: dict) -> str | None:
    """Return the envelope ``id`` of a message as text, or None when it has no usable one.

    The Network Survey app sends no id; other publishers of the same messages may. An id
    longer than the stored client id (100 characters) is not used.
    """
    value = message.get("id")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    return text if 0 < len(text) <= MAX_ID_LENGTH else None


def _client_ids(ids: list[str | None], lines: list[int], result: ParseResult) -> list[str] | None:
    """Return the ids of the kept samples, or None unless every record has an id on its own line.

    Kept samples are matched to their record by line. A line identifies a record only in JSON
    Lines, because the records of one JSON array all sit on line 1.
    """
    if not ids or None in ids or len(set(lines)) != len(lines):
        return None
    by_line = dict(zip(lines, ids))
    return [by_line[int(line)] for line in result.samples["row_number"]]


def _skipped_note(kind: str, count: int) -> str:
    return ngettext(
        "{count} {kind} message holds no cell measurement and was not read.",
        "{count} {kind} messages hold no cell measurement and were not read.",
        count,
    ).format(count=count, kind=kind)


# --- shared ---------------------------------------------------------------------------------


def sample_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename message fields to sample-table columns according to each row's technology."""

    def field(name: str) -> pd.Series:
        return frame[name] if name in frame.columns else pd.Series("", index=frame.index, dtype=str)

    out = pd.DataFrame(index=frame.index)
    out["time"] = field("deviceTime")
    out["technology"] = field("technology")
    out["serving"] = field("servingCell")
    out["plmn"] = plmn_from_codes(field("mcc"), field("mnc"))
    out["operator"] = field("provider")
    out["service"] = "in_service"
    for tech, mapping in FIELDS.items():
        rows = (field("technology") == tech).to_numpy()
        for column, key in mapping.items():
            if column not in out.columns:
                out[column] = ""
            out.loc[rows, column] = field(key)[rows]
    return out


def blank_csv(data: bytes) -> bytes:
    """Blank ``deviceSerialNumber`` and identifier columns; comment lines are kept."""
    return blank_delimited_columns(data, is_private_key)


def blank_json(data: bytes) -> bytes:
    """Blank ``deviceSerialNumber`` and identifier keys in place, keeping the layout."""
    decoded = decode_text(data)
    text = blank_json_text(decoded.text, is_private_key)
    return data if text == decoded.text else decoded.encode(text)


CSV_FORMAT = LogFormat(CSV_NAME, "Network Survey CSV", sniff_csv, parse_csv, blank_csv)
JSON_FORMAT = LogFormat(JSON_NAME, "Network Survey JSON", sniff_json, parse_json, blank_json)
