"""zoneblanche's own exchange formats: a CSV with the sample table's column names, and a JSON batch.

The CSV may use ``,`` or ``;`` and a decimal point or comma (detected), in UTF-8 with or
without a byte-order mark or in Windows-1252, as French Excel saves it. The JSON batch is
``{"samples": [{"id": …, "time": …, …}]}`` or a bare list; every sample carries a
client-generated ``id`` so that a retried upload never stores a sample twice.

Columns, case-insensitive: ``time`` (required), ``x_m``, ``y_m``, ``level``, ``plmn``,
``operator``, ``technology``, ``serving``, ``service``, the metric columns, ``cell_id``,
``pci``, ``tac``, ``arfcn``, ``band``, ``call_test``, ``device_model``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from survey.errors import FormatError
from survey.i18n import _, ngettext
from survey.metrics import VALID_RANGES
from survey.operators import normalize_plmn
from survey.parsers.base import Head, LogFormat, ParseResult, Rejections, finish
from survey.parsers.common import (
    blank_delimited_columns,
    check_ranges,
    decode_text,
    detect_delimiter,
    first_line,
    is_missing,
    is_private_field,
    name_operators,
    normalize_words,
    parse_booleans,
    parse_integers,
    parse_numbers,
    parse_text,
    parse_times,
    reject_invalid,
    sample_lines,
    split_header,
    uses_decimal_comma,
)
from survey.parsers.tables import read_table
from survey.samples import CALL_TEST_RESULTS, PRIMARY_METRIC, SERVICE_STATES

CSV_NAME = "native_csv"
JSON_NAME = "native_json"

METRICS = ("rsrp_dbm", "rsrq_db", "sinr_db", "rscp_dbm", "ecno_db", "rssi_dbm")
INTEGERS = ("cell_id", "pci", "tac", "arfcn")
TEXTS = ("band", "device_model")
KNOWN = {
    "time", "x_m", "y_m", "level", "plmn", "operator", "technology", "serving", "service",
    *METRICS, "signal_dbm", *INTEGERS, *TEXTS, "call_test", "id",
}  # fmt: skip
# Columns that mark a native file: any one of them beside ``time``.
MARKERS = {*METRICS, "signal_dbm", "plmn", "technology", "service"}

TECHNOLOGY_ALIASES = {
    "gsm": "gsm", "2g": "gsm", "umts": "umts", "wcdma": "umts", "3g": "umts",
    "lte": "lte", "4g": "lte", "nr": "nr", "5g": "nr",
}  # fmt: skip


# --- detection ------------------------------------------------------------------------------


def sniff_csv(head: Head) -> bool:
    """Tell whether the header has ``time`` and a sample-table column such as ``rsrp_dbm``."""
    line = head.first_line
    names = {name.lower() for name in split_header(line, detect_delimiter(line))}
    return "time" in names and bool(names & MARKERS)


def sniff_json(head: Head) -> bool:
    """Tell whether the file is a JSON batch: objects with ``id`` or ``time`` and a metric."""
    if not head.text.lstrip().startswith(("{", "[")):
        return False
    records = _records(head.json)
    if not records or not isinstance(records[0], dict):
        return False
    keys = {str(key).lower() for key in records[0]}
    return "time" in keys and bool(keys & (MARKERS | {"id"}))


def _records(document: object) -> list | None:
    if isinstance(document, dict) and isinstance(document.get("samples"), list):
        return document["samples"]
    if isinstance(document, list):
        return document
    return None


# --- CSV ------------------------------------------------------------------------------------


def parse_csv(
    data: bytes, filename: str, *, timezone: str = "Europe/Paris", columns: dict | None = None
) -> ParseResult:
    """Parse a native CSV file.

    Returns
    -------
    ParseResult
        ``row_number`` is the file line (the header is line 1). ``extra["level"]`` is the
        ``level`` column, aligned with the samples, when the file has one.
    """
    text = decode_text(data).text
    header = first_line(text)
    delimiter = detect_delimiter(header)
    table = read_table(text, delimiter, filename)
    frame = table.frame
    frame.columns = [name.lower() for name in frame.columns]
    frame = frame.loc[:, ~frame.columns.duplicated()]
    if "time" not in frame.columns:
        raise FormatError(
            _("The file has no time column."),
            file=filename,
            line=1,
            fix=_("Name the columns as in the sample table: time, x_m, y_m, plmn, rsrp_dbm…"),
        )

    rejections = Rejections(table.lines)
    rejections.reject_malformed(table)
    decimal_comma = uses_decimal_comma(sample_lines(text), delimiter)
    samples, notes, level = convert(frame, table.lines, rejections, timezone, decimal_comma)
    extra = {"level": level} if level is not None else {}
    return finish(CSV_NAME, samples, rejections, notes=notes, extra=extra, aligned=list(extra))


def blank_csv(data: bytes) -> bytes:
    """Blank the columns named imei, imsi, msisdn, ip, ssid, bssid (any case)."""
    return blank_delimited_columns(data)


# --- JSON -----------------------------------------------------------------------------------


def parse_json(
    data: bytes, filename: str, *, timezone: str = "Europe/Paris", columns: dict | None = None
) -> ParseResult:
    """Parse a JSON batch of samples.

    Returns
    -------
    ParseResult
        ``row_number`` is the 1-based position of the sample in the batch.
        ``extra["client_ids"]`` lists each kept sample's ``id``, aligned with the samples.
    """
    records = _load_records(data, filename)
    positions = np.arange(1, len(records) + 1)
    rejections = Rejections(positions)
    objects = np.array([isinstance(record, dict) for record in records], dtype=bool)
    shown = pd.Series("", index=pd.RangeIndex(len(records)), dtype=object)
    for position in np.flatnonzero(~objects):
        shown[position] = json.dumps(records[position])[:80]
    rejections.reject(~objects, None, shown, _("A sample must be a JSON object."))

    frame = _records_frame(records, objects)
    ids = _read_ids(frame, rejections)
    samples, notes, level = convert(frame, positions, rejections, timezone, decimal_comma=False)
    extra = {"client_ids": ids}
    if level is not None:
        extra["level"] = level
    return finish(JSON_NAME, samples, rejections, notes=notes, extra=extra, aligned=list(extra))


def _load_records(data: bytes, filename: str) -> list:
    try:
        document = json.loads(decode_text(data).text)
    except ValueError as error:
        raise FormatError(
            _("The file is not valid JSON: {error}.").format(error=error),
            file=filename,
            line=getattr(error, "lineno", None),
        ) from None
    records = _records(document)
    if records is None:
        raise FormatError(
            _("A JSON batch must be an object with a samples list, or a list of samples."),
            file=filename,
            fix=_('Send {"samples": [{"id": "…", "time": "…", "rsrp_dbm": -95}, …]}.'),
        )
    return records


def _records_frame(records: list, objects: np.ndarray) -> pd.DataFrame:
    """Return the samples as text columns with lower-case names, one row per record."""
    rows = [record if is_object else {} for record, is_object in zip(records, objects)]
    frame = pd.DataFrame.from_records(rows, index=pd.RangeIndex(len(rows)))
    frame.columns = [str(name).lower() for name in frame.columns]
    frame = frame.loc[:, ~frame.columns.duplicated()]
    return frame.astype(object).where(frame.notna(), "").astype(str)


def _read_ids(frame: pd.DataFrame, rejections: Rejections) -> list[str]:
    """Return each sample's client id; reject samples without one and repeated ids."""
    ids = frame["id"].str.strip() if "id" in frame.columns else pd.Series("", index=frame.index, dtype=str)
    missing = is_missing(ids)
    reason = _("Missing id: every sample of a batch needs a client-generated id.")
    rejections.reject(missing, "id", ids, reason)
    repeated = ids.duplicated().to_numpy() & ~missing
    rejections.reject(repeated, "id", ids, _("This id is used by an earlier sample of the batch."))
    return ids.tolist()


