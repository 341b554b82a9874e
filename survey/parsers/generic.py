"""Any delimited file, read through a column mapping written in TOML.

The mapping names, for each sample-table column, the file's column, and optionally units,
the time format, the delimiter and value translations::

    [columns]                 # sample-table column = file column (any case)
    time = "Horodatage"
    x_m = "X"
    y_m = "Y"
    rsrp_dbm = "RSRP"
    technology = "Techno"

    [units]                   # x_m, y_m: m, cm or mm; metrics: dBm or dB only
    x_m = "cm"
    y_m = "cm"

    [format]
    time = "%d/%m/%Y %H:%M:%S"   # strptime format; ISO 8601 is always accepted
    delimiter = ";"              # default: detected
    decimal = ","                # default: detected

    [values.technology]       # file value = sample-table value
    "4G" = "lte"

Load it with :func:`load_mapping` and pass the dict as ``columns=`` to :func:`survey.parsers.parse`.
"""

from __future__ import annotations

import tomllib

import pandas as pd

from survey.errors import FormatError, InputError
from survey.i18n import _, lazy
from survey.parsers.base import Head, LogFormat, ParseResult, Rejections, finish
from survey.parsers.common import (
    blank_delimited_columns,
    decode_text,
    detect_delimiter,
    first_line,
    sample_lines,
    uses_decimal_comma,
)
from survey.parsers.native import KNOWN, convert
from survey.parsers.tables import read_table

NAME = "generic_csv"
LENGTH_UNITS = {"m": 1.0, "cm": 0.01, "mm": 0.001}
METRIC_UNITS = {"dbm", "db"}


def load_mapping(data: bytes | str) -> dict:
    """Read a TOML column mapping and check it.

    Raises
    ------
    InputError
        Invalid TOML, no ``[columns]`` table, no ``time`` column, an unknown sample-table
        column or an unknown unit.
    """
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    try:
        mapping = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(_("The column mapping is not valid TOML: {error}.").format(error=error)) from None
    check_mapping(mapping)
    return mapping


def check_mapping(mapping: dict) -> None:
    """Raise InputError when a column mapping cannot be used."""
    columns = mapping.get("columns")
    if not isinstance(columns, dict) or "time" not in columns:
        raise InputError(
            _("The column mapping needs a [columns] table with at least time."),
            fix=_('Write, for example: [columns] time = "Date", rsrp_dbm = "RSRP".'),
        )
    unknown = sorted(set(columns) - KNOWN)
    if unknown:
        raise InputError(
            _("Unknown sample-table columns in the mapping: {names}.").format(names=", ".join(unknown)),
            fix=_("Use the column names of the sample table: {names}.").format(
                names=", ".join(sorted(KNOWN))
            ),
        )
    for column, unit in mapping.get("units", {}).items():
        valid = LENGTH_UNITS if column in ("x_m", "y_m") else METRIC_UNITS
        if str(unit).lower() not in valid:
            raise InputError(
                _("Unsupported unit {unit} for {column}; expected one of: {units}.").format(
                    unit=unit, column=column, units=", ".join(sorted(valid))
                )
            )


def sniff(head: Head) -> bool:
    """Never detected from content: a mapping must be given."""
    return False


def parse(
    data: bytes, filename: str, *, timezone: str = "Europe/Paris", columns: dict | None = None
) -> ParseResult:
    """Parse a delimited file with the column mapping ``columns`` (see :func:`load_mapping`)."""
    if columns is None:
        raise InputError(
            _("Reading a generic CSV file needs a column mapping."),
            file=filename,
            fix=_("Give a TOML column mapping that names the time column and the measurement columns."),
        )
    check_mapping(columns)
    options = columns.get("format", {})
    text = decode_text(data).text
    delimiter = options.get("delimiter") or detect_delimiter(first_line(text))
    decimal_comma = options.get("decimal") == "," or (
        "decimal" not in options and uses_decimal_comma(sample_lines(text), delimiter)
    )
    table = read_table(text, delimiter, filename)
    frame = _mapped_frame(table.frame, columns, filename)

    rejections = Rejections(table.lines)
    rejections.reject_malformed(table)
    formats = (options["time"],) if options.get("time") else ()
    samples, notes, level = convert(
        frame, table.lines, rejections, timezone, decimal_comma, time_formats=formats
    )
    for axis in ("x_m", "y_m"):
        samples[axis] = samples[axis] * LENGTH_UNITS[str(columns.get("units", {}).get(axis, "m")).lower()]
    extra = {"level": level} if level is not None else {}
    return finish(NAME, samples, rejections, notes=notes, extra=extra, aligned=list(extra))


def _mapped_frame(frame: pd.DataFrame, mapping: dict, filename: str) -> pd.DataFrame:
    """Return the mapped file columns under their sample-table names, values translated."""
    by_name = {name.lower(): name for name in frame.columns}
    missing = [source for source in mapping["columns"].values() if str(source).lower() not in by_name]
    if missing:
        raise FormatError(
            _("Columns named in the mapping are not in the file: {names}.").format(names=", ".join(missing)),
            file=filename,
            line=1,
            fix=_("The file's columns are: {names}.").format(names=", ".join(frame.columns)),
        )
    out = frame[[by_name[str(source).lower()] for source in mapping["columns"].values()]].copy()
    out.columns = list(mapping["columns"])
    for column, translation in mapping.get("values", {}).items():
        if column in out.columns:
            translated = out[column].map({str(key): str(value) for key, value in translation.items()})
            out[column] = translated.fillna(out[column])
    return out.loc[:, ~out.columns.duplicated()] if not out.empty else out


def blank_identifiers(data: bytes) -> bytes:
    """Blank identifier columns (imei, imsi, msisdn, ip, ssid, bssid) by header name."""
    return blank_delimited_columns(data)


FORMAT = LogFormat(NAME, lazy("CSV with a column mapping"), sniff, parse, blank_identifiers)
