"""The room registry: the spreadsheet in which departments list their rooms' criticality and lines.

The registry is a CSV or XLSX table with the columns ``ref, name, category, criticality,
analog_line, line_number, department, notes``. Rows are matched to rooms by ``ref``. An import
is applied whole or not at all: any invalid row rejects the file with the list of bad rows, and
refs that match no room are reported. A blank cell leaves the room's value as it is, so that a
partly filled sheet never erases what another department entered. Every change, old and new
value, is listed in the report, with ``dry_run`` or without.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils.exceptions import InvalidFileException

from sqlalchemy.orm import Session

from survey.categories import CATEGORIES, CRITICALITIES
from survey.errors import InputError, RowError
from survey.i18n import _
from survey.models import Room, Site
from survey.store import site_rooms
from survey.values import parse_bool

logger = logging.getLogger(__name__)

# Leading characters that make a spreadsheet program read a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@")
XLSX_MAGIC = b"PK"

REGISTRY_COLUMNS = ["ref", "name", "category", "criticality", "analog_line", "line_number", "department", "notes"]


def read_table(data: bytes, filename: str) -> list[dict]:
    """Read a registry, XLSX (first sheet) or CSV, into rows of stripped text keyed by column."""
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, filename)
    return _read_csv(data, filename)


def _read_xlsx(data: bytes, filename: str) -> list[dict]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise InputError(_("the file is not a readable XLSX workbook: {error}").format(error=error), file=filename, fix=_("save the registry as XLSX or CSV")) from None
    try:
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()
    header = [_cell_text(value).lower() for value in (rows[0] if rows else [])]
    _require_ref_column(header, filename, ",".join(header))
    table = []
    for values in rows[1:]:
        row = {column: _cell_text(value) for column, value in zip(header, values) if column}
        if any(row.values()):
            table.append(row)
    return table


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _require_ref_column(fieldnames: list[str], filename: str, first_line: str) -> None:
    if "ref" not in fieldnames:
        raise InputError(
            _("the room registry has no ref column"),
            file=filename,
            line=1,
            value=first_line[:120],
            fix=_("the first line must name the columns: {columns}").format(columns=",".join(REGISTRY_COLUMNS)),
        )


def _read_csv(data: bytes, filename: str) -> list[dict]:
    """Read a CSV (comma or semicolon, UTF-8 with or without BOM, or Windows-1252) into rows."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
    _require_ref_column(fieldnames, filename, first_line)
    reader.fieldnames = fieldnames
    return [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]


def import_registry(session: Session, site: Site, data: bytes, filename: str, *, dry_run: bool = False) -> dict:
    """Update the site's rooms from a registry file; ``dry_run`` lists the changes only."""
    rows = read_table(data, filename)
    rooms = {room.ref: room for room in site_rooms(session, site)}
    errors: list[RowError] = []
    unknown: list[str] = []
    changes: list[dict] = []

    for line, row in enumerate(rows, start=2):
        room = rooms.get(row.get("ref", ""))
        if room is None:
            unknown.append(row.get("ref", ""))
            continue
        values, row_errors = _validated_row(row, line)
        errors.extend(row_errors)
        for column, value in values.items():
            if getattr(room, column) != value:
                changes.append({"ref": room.ref, "column": column, "old": getattr(room, column), "new": value})

    if errors:
        raise InputError(
            _("the room registry has {count} invalid rows; nothing was changed").format(count=len(errors)),
            file=filename,
            errors=errors,
            fix=_("correct the rows listed and import the file again"),
        )
    if not dry_run:
        for change in changes:
            setattr(rooms[change["ref"]], change["column"], change["new"])
        session.flush()
        logger.info("%s: %d registry values changed in site %s", filename, len(changes), site.name)
    return {"file": filename, "rows": len(rows), "changes": changes, "unknown_refs": unknown, "dry_run": dry_run}


def _validated_row(row: dict, line: int) -> tuple[dict, list[RowError]]:
    values, errors = {}, []
    for column in ("name", "line_number", "department", "notes"):
        if row.get(column):
            values[column] = row[column]
    if row.get("category"):
        if row["category"] in CATEGORIES:
            values["category"] = row["category"]
        else:
            errors.append(RowError(line, "category", row["category"], _("unknown category; use one of: {choices}").format(choices=", ".join(CATEGORIES))))
    if row.get("criticality"):
        if row["criticality"] in CRITICALITIES:
            values["criticality"] = row["criticality"]
        else:
            errors.append(RowError(line, "criticality", row["criticality"], _("unknown criticality; use one of: {choices}").format(choices=", ".join(CRITICALITIES))))
    if row.get("analog_line"):
        flag = parse_bool(row["analog_line"])
        if flag is None:
            errors.append(RowError(line, "analog_line", row["analog_line"], _("write yes or no")))
        else:
            values["analog_line"] = flag
    return values, errors


def export_registry(session: Session, site: Site, format: str = "csv") -> bytes:
    """Write the site's rooms as a registry, ``csv`` (UTF-8 with BOM) or ``xlsx``."""
    if format == "xlsx":
        return _export_xlsx(session, site)
    if format != "csv":
        raise InputError(_("unknown registry format {format!r}").format(format=format), fix=_("use csv or xlsx"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(REGISTRY_COLUMNS)
    for room in site_rooms(session, site):
        writer.writerow(_registry_row(room))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _registry_row(room: Room) -> list[str]:
    return [
        room.ref,
        room.name,
        room.category,
        room.criticality,
        "yes" if room.analog_line else "no",
        room.line_number,
        room.department,
        room.notes,
    ]


def _export_xlsx(session: Session, site: Site) -> bytes:
    """Write the registry as an XLSX workbook in which every text cell is a string cell.

    A value beginning with ``=``, ``+``, ``-`` or ``@`` (a room name such as ``=HYPERLINK(…)``)
    is stored as text, never as a formula, so that opening the file runs nothing; it reads back
    unchanged.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "rooms"
    sheet.append(REGISTRY_COLUMNS)
    for room in site_rooms(session, site):
        sheet.append(_registry_row(room))
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                if cell.value.startswith(FORMULA_PREFIXES):
                    cell.quotePrefix = True
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
