"""Network Survey (Craxiom) GeoPackage logs: one SQLite table per cellular technology.

The app writes its cellular log as a GeoPackage (an SQLite database) with the feature tables
``GSM_MESSAGE``, ``CDMA_MESSAGE``, ``UMTS_MESSAGE``, ``LTE_MESSAGE`` and ``NR_MESSAGE``, one
row per cell record. Column names are those of the app's GeoPackage writer:

- GSM, UMTS and LTE tables: ``Time`` (Unix epoch milliseconds), ``MissionId``,
  ``RecordNumber``, ``GroupNumber``, ``Serving Cell``, ``Provider``, ``MCC``, ``MNC``, then
  ``LAC``, ``CID``, ``ARFCN``, ``Signal Strength`` (GSM); ``LAC``, ``Cell ID``, ``UARFCN``,
  ``PSC``, ``RSCP`` (UMTS); ``TAC``, ``ECI``, ``DL_EARFCN``, ``Phys_Cell_ID``, ``RSRP``,
  ``RSRQ``, ``snr``, ``signalStrength`` (LTE);
- NR table: the JSON message field names (``deviceTime`` in epoch milliseconds, ``mcc``,
  ``nci``, ``narfcn``, ``pci``, ``ssRsrp``, ``ssRsrq``, ``ssSinr``, ``servingCell``…). The
  names of an older version of the app's NR constants (``NRARFCN``, ``Phys_cell_ID``,
  ``SS_RSRP``…) are read as well.

Column names are matched without case, spaces or underscores. The position is the ``geom``
point (GeoPackage binary header followed by a WKB point, longitude first).

Row numbers: a database has no lines, so ``row_number`` counts the rows of the cellular tables
in the order GSM, UMTS, LTE, NR, each table ordered by its ``rowid``; a note gives the range of
each table.

The kept copy: ``deviceSerialNumber`` (the Android ID) and ``MissionId`` (which contains it by
default) are set to NULL by SQL ``UPDATE`` on an in-memory copy of the database, then
``VACUUM`` rewrites the file so that the old values do not remain in free pages. The copy stays
a GeoPackage with the same tables and rows, so :func:`survey.ingest.reparse_upload` reads it
with the same row numbers; dropping the columns instead would change the schema that other
GeoPackage tools expect.
"""

from __future__ import annotations

import logging
import sqlite3
import struct
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd

from survey.errors import FormatError
from survey.i18n import _, ngettext
from survey.parsers.base import Head, LogFormat, ParseResult
from survey.parsers.networksurvey import is_private_key, sample_columns
from survey.parsers.records import convert_records, coordinates

logger = logging.getLogger(__name__)

NAME = "networksurvey_gpkg"
SQLITE_MAGIC = b"SQLite format 3\x00"
# The smallest SQLite file: one page of the minimum page size, 512 bytes.
_MIN_DATABASE_BYTES = 512
# Cellular tables, in the order their rows are numbered, and their technology.
CELL_TABLES = {"GSM_MESSAGE": "gsm", "UMTS_MESSAGE": "umts", "LTE_MESSAGE": "lte", "NR_MESSAGE": "nr"}
# Cellular tables the sample table has no technology for.
SKIPPED_TABLES = ("CDMA_MESSAGE",)

_COMMON_FIELDS = {
    "time": "deviceTime", "devicetime": "deviceTime", "servingcell": "servingCell",
    "provider": "provider", "mcc": "mcc", "mnc": "mnc", "latitude": "latitude",
    "longitude": "longitude",
}  # fmt: skip
# Normalized column name -> Network Survey message field, per technology.
COLUMN_FIELDS = {
    "gsm": {**_COMMON_FIELDS, "lac": "lac", "cid": "ci", "ci": "ci", "arfcn": "arfcn",
            "signalstrength": "signalStrength"},
    "umts": {**_COMMON_FIELDS, "lac": "lac", "cellid": "cid", "cid": "cid", "uarfcn": "uarfcn",
             "rscp": "rscp", "ecno": "ecno"},
    "lte": {**_COMMON_FIELDS, "tac": "tac", "eci": "eci", "dlearfcn": "earfcn", "earfcn": "earfcn",
            "physcellid": "pci", "pci": "pci", "rsrp": "rsrp", "rsrq": "rsrq", "snr": "snr",
            "signalstrength": "signalStrength"},
    "nr": {**_COMMON_FIELDS, "tac": "tac", "nci": "nci", "nrarfcn": "narfcn", "narfcn": "narfcn",
           "physcellid": "pci", "pci": "pci", "ssrsrp": "ssRsrp", "ssrsrq": "ssRsrq",
           "sssinr": "ssSinr"},
}  # fmt: skip
# Byte offset of the journal-mode bytes in the SQLite header: 2 means WAL, 1 the rollback journal.
_WRITE_VERSION_OFFSET = 18
# GeoPackage binary header: envelope size in bytes by the envelope indicator (flags bits 1-3).
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def normalize_name(name: str) -> str:
    """Return a column name without case, spaces or underscores (``Serving Cell`` → ``servingcell``)."""
    return name.replace(" ", "").replace("_", "").lower()


