"""G-NetTrack Pro / Lite TXT logs (Gyokov Solutions), one row per second of measurement.

The log is tab-separated with one header line, CRLF line ends, and one extra tab at the end
of every data row. Its column set depends on the app version, so columns are found by
header name. A real export has ``Timestamp, Longitude, Latitude, Operatorname, Operator,
Cellname, Node, CellID, LAC, NetworkTech, Level, Qual, SNR, CQI, LTERSSI, ARFCN, PSC,
Altitude, Distance, TA, BAND``. The TXT carries no units: Level and LTERSSI are dBm, Qual
and SNR are dB. Times are the phone's wall-clock time, ``YYYY.MM.DD_HH.MM.SS``, without zone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from survey.errors import FormatError
from survey.i18n import _, ngettext
from survey.operators import normalize_plmn
from survey.parsers.base import Head, LogFormat, ParseResult, Rejections, constant_category, finish
from survey.parsers.common import (
    blank_delimited_columns,
    check_ranges,
    decode_text,
    distinct,
    localize,
    normalize_words,
    operator_names,
    parse_integers,
    parse_numbers,
    parse_text,
    reject_invalid,
    sample_lines,
    split_header,
    uses_decimal_comma,
)
from survey.parsers.tables import Table, read_table
from survey.samples import SAMPLE_DTYPES, SERVICE_STATES

NAME = "gnettrack_txt"
TIME_FORMAT = "%Y.%m.%d_%H.%M.%S"
REQUIRED = ("Timestamp", "NetworkTech", "Level")
COLUMNS = (
    "Timestamp", "Longitude", "Latitude", "Operatorname", "Operator", "Node", "CellID", "LAC",
    "NetworkTech", "Level", "Qual", "SNR", "LTERSSI", "ARFCN", "PSC", "BAND",
)  # fmt: skip

TECHNOLOGIES = {
    "2g": "gsm", "3g": "umts", "4g": "lte", "5g": "nr",
    "gsm": "gsm", "umts": "umts", "lte": "lte", "nr": "nr",
}  # fmt: skip
NO_SERVICE_TECH = {"--", ""}
NO_COVERAGE_WORDS = {"no_coverage", "no coverage"}

# Level values that mark "no signal" rather than a measurement.
NO_SERVICE_LEVEL = -200.0  # written every second while the phone has no service
UMTS_CLAMP_LEVEL = -24.0  # top clamp of Android's RSCP range, an invalid reading
# On 4G/5G rows whose Qual is "-", no valid RSRP was read: -164 and -340 are the app's
# placeholders, and -24 is the 3G clamp written while the phone moves between 4G and 3G.
INVALID_LTE_LEVELS = (-164.0, -340.0, UMTS_CLAMP_LEVEL)
GSM_EMPTY_LEVEL = -113.0  # with CellID 0: no cell measured


def sniff(head: Head) -> bool:
    """Tell whether a file starts with the header of a G-NetTrack TXT measurement log."""
    names = split_header(head.first_line, "\t")
    return (
        "\t" in head.first_line
        and bool(names)
        and names[0] == "Timestamp"
        and ("NetworkTech" in names or "Level" in names)
        and "EventType" not in names
        and "PINGAVG" not in names
    )


def parse(
    data: bytes, filename: str, *, timezone: str = "Europe/Paris", columns: dict | None = None
) -> ParseResult:
    """Parse a G-NetTrack TXT log into the sample table.

    Parameters
    ----------
    data : bytes
        The file as uploaded.
    filename : str
        Name used in messages.
    timezone : str
        IANA zone of the phone's clock; the log has no zone.
    columns : dict, optional
        Unused: the columns are found by their G-NetTrack names.

    Returns
    -------
    ParseResult
        Samples with ``serving`` True on every row (the log has the serving cell only) and
        ``extra["gps"]``, a DataFrame of ``lon``, ``lat`` (WGS84 degrees) aligned with them.
    """
    text = decode_text(data).text
    table = read_table(text, "\t", filename, columns=COLUMNS)
    _require_columns(table, filename)
    frame = table.frame
    rejections = Rejections(table.lines)
    rejections.reject_malformed(table)
    decimal_comma = uses_decimal_comma(sample_lines(text), "\t")

    times, notes = _read_times(frame, timezone, rejections)
    technology, no_service = _read_service(frame, rejections)
    metrics, metric_notes = _read_metrics(frame, technology, no_service, decimal_comma, rejections)
    identity = _read_identity(frame, technology, no_service, rejections)
    plmn, operator, operator_notes = _read_operator(frame, no_service)

    samples = pd.DataFrame(
        {
            "time": times,
            "row_number": table.lines,
            "position_source": constant_category("position_source", "none", len(frame)),
            "plmn": plmn,
            "operator": operator,
            "technology": pd.Categorical(technology, dtype=SAMPLE_DTYPES["technology"]),
            "serving": True,
            "service": _service(no_service),
            **metrics,
            **identity,
        }
    )
    gps = _read_gps(frame, decimal_comma)
    return finish(
        NAME,
        samples,
        rejections,
        notes=notes + metric_notes + operator_notes,
        extra={"gps": gps},
        aligned=["gps"],
    )


def _service(no_service: np.ndarray) -> pd.Categorical:
    dtype = SAMPLE_DTYPES["service"]
    codes = np.where(no_service, SERVICE_STATES.index("no_service"), SERVICE_STATES.index("in_service"))
    return pd.Categorical.from_codes(codes.astype(np.int8), dtype=dtype)


def blank_identifiers(data: bytes) -> bytes:
    """Blank IMEI, IMSI, IP, MSISDN, SSID and BSSID columns, found by header name."""
    return blank_delimited_columns(data)


def _require_columns(table: Table, filename: str) -> None:
    missing = [name for name in REQUIRED if name not in table.frame.columns]
    if missing:
        raise FormatError(
            _("This G-NetTrack log lacks required columns: {columns}.").format(columns=", ".join(missing)),
            file=filename,
            line=1,
            fix=_("Upload the main log written by G-NetTrack (the .txt file without a suffix)."),
        )


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """Return a column, or empty text where this app version does not write it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series("", index=frame.index, dtype=str)