# --- conversion shared by CSV and JSON ------------------------------------------------------


def convert(
    frame: pd.DataFrame,
    lines: np.ndarray,
    rejections: Rejections,
    timezone: str,
    decimal_comma: bool,
    *,
    time_formats: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, list[str], pd.Series | None]:
    """Convert text columns named as in the sample table into samples.

    Returns the samples (rejected rows included, marked in ``rejections``), the notes, and
    the ``level`` column when there is one. ``time_formats`` are strptime formats tried after
    ISO 8601 for times without zone.
    """
    notes = _ignored_columns_note(frame.columns)
    column = _column_getter(frame)

    times, invalid_times, time_notes = parse_times(column("time"), timezone, formats=time_formats)
    reason = _("Missing or unreadable time; write ISO 8601, such as 2026-11-03T09:15:00+01:00.")
    rejections.reject(invalid_times, "time", column("time"), reason)

    samples = pd.DataFrame({"time": times, "row_number": lines}, index=frame.index)
    _read_position(samples, column, rejections, decimal_comma)
    _read_network(samples, column, rejections)
    _read_metrics(samples, column, rejections, decimal_comma)
    _read_identity(samples, column, rejections)
    notes += _read_service(samples, column, rejections)
    level = parse_text(frame["level"]) if "level" in frame.columns else None
    return samples, notes + time_notes, level