# --- database access ------------------------------------------------------------------------


@contextmanager
def open_database(data: bytes, filename: str) -> Iterator[sqlite3.Connection]:
    """Open an in-memory copy of an SQLite file; the file itself is never touched.

    A database saved in WAL mode is read through the rollback journal: an in-memory database
    cannot use WAL, and the upload has no ``-wal`` file beside it anyway.

    Raises
    ------
    FormatError
        When the bytes are not an SQLite database that can be read.
    """
    image = bytearray(data)
    if len(image) > _WRITE_VERSION_OFFSET + 1 and image[_WRITE_VERSION_OFFSET] == 2:
        image[_WRITE_VERSION_OFFSET : _WRITE_VERSION_OFFSET + 2] = b"\x01\x01"
    connection = sqlite3.connect(":memory:")
    try:
        # SQLite's deserializer allocates memory by the size the header claims, so bytes that
        # are no database can end in MemoryError rather than DatabaseError.
        if not data.startswith(SQLITE_MAGIC) or len(data) < _MIN_DATABASE_BYTES:
            raise sqlite3.DatabaseError("file is not a database")
        connection.deserialize(bytes(image))
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except (sqlite3.DatabaseError, MemoryError) as error:
        connection.close()
        raise FormatError(_("The SQLite database cannot be read: {error}.").format(error=error), file=filename) from None
    try:
        yield connection
    finally:
        connection.close()


def table_names(connection: sqlite3.Connection) -> dict[str, str]:
    """Return the database's table names, keyed by their upper-case form."""
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    return {name.upper(): name for (name,) in rows}


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _columns(connection: sqlite3.Connection, table: str) -> list[tuple[str, bool]]:
    """Return ``(name, not_null)`` of each column of ``table``."""
    return [(row[1], bool(row[3])) for row in connection.execute(f"PRAGMA table_info({_quote(table)})")]


def _geometry_column(connection: sqlite3.Connection, table: str, tables: dict[str, str]) -> str | None:
    """Return the geometry column of a feature table, from ``gpkg_geometry_columns``, or ``geom``."""
    if "GPKG_GEOMETRY_COLUMNS" in tables:
        query = f"SELECT column_name FROM {_quote(tables['GPKG_GEOMETRY_COLUMNS'])} WHERE table_name = ?"
        row = connection.execute(query, (table,)).fetchone()
        if row is not None:
            return row[0]
    names = {name.lower(): name for name, _not_null in _columns(connection, table)}
    return names.get("geom")


# --- detection ------------------------------------------------------------------------------


def sniff(head: Head) -> bool:
    """Tell whether the file is a GeoPackage or an SQLite file with Network Survey tables."""
    if not head.data.startswith(SQLITE_MAGIC):
        return False
    try:
        with open_database(head.data, head.filename) as connection:
            tables = table_names(connection)
    except FormatError:
        return False
    return "GPKG_CONTENTS" in tables or any(name in tables for name in (*CELL_TABLES, *SKIPPED_TABLES))


# --- parsing --------------------------------------------------------------------------------


def parse(
    data: bytes, filename: str, *, timezone: str = "Europe/Paris", columns: dict | None = None
) -> ParseResult:
    """Parse every row of the cellular tables of a Network Survey GeoPackage.

    Raises
    ------
    FormatError
        When the database has no Network Survey cellular table (a Wi-Fi, Bluetooth or GNSS
        GeoPackage of the app, or another GeoPackage).
    """
    with open_database(data, filename) as connection:
        tables = table_names(connection)
        present = [name for name in CELL_TABLES if name in tables]
        if not present and not any(name in tables for name in SKIPPED_TABLES):
            raise _no_cell_tables(filename, tables)
        frames = [_read_cell_table(connection, tables, name) for name in present]
        skipped = {name: _row_count(connection, tables[name]) for name in SKIPPED_TABLES if name in tables}

    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"technology": []}, dtype=str)
    frame = frame.fillna("")
    lines = np.arange(1, len(frame) + 1)
    notes = _notes(present, [len(part) for part in frames], skipped)
    gps = coordinates(frame, "longitude", "latitude")
    return convert_records(NAME, sample_columns(frame), lines, timezone, notes=notes, gps=gps)


def _read_cell_table(connection: sqlite3.Connection, tables: dict[str, str], name: str) -> pd.DataFrame:
    """Read one cellular table as text columns named after the message fields."""
    table = tables[name]
    technology = CELL_TABLES[name]
    fields = COLUMN_FIELDS[technology]
    known_columns = [column for column, _not_null in _columns(connection, table) if normalize_name(column) in fields]
    geometry = _geometry_column(connection, table, tables)
    selected = [*known_columns, *([geometry] if geometry else [])]
    # rowid leads the list so that a table without any known column still gives its rows.
    select_list = ", ".join(["rowid", *(_quote(column) for column in selected)])
    query = f"SELECT {select_list} FROM {_quote(table)} ORDER BY rowid"
    raw = pd.DataFrame.from_records(connection.execute(query).fetchall(), columns=["rowid", *selected])

    frame = pd.DataFrame(index=raw.index)
    for column in known_columns:
        frame[fields[normalize_name(column)]] = _as_text(raw[column])
    if geometry:
        points = [read_point(value) for value in raw[geometry]]
        longitude = pd.Series([point[0] for point in points], index=raw.index, dtype=float)
        latitude = pd.Series([point[1] for point in points], index=raw.index, dtype=float)
        frame["longitude"] = _fill_position(longitude, frame.get("longitude"))
        frame["latitude"] = _fill_position(latitude, frame.get("latitude"))
    frame["technology"] = technology
    return frame