# --- time and service -----------------------------------------------------------------------


def _read_times(frame: pd.DataFrame, timezone: str, rejections: Rejections) -> tuple[pd.Series, list[str]]:
    raw = frame["Timestamp"]
    naive = parse_timestamps(raw)
    unread = naive.isna().to_numpy()
    reject_invalid(rejections, unread, "Timestamp", raw, _("a time such as 2025.07.18_22.11.08"))
    return localize(naive, timezone)


# Byte positions of the separators in YYYY.MM.DD_HH.MM.SS and their ISO 8601 replacements.
_SEPARATORS = {4: (b".", b"-"), 7: (b".", b"-"), 10: (b"_", b"T"), 13: (b".", b":"), 16: (b".", b":")}


def parse_timestamps(values: pd.Series) -> pd.Series:
    """Parse ``YYYY.MM.DD_HH.MM.SS`` wall-clock times; NaT where a value does not fit.

    The separators are rewritten into ISO 8601 on a byte matrix, which numpy parses in C:
    several times faster than ``strptime`` on a million rows.
    """
    text = values.astype(str)
    try:
        matrix = np.array(text.to_numpy(dtype=object), dtype="S19").view(np.uint8).reshape(len(text), 19)
    except UnicodeEncodeError:
        return pd.to_datetime(values.str.strip(), format=TIME_FORMAT, errors="coerce")
    fits = (text.str.len() == 19).to_numpy(copy=True)
    digits = np.ones(19, dtype=bool)
    for position, (separator, iso) in _SEPARATORS.items():
        digits[position] = False
        fits &= matrix[:, position] == ord(separator)
        matrix[:, position] = ord(iso)
    fits &= ((matrix[:, digits] >= ord("0")) & (matrix[:, digits] <= ord("9"))).all(axis=1)
    matrix[~fits] = np.frombuffer(b"1970-01-01T00:00:00", dtype=np.uint8)
    try:
        parsed = matrix.view("S19").ravel().astype("datetime64[s]")
    except ValueError:  # a month or day out of range: let pandas find which rows
        return pd.to_datetime(values, format=TIME_FORMAT, errors="coerce")
    parsed[~fits] = np.datetime64("NaT")
    result = pd.Series(parsed.astype("datetime64[ns]"), index=values.index)
    if not fits.all():
        # Values with spaces around them, or unreadable ones, go through strptime.
        result[~fits] = pd.to_datetime(text[~fits].str.strip(), format=TIME_FORMAT, errors="coerce")
    return result