ColumnGetter = Callable[[str], pd.Series]


def _column_getter(frame: pd.DataFrame) -> ColumnGetter:
    """Return a function that gives a column by name, or empty text when the file lacks it."""
    empty = pd.Series("", index=frame.index, dtype=str)

    def column(name: str) -> pd.Series:
        return frame[name] if name in frame.columns else empty

    return column


def _ignored_columns_note(names: pd.Index) -> list[str]:
    ignored = [name for name in names if name and name not in KNOWN and not is_private_field(name)]
    if not ignored:
        return []
    return [_("Columns not read: {columns}.").format(columns=", ".join(ignored))]


def _read_position(
    samples: pd.DataFrame, column: ColumnGetter, rejections: Rejections, decimal_comma: bool
) -> None:
    """Read x_m and y_m (metres in the plan frame); one without the other rejects the row."""
    for name in ("x_m", "y_m"):
        values, invalid = parse_numbers(column(name), decimal_comma=decimal_comma)
        reject_invalid(rejections, invalid, name, column(name), _("a number of metres"))
        samples[name] = values
    half = samples["x_m"].isna() != samples["y_m"].isna()
    rejections.reject(half.to_numpy(), "x_m", column("x_m"), _("x_m and y_m must be given together."))
    positioned = samples["x_m"].notna() & samples["y_m"].notna()
    samples["position_source"] = np.where(positioned, "xy", "none")


def _read_network(samples: pd.DataFrame, column: ColumnGetter, rejections: Rejections) -> None:
    """Read plmn (``208-01`` or ``20801``), operator, technology and serving."""
    raw_plmn = column("plmn").str.strip()
    plmn = raw_plmn.map({code: normalize_plmn(code) for code in raw_plmn.unique()}).astype("string")
    unread = plmn.isna().to_numpy() & ~is_missing(raw_plmn)
    reject_invalid(rejections, unread, "plmn", raw_plmn, _("MCC-MNC such as 208-01"))
    names = parse_text(column("operator"))
    samples["plmn"] = plmn
    samples["operator"] = name_operators(plmn, names).to_numpy()

    raw_tech = normalize_words(column("technology"))
    technology = raw_tech.map(TECHNOLOGY_ALIASES)
    unread = technology.isna().to_numpy() & ~is_missing(raw_tech)
    reject_invalid(rejections, unread, "technology", column("technology"), "gsm, umts, lte, nr")
    samples["technology"] = technology.astype("string")

    serving, unread = parse_booleans(column("serving"))
    reject_invalid(rejections, unread, "serving", column("serving"), _("true or false"))
    samples["serving"] = serving.fillna(True).astype(bool)


def _read_metrics(
    samples: pd.DataFrame, column: ColumnGetter, rejections: Rejections, decimal_comma: bool
) -> None:
    """Read the metric columns (dBm, dB) and check them against their valid ranges."""
    checks = []
    for name in (*METRICS, "signal_dbm"):
        values, invalid = parse_numbers(column(name), decimal_comma=decimal_comma)
        reject_invalid(rejections, invalid, name, column(name), _("a number"))
        samples[name] = values
        if name in VALID_RANGES:
            checks.append((name, values, name, column(name)))

    # signal_dbm is the primary metric of the row's technology, so it has that metric's range.
    technology = samples["technology"].fillna("").to_numpy(dtype=object)
    signal = samples["signal_dbm"].to_numpy()
    for tech, metric in PRIMARY_METRIC.items():
        values = np.where(technology == tech, signal, np.nan)
        checks.append((metric, values, "signal_dbm", column("signal_dbm")))
    check_ranges(checks, rejections)