def _as_text(values: pd.Series) -> pd.Series:
    """Return SQLite values as text: NULL becomes empty, integers keep every digit."""
    return values.map(lambda value: "" if value is None else str(value)).astype(str)


def _fill_position(from_geometry: pd.Series, from_column: pd.Series | None) -> pd.Series:
    """Return the geometry's coordinate as text, or the column's where the geometry has none."""
    text = from_geometry.map(lambda value: "" if np.isnan(value) else repr(value)).astype(str)
    if from_column is None:
        return text
    return text.where(text != "", from_column)


def read_point(blob: object) -> tuple[float, float]:
    """Return ``(longitude, latitude)`` of a GeoPackage point geometry, NaN when absent.

    The blob is ``GP``, a version byte, a flags byte (bit 0: little-endian header, bits 1-3:
    envelope size, bit 4: empty geometry), the SRS id, the envelope, then a WKB point.
    """
    missing = (float("nan"), float("nan"))
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP":
        return missing
    flags = blob[3]
    envelope = _ENVELOPE_BYTES.get((flags >> 1) & 0x07)
    if envelope is None or flags & 0x10:
        return missing
    wkb = blob[8 + envelope :]
    if len(wkb) < 21:
        return missing
    order = "<" if wkb[0] == 1 else ">"
    (geometry_type,) = struct.unpack(order + "I", wkb[1:5])
    # A point is type 1; ISO WKB adds 1000, 2000 or 3000 for Z, M, ZM, and EWKB sets high bits.
    if (geometry_type & 0x0FFFFFFF) % 1000 != 1:
        return missing
    return struct.unpack(order + "dd", wkb[5:21])


def _row_count(connection: sqlite3.Connection, table: str) -> int:
    return int(connection.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0])


def _notes(tables: list[str], counts: list[int], skipped: dict[str, int]) -> list[str]:
    """Return the note on row numbering and the notes on the tables not read."""
    notes = []
    ranges, start = [], 1
    for table, count in zip(tables, counts):
        if count:
            ranges.append(f"{table} {start}–{start + count - 1}")
        start += count
    if ranges:
        notes.append(
            _("Row numbers count the rows of the tables in this order: {ranges}.").format(ranges=", ".join(ranges))
        )
    for table, count in skipped.items():
        if count:
            notes.append(
                ngettext(
                    "{count} row of {table} (CDMA) was not read: the sample table has no CDMA.",
                    "{count} rows of {table} (CDMA) were not read: the sample table has no CDMA.",
                    count,
                ).format(count=count, table=table)
            )
    return notes


def _no_cell_tables(filename: str, tables: dict[str, str]) -> FormatError:
    names = ", ".join(sorted(name for name in tables.values() if not name.lower().startswith(("gpkg_", "rtree_", "sqlite_"))))
    return FormatError(
        _("This GeoPackage has no Network Survey cellular table (found: {tables}).").format(tables=names or "-"),
        file=filename,
        fix=_("Upload the cellular GeoPackage of Network Survey, whose tables are LTE_MESSAGE, NR_MESSAGE, UMTS_MESSAGE and GSM_MESSAGE."),
    )


# --- privacy --------------------------------------------------------------------------------


def blank_identifiers(data: bytes) -> bytes:
    """Return the database with ``deviceSerialNumber``, ``MissionId`` and identifier columns blanked.

    Every table's private columns are set to NULL (to ``''`` where the column is NOT NULL) by
    SQL on an in-memory copy, which ``VACUUM`` then rewrites without the old values. A database
    without such a column is returned unchanged.
    """
    with open_database(data, "upload.gpkg") as connection:
        blanked = _blank_columns(connection)
        if not blanked:
            return data
        connection.commit()
        connection.execute("VACUUM")
        logger.info("blanked identifier columns of the kept GeoPackage copy: %s", ", ".join(blanked))
        return connection.serialize()


def _blank_columns(connection: sqlite3.Connection) -> list[str]:
    """Blank the private columns of every table in place; return ``table.column`` of each."""
    blanked = []
    for table in table_names(connection).values():
        for column, not_null in _columns(connection, table):
            if not is_private_key(column):
                continue
            value = "''" if not_null else "NULL"
            connection.execute(f"UPDATE {_quote(table)} SET {_quote(column)} = {value}")
            blanked.append(f"{table}.{column}")
    return blanked


FORMAT = LogFormat(NAME, "Network Survey GeoPackage", sniff, parse, blank_identifiers)