def _read_service(frame: pd.DataFrame, rejections: Rejections) -> tuple[pd.Series, np.ndarray]:
    """Map NetworkTech to the technology and find the no-service rows.

    A row is out of service when NetworkTech is ``--`` or empty, Operatorname is
    ``NO_COVERAGE``, or Level is -200: G-NetTrack writes such a row every second while the
    phone has no service, so each one is a measurement of "no coverage".
    """
    raw_tech = normalize_words(frame["NetworkTech"])
    technology = raw_tech.map(TECHNOLOGIES)
    unknown = technology.isna().to_numpy() & ~raw_tech.isin(NO_SERVICE_TECH).to_numpy()
    reason = _("Unknown network technology; expected 2G, 3G, 4G, 5G or --.")
    rejections.reject(unknown, "NetworkTech", frame["NetworkTech"], reason)

    level, _invalid = parse_numbers(frame["Level"])
    names = normalize_words(_column(frame, "Operatorname"))
    no_service = raw_tech.isin(NO_SERVICE_TECH).to_numpy() | names.isin(NO_COVERAGE_WORDS).to_numpy()
    no_service |= level == NO_SERVICE_LEVEL
    return technology.astype("string"), no_service


# --- metrics --------------------------------------------------------------------------------


def _read_metrics(
    frame: pd.DataFrame,
    technology: pd.Series,
    no_service: np.ndarray,
    decimal_comma: bool,
    rejections: Rejections,
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Map Level, Qual, SNR and LTERSSI to the metric columns of each technology.

    Level is RSRP on 4G/5G, RSCP on 3G and RSSI on 2G; Qual is RSRQ on 4G/5G and Ec/No on 3G
    (the vendor's per-technology parameter list). Sentinel levels make the whole reading of
    the row invalid: its metrics are NaN but the row is kept.
    """
    tech = technology.fillna("").to_numpy(dtype=object)
    lte_nr = (tech == "lte") | (tech == "nr")
    umts = tech == "umts"
    gsm = tech == "gsm"

    raw = {name: _column(frame, name) for name in ("Level", "Qual", "SNR", "LTERSSI")}
    values = {}
    for name, text in raw.items():
        numbers, invalid = parse_numbers(text, decimal_comma=decimal_comma)
        reject_invalid(rejections, invalid & ~no_service, name, text, _("a number"))
        values[name] = numbers
    level, qual, snr = values["Level"], values["Qual"], values["SNR"]

    cell_id, _unread = parse_integers(_column(frame, "CellID"))
    invalid_reading = no_service.copy()
    invalid_reading |= lte_nr & np.isin(level, INVALID_LTE_LEVELS) & np.isnan(qual)
    invalid_reading |= umts & (level == UMTS_CLAMP_LEVEL)
    invalid_reading |= gsm & (level == GSM_EMPTY_LEVEL) & (cell_id == 0)

    snr_missing, notes = _constant_zero_snr(snr, lte_nr & ~invalid_reading)
    metrics = {
        "rsrp_dbm": np.where(lte_nr, level, np.nan),
        "rsrq_db": np.where(lte_nr, qual, np.nan),
        "sinr_db": np.where(lte_nr & ~snr_missing, snr, np.nan),
        "rscp_dbm": np.where(umts, level, np.nan),
        "ecno_db": np.where(umts, qual, np.nan),
        "rssi_dbm": np.where(gsm, level, np.where(tech == "lte", values["LTERSSI"], np.nan)),
    }
    for column in metrics:
        metrics[column][invalid_reading] = np.nan

    rssi = metrics["rssi_dbm"]
    checks = [
        ("rsrp_dbm", metrics["rsrp_dbm"], "Level", raw["Level"]),
        ("rscp_dbm", metrics["rscp_dbm"], "Level", raw["Level"]),
        ("rssi_dbm", np.where(gsm, rssi, np.nan), "Level", raw["Level"]),
        ("rsrq_db", metrics["rsrq_db"], "Qual", raw["Qual"]),
        ("ecno_db", metrics["ecno_db"], "Qual", raw["Qual"]),
        ("sinr_db", metrics["sinr_db"], "SNR", raw["SNR"]),
        ("rssi_dbm", np.where(gsm, np.nan, rssi), "LTERSSI", raw["LTERSSI"]),
    ]
    check_ranges(checks, rejections)
    return metrics, notes + _invalid_level_notes(invalid_reading & ~no_service)


def _constant_zero_snr(snr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Read SNR as missing when it is 0.0 on every 4G/5G row that has one.

    Some phones do not report the RS-SINR and G-NetTrack then writes 0.0 on every row; a real
    SINR is never constant over a whole walk.
    """
    reported = rows & ~np.isnan(snr)
    if not reported.any() or not (snr[reported] == 0.0).all():
        return np.zeros(len(snr), dtype=bool), []
    note = _(
        "SNR is 0.0 on every 4G/5G row of this log, so the phone did not report it: "
        "SINR was read as missing."
    )
    return np.ones(len(snr), dtype=bool), [note]


def _invalid_level_notes(invalid: np.ndarray) -> list[str]:
    count = int(invalid.sum())
    if not count:
        return []
    return [
        ngettext(
            "{count} row has a Level that the app writes when the phone gives no valid reading "
            "(-164, -340 or -24 on 4G without Qual, -24 on 3G, -113 on 2G without cell); it was "
            "kept as an in-service row without signal values.",
            "{count} rows have a Level that the app writes when the phone gives no valid reading "
            "(-164, -340 or -24 on 4G without Qual, -24 on 3G, -113 on 2G without cell); they were "
            "kept as in-service rows without signal values.",
            count,
        ).format(count=count)
    ]


# --- cell identity and operator -------------------------------------------------------------


def _read_identity(
    frame: pd.DataFrame, technology: pd.Series, no_service: np.ndarray, rejections: Rejections
) -> dict[str, object]:
    """Build cell_id, tac, pci, arfcn and band.

    4G: CellID is the 8-bit local cell id inside eNodeB ``Node``, so the E-UTRAN cell id is
    ``Node * 256 + CellID``. 3G: Node is the RNC and CellID the 16-bit cell id, so the UTRAN
    cell id is ``Node * 65536 + CellID``. 2G: CellID as is. LAC is the LAC or TAC, and PSC is
    the PCI on 4G/5G (the scrambling code on 3G, which the sample table does not keep).
    CellID -1 and 2G CellID 0 mean no cell; LAC 0 is a reserved value (3GPP TS 23.003).
    """
    tech = technology.fillna("").to_numpy(dtype=object)
    numbers = {}
    for name in ("Node", "CellID", "LAC", "ARFCN", "PSC"):
        text = _column(frame, name)
        values, invalid = parse_integers(text)
        reject_invalid(rejections, invalid & ~no_service, name, text, _("a whole number"))
        numbers[name] = values
    node, cell, lac = numbers["Node"], numbers["CellID"], numbers["LAC"]

    no_cell = no_service | (cell < 0) | ((tech == "gsm") & (cell == 0))
    cell_id = np.where(tech == "lte", node * 256 + cell, np.nan)
    cell_id = np.where(tech == "umts", np.where(np.isnan(node), cell, node * 65536 + cell), cell_id)
    cell_id = np.where(tech == "gsm", cell, cell_id)
    # NOTE: no 5G TXT sample is known; the NR cell id (NCI) layout of Node/CellID is unverified.
    cell_id[no_cell] = np.nan

    tac = np.where(lac > 0, lac, np.nan)
    tac[no_cell] = np.nan
    arfcn = numbers["ARFCN"].copy()
    arfcn[no_cell] = np.nan
    pci = np.where((tech == "lte") | (tech == "nr"), numbers["PSC"], np.nan)
    pci[no_cell] = np.nan
    band = parse_text(_column(frame, "BAND")).mask(no_service)
    return {"cell_id": cell_id, "tac": tac, "pci": pci, "arfcn": arfcn, "band": band}


def _read_operator(frame: pd.DataFrame, no_service: np.ndarray) -> tuple[pd.Series, pd.Series, list[str]]:
    """Read the PLMN from Operator (``60801`` → ``608-01``) and name it.

    Operatorname is the fallback name; rows where it is empty take the name the log gives
    most often for the same PLMN. No-service rows have no Operator: when every in-service row
    has one PLMN, the log is one SIM's, and its no-service rows are given that PLMN.
    """
    codes, uniques = distinct(_column(frame, "Operator"))
    plmn_of_uniques = np.array([normalize_plmn(code) for code in uniques], dtype=object)
    plmn = pd.Series(plmn_of_uniques[codes], index=frame.index, dtype="string")
    names = parse_text(_column(frame, "Operatorname")).mask(no_service)
    names = names.mask(normalize_words(names.fillna("")).isin(NO_COVERAGE_WORDS).to_numpy())

    notes = _give_single_plmn(plmn, no_service)
    plmn_codes, plmn_values = pd.factorize(plmn)
    name_codes, name_values = pd.factorize(names)
    name_codes = _fill_usual_names(plmn_codes, name_codes)
    return plmn, operator_names(plmn_codes, plmn_values, name_codes, name_values), notes


def _give_single_plmn(plmn: pd.Series, no_service: np.ndarray) -> list[str]:
    """Give no-service rows without PLMN the log's PLMN when it has only one; return the note."""
    known = plmn[~no_service].dropna().unique()
    unknown = no_service & plmn.isna().to_numpy()
    if len(known) != 1 or not unknown.any():
        return []
    plmn[unknown] = known[0]
    count = int(unknown.sum())
    return [
        ngettext(
            "{count} no-service row has no operator code; it was given {plmn}, "
            "the only operator of this log.",
            "{count} no-service rows have no operator code; they were given {plmn}, "
            "the only operator of this log.",
            count,
        ).format(count=count, plmn=known[0])
    ]


def _fill_usual_names(plmn_codes: np.ndarray, name_codes: np.ndarray) -> np.ndarray:
    """Return the name codes with missing names (-1) set to the PLMN's most frequent name."""
    named = (plmn_codes >= 0) & (name_codes >= 0)
    if not named.any() or named.all():
        return name_codes
    pairs = pd.DataFrame({"plmn": plmn_codes[named], "name": name_codes[named]}).value_counts()
    usual = dict(pairs.groupby(level="plmn").idxmax().tolist())
    fill = (name_codes < 0) & (plmn_codes >= 0)
    result = name_codes.copy()
    result[fill] = pd.Series(plmn_codes[fill]).map(usual).fillna(-1).astype(np.int64).to_numpy()
    return result


def _read_gps(frame: pd.DataFrame, decimal_comma: bool) -> pd.DataFrame:
    """Return the phone's GPS position (WGS84 degrees); NaN where absent or out of range."""
    lon, _bad_lon = parse_numbers(_column(frame, "Longitude"), decimal_comma=decimal_comma)
    lat, _bad_lat = parse_numbers(_column(frame, "Latitude"), decimal_comma=decimal_comma)
    outside = (np.abs(lon) > 180) | (np.abs(lat) > 90)
    lon[outside] = np.nan
    lat[outside] = np.nan
    return pd.DataFrame({"lon": lon, "lat": lat})


FORMAT = LogFormat(NAME, "G-NetTrack TXT", sniff, parse, blank_identifiers)