def _read_identity(samples: pd.DataFrame, column: ColumnGetter, rejections: Rejections) -> None:
    for name in INTEGERS:
        values, invalid = parse_integers(column(name))
        reject_invalid(rejections, invalid, name, column(name), _("a whole number"))
        samples[name] = values
    for name in TEXTS:
        samples[name] = parse_text(column(name))

    call_test = normalize_words(column("call_test"))
    unread = ~call_test.isin(CALL_TEST_RESULTS).to_numpy() & ~is_missing(call_test)
    reject_invalid(rejections, unread, "call_test", column("call_test"), ", ".join(CALL_TEST_RESULTS))
    samples["call_test"] = call_test.where(call_test.isin(CALL_TEST_RESULTS))


def _read_service(samples: pd.DataFrame, column: ColumnGetter, rejections: Rejections) -> list[str]:
    """Read service; where it is missing, a row with a signal level is read as in service.

    A logger reports a serving cell's level only while the phone is camped on it; a row with
    no level and no service value stays ``unknown``.
    """
    raw = normalize_words(column("service"))
    missing = is_missing(raw)
    unread = ~raw.isin(SERVICE_STATES).to_numpy() & ~missing
    reject_invalid(rejections, unread, "service", column("service"), ", ".join(SERVICE_STATES))

    has_level = samples[[*METRICS, "signal_dbm"]].notna().any(axis=1).to_numpy()
    inferred = missing & has_level
    service = np.where(inferred, "in_service", np.where(missing, "unknown", raw.to_numpy(dtype=object)))
    samples["service"] = service
    count = int(inferred.sum())
    if not count:
        return []
    return [
        ngettext(
            "{count} row has no service value but has a signal level; it was read as in service.",
            "{count} rows have no service value but have a signal level; they were read as in service.",
            count,
        ).format(count=count)
    ]


def blank_json(data: bytes) -> bytes:
    """Blank the values of keys named imei, imsi, msisdn, ip, ssid, bssid (any case).

    Scalar values are replaced by ``""`` in place, so the layout and line count are kept.
    """
    decoded = decode_text(data)
    blanked = blank_json_text(decoded.text)
    try:
        document = json.loads(blanked)
    except ValueError:
        document = None
    if document is not None and _has_private_values(document):
        # A private key has an object or a list as value: rewrite the document without it.
        return decoded.encode(json.dumps(_without_private_values(document), ensure_ascii=False, indent=1))
    return data if blanked == decoded.text else decoded.encode(blanked)


def _has_private_values(node: object) -> bool:
    if isinstance(node, dict):
        return any(
            (is_private_field(str(key)) and value not in ("", None)) or _has_private_values(value)
            for key, value in node.items()
        )
    if isinstance(node, list):
        return any(_has_private_values(item) for item in node)
    return False


def _without_private_values(node: object) -> object:
    if isinstance(node, dict):
        return {
            key: "" if is_private_field(str(key)) else _without_private_values(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_without_private_values(item) for item in node]
    return node


_JSON_PAIR = re.compile(
    r'"(?P<key>[^"\\]{1,40})"(?P<colon>\s*:\s*)'
    r'(?P<value>"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)'
)


def blank_json_text(text: str, predicate: Callable[[str], bool] = is_private_field) -> str:
    """Replace the scalar values of the keys matching ``predicate`` by ``""``, keeping the layout."""

    def replace(match: re.Match) -> str:
        if not predicate(match.group("key")):
            return match.group(0)
        return f'"{match.group("key")}"{match.group("colon")}""'

    return _JSON_PAIR.sub(replace, text)


CSV_FORMAT = LogFormat(CSV_NAME, "zoneblanche CSV", sniff_csv, parse_csv, blank_csv)
JSON_FORMAT = LogFormat(JSON_NAME, "zoneblanche JSON", sniff_json, parse_json, blank_json)
