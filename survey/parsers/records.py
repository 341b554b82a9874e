"""Shared reading of formats whose records are JSON objects or CSV rows of one cell each.

Termux, Network Survey and Tower Collector records are renamed into the sample table's column
names and converted by :func:`survey.parsers.native.convert`, so they get the same checks.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from survey.errors import FormatError
from survey.i18n import _
from survey.parsers.base import ParseResult, Rejections, finish
from survey.parsers.common import decode_text, normalize_newlines, parse_integers
from survey.parsers.native import convert
from survey.parsers.tables import Table


def json_lines(data: bytes, filename: str) -> list[tuple[int, object]]:
    """Return ``(line, value)`` for a JSON document (line 1) or for JSON Lines, one per line.

    Raises
    ------
    FormatError
        When a non-blank line is not valid JSON; the message gives its line.
    """
    text = normalize_newlines(decode_text(data).text)
    try:
        return [(1, json.loads(text))]
    except ValueError as error:
        if not text.lstrip().startswith("{"):
            # Not JSON Lines (which start with an object): the document itself is invalid.
            raise FormatError(
                _("The file is not valid JSON: {error}.").format(error=error),
                file=filename,
                line=getattr(error, "lineno", None),
            ) from None
    values = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            values.append((number, json.loads(line)))
        except ValueError as error:
            raise FormatError(
                _("Line {line} is not valid JSON: {error}.").format(line=number, error=error),
                file=filename,
                line=number,
                fix=_("Write one complete JSON object per line."),
            ) from None
    return values


def text_frame(records: list[dict], columns: list[str]) -> pd.DataFrame:
    """Return ``records`` as text columns (missing keys and nulls become empty text)."""
    frame = pd.DataFrame.from_records(records, columns=columns) if records else pd.DataFrame(columns=columns)
    frame = frame.reindex(columns=columns)
    return frame.astype(object).where(frame.notna(), "").astype(str)


def plmn_from_codes(mcc: pd.Series, mnc: pd.Series) -> pd.Series:
    """Return ``MCC-MNC`` from separate codes; an MNC written as a number keeps two digits.

    Android's deprecated integer getters drop leading zeros (``01`` → ``1``), so a one-digit MNC
    is padded to two digits. NOTE: a three-digit MNC written as an integer below 100 is
    indistinguishable from a two-digit one, so it is read as two digits.
    """
    mcc_numbers, _mcc_invalid = parse_integers(mcc)
    mnc_text = mnc.str.strip()
    mnc_numbers, _mnc_invalid = parse_integers(mnc)
    digits = mnc_text.str.fullmatch(r"\d{2,3}").to_numpy()
    mnc_out = np.where(digits, mnc_text.to_numpy(dtype=object), None)
    numeric = ~digits & ~np.isnan(mnc_numbers)
    mnc_out[numeric] = [f"{int(value):02d}" for value in mnc_numbers[numeric]]
    valid = ~np.isnan(mcc_numbers) & (mnc_out != None)  # noqa: E711 (element-wise comparison)
    plmn = np.full(len(mcc), None, dtype=object)
    plmn[valid] = [f"{int(code):03d}-{network}" for code, network in zip(mcc_numbers[valid], mnc_out[valid])]
    return pd.Series(plmn, index=mcc.index, dtype=object).fillna("").astype(str)


def convert_records(
    format_name: str,
    frame: pd.DataFrame,
    lines: np.ndarray,
    timezone: str,
    *,
    notes: list[str] | None = None,
    gps: pd.DataFrame | None = None,
    table: Table | None = None,
    invalid: tuple[np.ndarray, str] | None = None,
) -> ParseResult:
    """Convert text columns named as in the sample table and assemble the result.

    ``table`` is the delimited table the rows come from, whose malformed lines are rejected.
    ``invalid`` is a mask of rows the format parser found unreadable, with the reason.
    """
    rejections = Rejections(lines)
    if table is not None:
        rejections.reject_malformed(table)
    if invalid is not None:
        mask, reason = invalid
        rejections.reject(mask, None, None, reason)
    samples, convert_notes, _level = convert(frame, lines, rejections, timezone, decimal_comma=False)
    extra = {"gps": gps.reset_index(drop=True)} if gps is not None else {}
    return finish(
        format_name,
        samples,
        rejections,
        notes=list(notes or []) + convert_notes,
        extra=extra,
        aligned=list(extra),
    )


def coordinates(frame: pd.DataFrame, lon: str, lat: str) -> pd.DataFrame:
    """Return ``lon``, ``lat`` (WGS84 degrees) of each row, NaN where absent or out of range."""
    longitude = pd.to_numeric(frame[lon], errors="coerce") if lon in frame else np.nan
    latitude = pd.to_numeric(frame[lat], errors="coerce") if lat in frame else np.nan
    gps = pd.DataFrame({"lon": longitude, "lat": latitude}, index=frame.index).astype(float)
    outside = (gps["lon"].abs() > 180) | (gps["lat"].abs() > 90)
    return gps.mask(outside)
