"""Helpers shared by the log parsers: decoding, delimiters, numbers, ranges, times, privacy.

Every parser reads its file into text columns first, then converts whole columns at once
(numbers, times, categories). A value that cannot be read rejects its row with a
:class:`~survey.errors.RowError` collected by :class:`~survey.parsers.base.Rejections`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from survey.errors import InputError
from survey.i18n import _, ngettext
from survey.metrics import METRIC_LABELS, METRIC_UNITS, VALID_RANGES
from survey.operators import operator_name
from survey.parsers.base import Rejections

# "No value" spellings found in logger files, compared in lower case after stripping.
MISSING_TEXT = frozenset({"", "-", "--", "n/a", "na", "nan", "nat", "null", "none"})
# Android's CellInfo.UNAVAILABLE (Integer.MAX_VALUE) and UNAVAILABLE_LONG (Long.MAX_VALUE):
# the modem did not report the field.
UNAVAILABLE_NUMBERS = (2147483647.0, 9223372036854775807.0)

# Field names that identify a person or a device; blanked in the kept raw copy and never read.
PRIVATE_FIELDS = frozenset(
    {"imei", "imeisv", "imsi", "msisdn", "phone_number", "ip", "ip_address", "ssid", "bssid"}
)

DELIMITERS = (",", ";", "\t")


# --- decoding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecodedText:
    """Text of a file and the encoding it was read with (``bom`` is kept for re-encoding)."""

    text: str
    encoding: str
    bom: bytes = b""

    def encode(self, text: str) -> bytes:
        """Encode ``text`` back into the file's encoding, with its byte-order mark."""
        return self.bom + text.encode(self.encoding, errors="replace")


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode_text(data: bytes) -> DecodedText:
    """Decode a text file: UTF-8 or UTF-16 after a byte-order mark, UTF-8, else Windows-1252.

    Windows-1252 is what Excel writes when a French user saves "CSV (separator: semicolon)".
    Its five undefined bytes are replaced rather than rejected.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return DecodedText(data[len(bom):].decode(encoding, errors="replace"), encoding, bom)
    try:
        return DecodedText(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        return DecodedText(data.decode("cp1252", errors="replace"), "cp1252")


def normalize_newlines(text: str) -> str:
    """Return ``text`` with LF line ends; stray carriage returns are removed, lines are kept."""
    text = text.replace("\r\n", "\n")
    if "\r" in text:
        text = text.replace("\r", "")
    return text


def first_line(text: str, limit: int | None = None) -> str:
    """Return the first non-blank line of ``text``, without its line end, cut to ``limit``."""
    position = 0
    while position < len(text):
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        line = text[position:end].rstrip("\r")
        if line.strip():
            return line if limit is None or len(line) <= limit else line[:limit] + "…"
        position = end + 1
    return ""


def split_header(line: str, delimiter: str) -> list[str]:
    """Split a header line into clean column names (quotes, spaces and U+200B removed)."""
    try:
        names = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        # A carriage return or NUL inside the line (binary content read as text): split
        # plainly, so that detection reports an unrecognized file instead of failing.
        names = line.split(delimiter)
    return [name.replace("\u200b", "").replace("\ufeff", "").strip().strip('"') for name in names]


def detect_delimiter(header: str) -> str:
    """Return the delimiter of a header line: the most frequent of tab, ``;`` and ``,``."""
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: (counts[delimiter], delimiter == "\t"))
    return best if counts[best] else ","


def sample_lines(text: str, count: int = 200) -> list[str]:
    """Return up to ``count`` lines after the first one, from the first 64 KiB of ``text``."""
    return text[:65536].splitlines()[1:count]


_COMMA_DECIMAL = re.compile(r"^-?\d+,\d+$")
_POINT_DECIMAL = re.compile(r"^-?\d+\.\d+$")


def uses_decimal_comma(lines: Iterable[str], delimiter: str) -> bool:
    """Tell whether numbers are written with a decimal comma, as French Excel saves them.

    Only a ``;`` or tab delimiter allows a decimal comma. The decision is by majority over
    the number-looking fields of the lines given.
    """
    if delimiter == ",":
        return False
    commas = points = 0
    for line in lines:
        for value in line.split(delimiter):
            value = value.strip().strip('"')
            commas += bool(_COMMA_DECIMAL.match(value))
            points += bool(_POINT_DECIMAL.match(value))
    return commas > points


# --- values ---------------------------------------------------------------------------------


def distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Return the code of each value and the distinct values as text.

    Logger columns repeat few distinct values, so conversions run on the distinct values and
    are spread back with ``result[codes]``.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, pd.Series(np.asarray(uniques, dtype=object)).fillna("").astype(str)


def is_missing(values: pd.Series) -> np.ndarray:
    """Return a mask of the "no value" spellings: empty, ``-``, ``--``, ``N/A``, ``null``…"""
    codes, uniques = distinct(values)
    return _missing(uniques)[codes]


def _missing(text: pd.Series) -> np.ndarray:
    return text.str.strip().str.lower().isin(MISSING_TEXT).to_numpy()


# Largest whole number read from a log: identifiers fit in 36 bits (the NR cell identity), and
# 2^40 leaves room for the cell ids built from them (eNodeB × 256) in 64-bit integers.
MAX_INTEGER = 2**40


def parse_numbers(values: pd.Series, *, decimal_comma: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Convert text to floats, treating "no value" spellings and Android sentinels as NaN.

    Parameters
    ----------
    values : pandas.Series
        Text values as read from the file.
    decimal_comma : bool
        Read ``-7,5`` as -7.5.

    Returns
    -------
    numbers : numpy.ndarray
        Float values, NaN where missing or unreadable.
    invalid : numpy.ndarray
        True where the text is neither a number nor a "no value" spelling.
    """
    codes, uniques = distinct(values)
    text = uniques.str.strip()
    if decimal_comma:
        text = text.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan, copy=True)
    # "inf", or an exponent past the float range (1E637), reads as infinite: no measurement is.
    numbers[np.isinf(numbers)] = np.nan
    invalid = np.isnan(numbers) & ~_missing(uniques)
    numbers[np.isin(numbers, UNAVAILABLE_NUMBERS)] = np.nan
    return numbers[codes], invalid[codes]


