"""The room table: one row per room with its evidence, as a DataFrame, CSV, XLSX and GeoJSON.

The DataFrame keeps numbers as numbers (pass rates in percent, levels in dBm) and translated
text for labels, under translated column headers. The CSV and XLSX exports protect spreadsheet
users against formula injection in text cells.
"""

from __future__ import annotations

import io
import json
import logging
import math

import numpy as np
import pandas as pd
import shapely
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from maps.lines import level_lines
from maps.style import action_label, verdict_label, yes_no
from survey.categories import category_label, criticality_label
from survey.i18n import _
from survey.results import RoomResult, SiteAnalysis

logger = logging.getLogger(__name__)

CSV_DIALECTS = ("en", "fr")

# A text cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def rooms_table(analysis: SiteAnalysis) -> pd.DataFrame:
    """Return one row per room with translated column headers, numbers kept numeric."""
    rows = [_room_row(analysis, room) for room in analysis.rooms]
    table = pd.DataFrame(rows, columns=_columns(analysis))
    for column in (_("Samples"),):
        table[column] = table[column].astype("Int64")
    return table


def _columns(analysis: SiteAnalysis) -> list[str]:
    """Return the translated column headers, with three columns per operator."""
    columns = [
        _("Building"),
        _("Level"),
        _("Ref"),
        _("Name"),
        _("Category"),
        _("Criticality"),
        _("Area (m²)"),
        _("Analog line"),
        _("Line number"),
        _("Samples"),
        _("Shielded room"),
        _("Attenuation (dB)"),
        _("Voice verdict"),
    ]
    for _plmn, operator in analysis.operators:
        columns.extend(_operator_columns(operator))
    columns.extend([_("Recommendation"), _("Nearest line (room)"), _("Distance to line (m)"), _("Reasons")])
    return columns


def _operator_columns(operator: str) -> list[str]:
    return [
        _("{operator}: verdict").format(operator=operator),
        _("{operator}: pass rate (%)").format(operator=operator),
        _("{operator}: RSRP p10 (dBm)").format(operator=operator),
    ]


def _room_row(analysis: SiteAnalysis, room: RoomResult) -> list[object]:
    """Return the cells of one room, in the order of :func:`_columns`."""
    level = next((level for level in analysis.levels if level.level_id == room.level_id), None)
    row: list[object] = [
        level.building if level else "",
        room.level_name,
        room.ref,
        room.name,
        category_label(room.category),
        criticality_label(room.criticality),
        _rounded(room.area_m2),
        yes_no(room.analog_line),
        room.line_number,
        room.samples,
        yes_no(room.shielded),
        _rounded(room.attenuation_db),
        verdict_label(room.voice),
    ]
    for plmn, _operator in analysis.operators:
        verdict = room.verdict_for(plmn)
        if verdict is None:
            row.extend(["", np.nan, np.nan])
            continue
        pass_rate = None if verdict.pass_rate is None else verdict.pass_rate * 100
        row.extend([verdict_label(verdict.verdict), _rounded(pass_rate), _rounded(verdict.rsrp_p10_dbm)])

    recommendation = room.recommendation
    row.extend(
        [
            action_label(recommendation.action),
            recommendation.line_room_ref or "",
            _rounded(recommendation.distance_m),
            "; ".join(recommendation.reasons),
        ]
    )
    return row


def _rounded(value: float | None, digits: int = 1) -> float:
    """Return ``value`` rounded, or NaN where it is missing."""
    if value is None:
        return np.nan
    return round(float(value), digits)


def neutralize_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """Return a copy where text cells and headers that a spreadsheet would run start with ``'``.

    Only text is changed: numeric columns keep their negative numbers as numbers.
    """
    table = table.copy()
    for column in table.columns:
        if pd.api.types.is_numeric_dtype(table[column]):
            continue
        table[column] = table[column].map(_neutralized)
    table.columns = [_neutralized(column) for column in table.columns]
    return table


