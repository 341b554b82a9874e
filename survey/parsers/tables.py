"""Delimited text read into text columns, with the source line of every row.

Blank lines are skipped but counted, so row numbers are true source lines. The fields of each
line of an unquoted file are counted with numpy, then the pandas C parser reads the columns.
A file with quoted fields is split by the csv module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from survey.errors import FormatError
from survey.i18n import _
from survey.parsers.common import normalize_newlines, split_header


@dataclass
class Table:
    """A delimited text file read into text columns.

    Attributes
    ----------
    header : list of str
        Clean column names, in file order.
    frame : pandas.DataFrame
        One text column per header name (first occurrence of a repeated name), one row per
        data line whose field count matches the header.
    lines : numpy.ndarray
        1-based source line of each row of ``frame``.
    malformed : list of tuple
        ``(line, field_count)`` of the data lines whose field count does not match.
    """

    header: list[str]
    frame: pd.DataFrame
    lines: np.ndarray
    malformed: list[tuple[int, int]]

    @property
    def rows(self) -> int:
        return len(self.frame) + len(self.malformed)


def read_table(
    text: str,
    delimiter: str,
    filename: str,
    *,
    columns: Iterable[str] | None = None,
) -> Table:
    """Read a delimited text whose first non-blank line is the header into text columns.

    Blank lines are skipped but counted, so ``Table.lines`` are true source lines. A data line
    may carry one extra empty field (G-NetTrack ends every data row with a tab); any other
    field count makes the line malformed. ``columns`` limits reading to those header names.
    Quoted fields are read with the csv module, other files with the pandas C parser.

    Raises
    ------
    FormatError
        When the file has no header or when most data lines do not match it.
    """
    text = normalize_newlines(text)
    header_start, body_start, header_line = _locate_header(text)
    if header_start is None:
        raise FormatError(_("The file is empty."), file=filename)
    header = split_header(text[header_start:body_start].rstrip("\n"), delimiter)
    body = text[body_start:]
    if body and not body.endswith("\n"):
        body += "\n"

    if '"' in body:
        rows, counts = _split_quoted(body, delimiter)
        source: bytes | list[list[str]] = rows
    else:
        # One encoding serves both the field counts and the C parser.
        source = body.encode("utf-8")
        counts = _field_counts(source, delimiter)
    table = _table_from_rows(header, source, counts, delimiter, header_line, columns)
    _check_structure(table, filename, delimiter)
    return table


def _locate_header(text: str) -> tuple[int | None, int, int]:
    """Return the offsets of the first non-blank line and of the next line, and its 0-based index."""
    position = 0
    index = 0
    while position < len(text):
        end = text.find("\n", position)
        end = len(text) if end < 0 else end + 1
        if text[position:end].strip():
            return position, end, index
        position = end
        index += 1
    return None, len(text), index


def _field_counts(body: bytes, delimiter: str) -> np.ndarray:
    """Count the fields of each LF-terminated line with numpy; 0 for a blank line."""
    raw = np.frombuffer(body, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    starts = np.concatenate(([0], ends[:-1] + 1)) if len(ends) else ends
    separators = np.flatnonzero(raw == ord(delimiter))
    counts = np.searchsorted(separators, ends) - np.searchsorted(separators, starts) + 1
    counts[ends == starts] = 0
    return counts


def _split_quoted(body: str, delimiter: str) -> tuple[list[list[str]], np.ndarray]:
    """Split lines that may hold quoted fields with the csv module, one record per line."""
    lines = body.split("\n")[:-1]
    rows = [next(csv.reader([line], delimiter=delimiter), []) if line else [] for line in lines]
    counts = np.fromiter((len(row) for row in rows), dtype=np.int64, count=len(rows))
    return rows, counts


def _table_from_rows(
    header: list[str],
    source: bytes | list[list[str]],
    counts: np.ndarray,
    delimiter: str,
    header_line: int,
    columns: Iterable[str] | None,
) -> Table:
    width = len(header)
    line_numbers = np.arange(len(counts)) + header_line + 2
    blank = counts == 0
    fits = (counts == width) | (counts == width + 1)
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        if name and name not in positions and (columns is None or name in columns):
            positions[name] = index
    trailing = bool((counts == width + 1).any())
    wanted = sorted(set(positions.values()) | ({width} if trailing else set()))
    max_fields = int(counts.max()) if len(counts) else 0
    frame = _read_positions(source, delimiter, wanted, max_fields)

    # An extra field is allowed only when it is empty (a trailing delimiter).
    if trailing:
        fits &= frame[width].to_numpy(dtype=object) == ""
    keep = fits & ~blank
    frame = frame.loc[keep, [positions[name] for name in positions]]
    frame.columns = list(positions)
    malformed_mask = ~fits & ~blank
    malformed = list(zip(line_numbers[malformed_mask].tolist(), counts[malformed_mask].tolist()))
    return Table(header, frame.reset_index(drop=True), line_numbers[keep], malformed)


def _read_positions(
    source: bytes | list[list[str]], delimiter: str, positions: list[int], max_fields: int
) -> pd.DataFrame:
    """Return the fields at ``positions`` of every line as text, '' where a line is short.

    ``source`` is the UTF-8 body of an unquoted file, or the records of a quoted one.
    """
    if isinstance(source, list):
        data = {p: [row[p] if p < len(row) else "" for row in source] for p in positions}
        return pd.DataFrame(data, index=pd.RangeIndex(len(source)), dtype=str)
    present = [p for p in positions if p < max_fields]
    if present:
        # The C parser needs exactly as many names as the widest line has fields.
        frame = pd.read_csv(
            io.BytesIO(source),
            encoding="utf-8",
            sep=delimiter,
            header=None,
            names=list(range(max_fields)),
            usecols=present,
            dtype=str,
            na_filter=False,
            quoting=csv.QUOTE_NONE,
            skip_blank_lines=False,
            engine="c",
        )
    else:
        frame = pd.DataFrame(index=pd.RangeIndex(source.count(b"\n")))
    if len(frame) != source.count(b"\n"):
        # The C parser split lines differently from the newline count (a control character):
        # splitting in Python is slower but follows the lines exactly.
        lines = source.decode("utf-8").split("\n")[:-1]
        rows = [line.split(delimiter) if line else [] for line in lines]
        return _read_positions(rows, delimiter, positions, max_fields)
    for position in positions:
        if position not in frame.columns:
            frame[position] = ""
    return frame


def _check_structure(table: Table, filename: str, delimiter: str) -> None:
    """Raise FormatError when most data lines do not have the header's field count."""
    if not table.malformed or len(table.malformed) * 2 <= table.rows:
        return
    line, count = table.malformed[0]
    raise FormatError(
        _(
            "Most rows do not have the same number of fields as the header: the header has "
            "{expected} fields, line {line} has {count}."
        ).format(expected=len(table.header), line=line, count=count),
        file=filename,
        line=line,
        fix=_(
            "Check that the file was saved with one delimiter ({delimiter}) throughout and was not cut."
        ).format(delimiter=_delimiter_name(delimiter)),
    )


def _delimiter_name(delimiter: str) -> str:
    return {"\t": _("tab"), ";": _("semicolon"), ",": _("comma")}.get(delimiter, delimiter)