def parse_integers(values: pd.Series, *, decimal_comma: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Like :func:`parse_numbers`, but a value with a fraction, or beyond ``MAX_INTEGER``, is invalid too."""
    numbers, invalid = parse_numbers(values, decimal_comma=decimal_comma)
    wrong = ~np.isnan(numbers) & ((numbers != np.round(numbers)) | (np.abs(numbers) > MAX_INTEGER))
    numbers[wrong] = np.nan
    return numbers, invalid | wrong


def parse_text(values: pd.Series) -> pd.Series:
    """Return stripped text, ``NA`` for the "no value" spellings."""
    codes, uniques = distinct(values)
    text = uniques.str.strip().astype("string").mask(_missing(uniques))
    return pd.Series(text.array.take(codes), index=values.index, dtype="string")


def normalize_words(values: pd.Series) -> pd.Series:
    """Return the values stripped and in lower case, as text."""
    codes, uniques = distinct(values)
    words = uniques.str.strip().str.lower().to_numpy(dtype=object)
    return pd.Series(words[codes], index=values.index, dtype=str)


def name_operators(plmn: pd.Series, names: pd.Series) -> pd.Series:
    """Return each row's operator name from its PLMN and the file's name (NA where missing).

    :func:`survey.operators.operator_name` runs once per distinct (PLMN, name) pair.
    """
    plmn_codes, plmn_values = pd.factorize(plmn)
    name_codes, name_values = pd.factorize(names)
    return operator_names(plmn_codes, plmn_values, name_codes, name_values)


def operator_names(
    plmn_codes: np.ndarray, plmn_values: pd.Index, name_codes: np.ndarray, name_values: pd.Index
) -> pd.Series:
    """Like :func:`name_operators`, on factorized PLMNs and names (code -1 where missing)."""
    width = len(name_values) + 1
    keys, unique_keys = pd.factorize((plmn_codes + 1) * width + (name_codes + 1))
    names = []
    for key in unique_keys:
        plmn_index, name_index = divmod(int(key), width)
        code = plmn_values[plmn_index - 1] if plmn_index else None
        name = name_values[name_index - 1] if name_index else None
        names.append(operator_name(code, name))
    return pd.Series(np.array(names, dtype=object)[keys], dtype="string")


TRUE_WORDS = frozenset({"true", "1", "yes", "oui", "y", "o", "vrai"})
FALSE_WORDS = frozenset({"false", "0", "no", "non", "n", "faux"})


def parse_booleans(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Read true/false, 1/0, yes/no, oui/non (any case); returns values and an invalid mask."""
    text = normalize_words(values)
    result = pd.Series(pd.NA, index=values.index, dtype="boolean")
    result[text.isin(TRUE_WORDS).to_numpy()] = True
    result[text.isin(FALSE_WORDS).to_numpy()] = False
    invalid = result.isna().to_numpy() & ~is_missing(values)
    return result, invalid


def check_ranges(checks: Iterable[tuple[str, np.ndarray, str, pd.Series]], rejections: Rejections) -> None:
    """Reject rows whose metric is outside :data:`survey.metrics.VALID_RANGES`.

    Parameters
    ----------
    checks : iterable of tuple
        ``(metric, values, column, raw)``: the metric column (``rsrp_dbm``…), its float
        values (NaN where missing), and the source column name and raw text for the message.
    rejections : Rejections
        Where the rejected rows are recorded.
    """
    for metric, values, column, raw in checks:
        low, high = VALID_RANGES[metric]
        outside = ~np.isnan(values) & ((values < low) | (values > high))
        if not outside.any():
            continue
        reason = _("Outside the valid {metric} range, {low} to {high} {unit}.").format(
            metric=METRIC_LABELS[metric],
            low=_format_number(low),
            high=_format_number(high),
            unit=METRIC_UNITS[metric],
        )
        rejections.reject(outside, column, raw, reason)


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def reject_invalid(
    rejections: Rejections, invalid: np.ndarray, column: str, values: pd.Series, expected: str
) -> None:
    """Reject rows whose value in ``column`` could not be read; ``expected`` describes a valid value."""
    reason = _("Unreadable value; expected {expected}.").format(expected=expected)
    rejections.reject(invalid, column, values, reason)


# --- times ----------------------------------------------------------------------------------


def zone_info(name: str) -> ZoneInfo:
    """Return the IANA time zone ``name``; raises InputError for an unknown zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            _("Unknown time zone: {zone}.").format(zone=name),
            fix=_("Give an IANA time zone name such as Europe/Paris."),
        ) from None


def localize(naive: pd.Series, timezone: str) -> tuple[pd.Series, list[str]]:
    """Convert wall-clock times of ``timezone`` to UTC, reading DST edge cases predictably.

    A time in the autumn fold (the repeated hour) is read as its first occurrence, in summer
    time. A time in the spring gap (the skipped hour) cannot exist on a correctly set clock:
    it is read with the offset in force before the gap, i.e. shifted forward by the gap's
    length, as :pep:`495` does with ``fold=0``. Each case is counted in a translated note.

    Returns
    -------
    times : pandas.Series
        ``datetime64[ns, UTC]`` values, NaT where ``naive`` is NaT.
    notes : list of str
        One note per case met.
    """
    zone = zone_info(timezone)
    index = pd.DatetimeIndex(naive.to_numpy(dtype="datetime64[ns]"))
    count = len(index)
    first = index.tz_localize(zone, ambiguous=np.ones(count, dtype=bool), nonexistent="NaT")
    second = index.tz_localize(zone, ambiguous=np.zeros(count, dtype=bool), nonexistent="NaT")
    fold = (first != second) & first.notna()
    gap = first.isna() & index.notna()

    times = first.tz_convert("UTC")
    notes = []
    if fold.any():
        notes.append(_fold_note(int(fold.sum()), timezone))
    if gap.any():
        times = _shift_gap(times, index, gap, zone)
        notes.append(_gap_note(int(gap.sum()), timezone))
    return pd.Series(times, index=naive.index), notes


def _shift_gap(
    times: pd.DatetimeIndex, naive: pd.DatetimeIndex, gap: np.ndarray, zone: ZoneInfo
) -> pd.DatetimeIndex:
    """Read gap times with the UTC offset in force before the gap (PEP 495 ``fold=0``)."""
    gap_nanoseconds = naive.asi8[gap]
    offsets = {}
    for value in np.unique(gap_nanoseconds):
        wall = pd.Timestamp(value).to_pydatetime(warn=False).replace(tzinfo=zone, fold=0)
        offsets[value] = int(wall.utcoffset().total_seconds() * 1e9)
    nanoseconds = times.asi8.copy()
    nanoseconds[gap] = gap_nanoseconds - pd.Series(gap_nanoseconds).map(offsets).to_numpy()
    return pd.DatetimeIndex(nanoseconds.view("datetime64[ns]")).tz_localize("UTC")


def _fold_note(count: int, timezone: str) -> str:
    return ngettext(
        "{count} row has a local time in the repeated hour when {zone} leaves summer time; "
        "it was read as the first occurrence (summer time).",
        "{count} rows have a local time in the repeated hour when {zone} leaves summer time; "
        "they were read as the first occurrence (summer time).",
        count,
    ).format(count=count, zone=timezone)


def _gap_note(count: int, timezone: str) -> str:
    return ngettext(
        "{count} row has a local time in the hour skipped when {zone} enters summer time; "
        "it was shifted forward by the length of the gap.",
        "{count} rows have a local time in the hour skipped when {zone} enters summer time; "
        "they were shifted forward by the length of the gap.",
        count,
    ).format(count=count, zone=timezone)


_ZONED = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[Zz]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?(?:\.\d+)?$")
# Local formats tried after ISO 8601, in order: what spreadsheets in a French locale write.
LOCAL_TIME_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S.%f")


def parse_times(
    values: pd.Series, timezone: str, *, formats: tuple[str, ...] = ()
) -> tuple[pd.Series, np.ndarray, list[str]]:
    """Parse times into UTC.

    A time with an offset or ``Z`` is used as is. Unix epoch seconds (10 digits) or
    milliseconds (13 digits) are UTC. Any other time is wall-clock time of ``timezone`` (see
    :func:`localize`), read as ISO 8601, then with ``formats``, then with
    :data:`LOCAL_TIME_FORMATS`.

    Returns
    -------
    times : pandas.Series
        ``datetime64[ns, UTC]``, NaT where unreadable or missing.
    invalid : numpy.ndarray
        True where a value is present but unreadable, or missing (a sample needs a time).
    notes : list of str
        Notes on daylight-saving folds and gaps.
    """
    text = values.astype(str).str.strip()
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")

    zoned = text.str.contains(_ZONED, regex=True).to_numpy()
    if zoned.any():
        cleaned = text[zoned].str.replace(r"\s*(UTC|GMT)$", "Z", regex=True)
        result[zoned] = _nanosecond_times(pd.to_datetime(cleaned, format="ISO8601", utc=True, errors="coerce"))

    epoch = text.str.match(_EPOCH).to_numpy() & ~zoned
    if epoch.any():
        seconds = pd.to_numeric(text[epoch], errors="coerce")
        seconds = seconds.where(seconds < 1e11, seconds / 1000.0)
        result[epoch] = _nanosecond_times(pd.to_datetime(seconds, unit="s", utc=True, errors="coerce"))

    local = ~zoned & ~epoch
    notes: list[str] = []
    if local.any():
        naive = _parse_naive(text[local], formats)
        localized, notes = localize(naive, timezone)
        result[local] = localized
    return result, result.isna().to_numpy(), notes


def _parse_naive(text: pd.Series, formats: tuple[str, ...]) -> pd.Series:
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for time_format in ("ISO8601", *formats, *LOCAL_TIME_FORMATS):
        todo = parsed.isna().to_numpy()
        if not todo.any():
            break
        parsed[todo] = _nanosecond_times(_naive_times(text[todo], time_format))
    return parsed


def _naive_times(text: pd.Series, time_format: str) -> pd.Series:
    """Parse times without zone; a time carrying a zone that the zoned pattern missed is malformed."""
    try:
        converted = pd.to_datetime(text, format=time_format, errors="coerce")
    except ValueError:
        # Zoned and plain times mixed in one batch: each time is read on its own.
        converted = pd.Series([pd.to_datetime(value, format=time_format, errors="coerce") for value in text], index=text.index, dtype=object)
        converted = pd.to_datetime(converted.map(lambda value: pd.NaT if value is pd.NaT or value.tzinfo is not None else value))
    if isinstance(converted.dtype, pd.DatetimeTZDtype):
        return pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    return converted


def _nanosecond_times(parsed: pd.Series) -> pd.Series:
    """Return times at nanosecond resolution; those it cannot hold (years outside 1678–2261) become NaT."""
    inside = parsed.dt.year.between(1678, 2261)
    return parsed.where(inside).dt.as_unit("ns")


# --- privacy --------------------------------------------------------------------------------


def is_private_field(name: str) -> bool:
    """Tell whether a column or key name is a personal or device identifier."""
    key = name.replace("\u200b", "").strip().strip('"').lower().replace(" ", "_").replace("-", "_")
    return key in PRIVATE_FIELDS


def blank_delimited_columns(data: bytes, predicate: Callable[[str], bool] = is_private_field) -> bytes:
    """Blank the values of the columns whose header name matches ``predicate``.

    The header, the delimiter, the field count and the line count are kept, so row numbers
    stay valid. A file without such a column is returned unchanged.
    """
    if not _has_private_column(data[:65536], predicate):
        return data
    decoded = decode_text(data)
    lines = decoded.text.split("\n")
    header_index = next(
        (index for index, line in enumerate(lines) if line.strip() and not line.startswith("#")), None
    )
    if header_index is None:
        return data
    header_line = lines[header_index].rstrip("\r")
    delimiter = detect_delimiter(header_line)
    header = split_header(header_line, delimiter)
    private = [index for index, name in enumerate(header) if predicate(name)]
    if not private:
        return data
    # NOTE: one Python call per line; only files that have an identifier column get here.
    body = [_blank_fields(line, delimiter, private) for line in lines[header_index + 1:]]
    return decoded.encode("\n".join(lines[: header_index + 1] + body))


def _has_private_column(head: bytes, predicate: Callable[[str], bool]) -> bool:
    """Tell from the first bytes of a file whether its header names a private column.

    Checking the header before decoding the whole file keeps a large log without such a
    column from being copied into text and split into lines only to be returned unchanged.
    """
    lines = decode_text(head).text.split("\n")
    header_line = next((line for line in lines if line.strip() and not line.startswith("#")), None)
    if header_line is None:
        return False
    header_line = header_line.rstrip("\r")
    return any(predicate(name) for name in split_header(header_line, detect_delimiter(header_line)))


def _blank_fields(line: str, delimiter: str, positions: list[int]) -> str:
    """Blank the fields at ``positions`` of one line; its carriage return, if any, is kept."""
    body = line.rstrip("\r")
    ending = line[len(body):]
    if not body.strip():
        return line
    if '"' in body:
        fields = next(csv.reader([body], delimiter=delimiter), [])
        for position in positions:
            if position < len(fields):
                fields[position] = ""
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(fields)
        return buffer.getvalue() + ending
    fields = body.split(delimiter)
    for position in positions:
        if position < len(fields):
            fields[position] = ""
    return delimiter.join(fields) + ending
