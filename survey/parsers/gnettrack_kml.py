"""G-NetTrack Pro KML exports: one Placemark per sample, every field in ``ExtendedData``.

The app writes one KML per metric (the file name ends with ``_rsrp.kml``, ``_csirsrp.kml``…),
but every placemark carries all fields, so any one of them is enough. Values carry their unit
as text (``-72 dBm``, ``228m``, ``0 km/h``); ``1000deg`` and ``-1m`` mean "not available".
``<coordinates>`` are ``lon,lat,alt``. The ``IMEI`` and ``IP`` fields are personal data.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import numpy as np
import pandas as pd

from survey.errors import FormatError
from survey.i18n import _
from survey.operators import normalize_plmn, operator_name
from survey.parsers.base import Head, LogFormat, ParseResult, Rejections, finish
from survey.parsers.common import (
    check_ranges,
    decode_text,
    is_missing,
    is_private_field,
    localize,
    parse_numbers,
    parse_text,
    reject_invalid,
)
from survey.parsers.gnettrack import NO_SERVICE_LEVEL, TECHNOLOGIES, TIME_FORMAT

NAME = "gnettrack_kml"
FIELDS = ("CGI", "TAC", "TECHNOLOGY", "ARFCN", "BAND", "RSRP", "RSRQ", "SNR", "RAWCELLID", "TIME")
_NUMBER = re.compile(r"(-?\d+(?:\.\d+)?)")


def sniff(head: Head) -> bool:
    """Tell whether a file is a KML whose placemarks carry G-NetTrack fields."""
    return "<kml" in head.text and ('name="TECHNOLOGY"' in head.text or 'name="RSRP"' in head.text)


def parse(
    data: bytes, filename: str, *, timezone: str = "Europe/Paris", columns: dict | None = None
) -> ParseResult:
    """Parse a G-NetTrack KML export into the sample table.

    Returns
    -------
    ParseResult
        ``row_number`` is the 1-based position of the placemark (a KML is often one line).
        ``extra["gps"]`` has the ``lon``, ``lat`` of each sample.
    """
    frame = _read_placemarks(data, filename)
    positions = np.arange(1, len(frame) + 1)
    rejections = Rejections(positions)

    naive = pd.to_datetime(frame["TIME"], format=TIME_FORMAT, errors="coerce")
    expected = _("a time such as 2025.07.18_22.11.08")
    reject_invalid(rejections, naive.isna().to_numpy(), "TIME", frame["TIME"], expected)
    times, notes = localize(naive, timezone)

    technology = frame["TECHNOLOGY"].str.strip().str.lower().map(TECHNOLOGIES)
    metrics = {name: _numbers(frame, name, rejections) for name in ("RSRP", "RSRQ", "SNR")}
    no_service = technology.isna().to_numpy() | (metrics["RSRP"] == NO_SERVICE_LEVEL)
    plmn = frame["CGI"].str.slice(0, 5).map(normalize_plmn).astype("string")

    samples = pd.DataFrame(
        {
            "time": times,
            "row_number": positions,
            "position_source": "none",
            "plmn": plmn,
            "operator": plmn.map({code: operator_name(code) for code in plmn.dropna().unique()}),
            "technology": technology.astype("string"),
            "serving": True,
            "service": np.where(no_service, "no_service", "in_service"),
            "rsrp_dbm": np.where(no_service, np.nan, metrics["RSRP"]),
            "rsrq_db": np.where(no_service, np.nan, metrics["RSRQ"]),
            "sinr_db": np.where(no_service, np.nan, metrics["SNR"]),
            "cell_id": np.where(no_service, np.nan, _numbers(frame, "RAWCELLID", rejections)),
            "tac": np.where(no_service, np.nan, _numbers(frame, "TAC", rejections)),
            "arfcn": np.where(no_service, np.nan, _numbers(frame, "ARFCN", rejections)),
            "band": parse_text(frame["BAND"]).mask(no_service),
        }
    )
    check_ranges(
        [
            ("rsrp_dbm", samples["rsrp_dbm"].to_numpy(), "RSRP", frame["RSRP"]),
            ("rsrq_db", samples["rsrq_db"].to_numpy(), "RSRQ", frame["RSRQ"]),
            ("sinr_db", samples["sinr_db"].to_numpy(), "SNR", frame["SNR"]),
        ],
        rejections,
    )
    gps = frame[["lon", "lat"]].apply(pd.to_numeric, errors="coerce").reset_index(drop=True)
    return finish(NAME, samples, rejections, notes=notes, extra={"gps": gps}, aligned=["gps"])


def _numbers(frame: pd.DataFrame, name: str, rejections: Rejections) -> np.ndarray:
    """Read the number in a value with a unit (``-72 dBm`` → -72); reject text without one."""
    values = frame[name]
    text = values.str.extract(_NUMBER, expand=False).fillna("")
    numbers, _invalid = parse_numbers(text)
    unread = np.isnan(numbers) & ~is_missing(values)
    reject_invalid(rejections, unread, name, values, _("a number"))
    return numbers


def _read_placemarks(data: bytes, filename: str) -> pd.DataFrame:
    """Return one row of text per Placemark: the wanted Data fields and the coordinates."""
    rows = []
    try:
        root = ElementTree.fromstring(data)
    except (LookupError, ValueError) as error:
        # An unknown encoding in the XML declaration, or bytes that do not decode with it.
        raise FormatError(_("The KML file is not valid XML: {error}.").format(error=error), file=filename) from None
    except ElementTree.ParseError as error:
        raise FormatError(
            _("The KML file is not valid XML: {error}.").format(error=error),
            file=filename,
            line=error.position[0],
        ) from None
    for placemark in root.iter():
        if _local(placemark.tag) != "Placemark":
            continue
        row = dict.fromkeys(FIELDS, "")
        for element in placemark.iter():
            tag = _local(element.tag)
            if tag == "Data" and element.get("name") in row:
                value = next((child.text for child in element if _local(child.tag) == "value"), None)
                row[element.get("name")] = (value or "").strip()
            elif tag == "coordinates" and element.text:
                parts = element.text.strip().split(",")
                row["lon"], row["lat"] = (parts + ["", ""])[:2]
        rows.append(row)
    return pd.DataFrame(rows, columns=[*FIELDS, "lon", "lat"], dtype=object).fillna("").astype(str)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


_DATA_VALUE = re.compile(r'(<Data name="(?P<name>[^"]+)">\s*<value>)(?P<value>[^<]*)(</value>)')


def blank_identifiers(data: bytes) -> bytes:
    """Blank the values of the ``IMEI``, ``IP`` and other identifier Data fields in place."""
    decoded = decode_text(data)

    def replace(match: re.Match) -> str:
        if not is_private_field(match.group("name")):
            return match.group(0)
        return match.group(1) + match.group(4)

    text = _DATA_VALUE.sub(replace, decoded.text)
    return data if text == decoded.text else decoded.encode(text)


FORMAT = LogFormat(NAME, "G-NetTrack KML", sniff, parse, blank_identifiers)
