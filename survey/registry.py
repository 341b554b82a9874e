"""The room registry: the spreadsheet in which departments list their rooms' criticality and lines.

Rows are matched to rooms by ``ref``. An import is applied whole or not at all: any invalid row
rejects the file with the list of bad rows, and refs that match no room are reported.
"""

from __future__ import annotations

import csv
import io

from sqlalchemy.orm import Session

from survey.categories import CATEGORIES, CRITICALITIES
from survey.errors import InputError, RowError
from survey.i18n import _
from survey.models import Room, Site
from survey.store import site_rooms
from survey.values import parse_bool

REGISTRY_COLUMNS = ["ref", "name", "category", "criticality", "analog_line", "line_number", "department", "notes"]


def read_table(data: bytes, filename: str) -> list[dict]:
    """Read a CSV (comma or semicolon, UTF-8 with or without BOM, or Windows-1252) into rows."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    fieldnames = [name.strip().lower() for name in reader.fieldnames or []]
    if "ref" not in fieldnames:
        raise InputError(
            _("the room registry has no ref column"),
            file=filename,
            line=1,
            value=first_line[:120],
            fix=_("the first line must name the columns: {columns}").format(columns=",".join(REGISTRY_COLUMNS)),
        )
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
    return {"file": filename, "rows": len(rows), "changes": changes, "unknown_refs": unknown, "dry_run": dry_run}


def _validated_row(row: dict, line: int) -> tuple[dict, list[RowError]]:
    values, errors = {}, []
    for column in ("name", "line_number", "department", "notes"):
        if column in row:
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
    if "analog_line" in row:
        flag = parse_bool(row["analog_line"])
        if flag is None:
            errors.append(RowError(line, "analog_line", row["analog_line"], _("write yes or no")))
        else:
            values["analog_line"] = flag
    return values, errors


def export_registry(session: Session, site: Site) -> bytes:
    """Write the site's rooms as a registry CSV (UTF-8 with BOM, so that spreadsheets read accents)."""
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