def _neutralized(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def rooms_csv(analysis: SiteAnalysis, dialect: str = "en") -> bytes:
    """Return the room table as CSV bytes.

    Parameters
    ----------
    analysis
        The site analysis to export.
    dialect
        ``"en"``: comma separator, decimal point, UTF-8. ``"fr"``: semicolon separator,
        decimal comma, UTF-8 with a byte order mark so that spreadsheet programs detect it.
    """
    if dialect not in CSV_DIALECTS:
        raise ValueError(f"invalid CSV dialect {dialect!r}: use one of {', '.join(CSV_DIALECTS)}")
    table = neutralize_formulas(rooms_table(analysis))
    if dialect == "fr":
        return table.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n").encode("utf-8-sig")
    return table.to_csv(sep=",", index=False, lineterminator="\r\n").encode("utf-8")


def rooms_xlsx(analysis: SiteAnalysis) -> bytes:
    """Return the room table as an XLSX workbook, with a second sheet of the numbered fixed lines.

    Text cells are stored as string cells, which spreadsheet programs open as text rather than
    evaluate, so a room name such as ``=SUM(A1)`` stays text without the CSV export's ``'``.
    """
    workbook = Workbook()
    _write_sheet(workbook.active, _("Rooms"), rooms_table(analysis), freeze="D2")
    _write_sheet(workbook.create_sheet(), _("Analog lines"), lines_table(analysis), freeze="C2")

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def lines_table(analysis: SiteAnalysis) -> pd.DataFrame:
    """Return one row per fixed line, existing or to install, numbered as on the level's plan."""
    rows = []
    for level in analysis.levels:
        for line in level_lines(level):
            room = line.room
            rows.append(
                [
                    level.building,
                    level.name,
                    line.number,
                    room.ref,
                    room.name,
                    criticality_label(room.criticality),
                    _("to install") if line.proposed else _("existing"),
                    room.line_number,
                    verdict_label(room.voice),
                    action_label(room.recommendation.action),
                ]
            )
    columns = [
        _("Building"),
        _("Level"),
        _("Line on the plan"),
        _("Ref"),
        _("Name"),
        _("Criticality"),
        _("Status"),
        _("Line number"),
        _("Voice verdict"),
        _("Recommendation"),
    ]
    table = pd.DataFrame(rows, columns=columns)
    table[_("Line on the plan")] = table[_("Line on the plan")].astype("Int64")
    return table


def _write_sheet(sheet: Worksheet, title: str, table: pd.DataFrame, *, freeze: str) -> None:
    """Write ``table`` into ``sheet`` with a bold header, frozen panes, a filter and fitted widths."""
    sheet.title = title[:31]
    sheet.append([str(column) for column in table.columns])
    for row in table.itertuples(index=False):
        sheet.append([_xlsx_value(value) for value in row])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"

    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = freeze
    sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(table.columns, start=1):
        width = max([len(str(column)), *(len(str(value)) for value in table[column].dropna())])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)


def _xlsx_value(value: object) -> object:
    """Return a cell value openpyxl can write: None for missing numbers, plain Python types."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def rooms_geojson(analysis: SiteAnalysis) -> bytes:
    """Return every room as a GeoJSON feature collection in plan metres, UTF-8 encoded.

    Coordinates are the site's local plan frame (x to the east, y to the north, in metres),
    not WGS84, so the file names no CRS. Properties are the ``analyze --json`` room fields.
    """
    buildings = {level.level_id: level.building for level in analysis.levels}
    features = []
    for room in analysis.rooms:
        properties = room.as_dict()
        properties["building"] = buildings.get(room.level_id, "")
        features.append(
            {
                "type": "Feature",
                "id": room.room_id,
                "geometry": shapely.geometry.mapping(room.geometry),
                "properties": properties,
            }
        )
    collection = {"type": "FeatureCollection", "name": analysis.site_name, "features": features}
    return json.dumps(collection, ensure_ascii=False, indent=1).encode("utf-8")
