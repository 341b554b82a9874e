"""Splitting of large line-based logs into chunks that are parsed one after the other.

A chunk is the file's header followed by a run of data lines, so each format's own parser
reads it unchanged; line numbers are shifted back to lines of the whole file. Memory then
stays bounded by the chunk size, whatever the size of the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from survey.errors import RowError
from survey.parsers.base import ParseResult

# Formats made of one header line followed by one record per line.
LINE_FORMATS = {"gnettrack_txt", "native_csv", "towercollector_csv", "networksurvey_csv", "generic_csv"}
# Files smaller than this are parsed whole, so that file-level notes are written once.
CHUNKED_ABOVE_BYTES = 48 * 1024 * 1024
CHUNK_LINES = 100_000


def split_lines(data: bytes, chunk_lines: int = CHUNK_LINES) -> Iterator[tuple[bytes, int]]:
    """Yield (header plus a run of lines, line offset) for each chunk of ``data``.

    The offset is what a line number inside the chunk must be shifted by to become a line
    number of ``data``: the chunk's first data line is line 2 of the chunk.
    """
    header_end = _header_end(data)
    header = data[:header_end]
    header_lines = header.count(b"\n")
    position, line = header_end, header_lines + 1
    while position < len(data):
        end = position
        for _ in range(chunk_lines):
            next_newline = data.find(b"\n", end)
            if next_newline < 0:
                end = len(data)
                break
            end = next_newline + 1
        yield header + data[position:end], line - header_lines - 1
        line += data.count(b"\n", position, end)
        position = end


def shift_lines(result: ParseResult, offset: int) -> ParseResult:
    """Return ``result`` with its row numbers and error lines moved by ``offset``."""
    if offset == 0:
        return result
    samples = result.samples.copy()
    samples["row_number"] = samples["row_number"] + offset
    errors = [RowError(None if error.line is None else error.line + offset, error.column, error.value, error.reason) for error in result.errors]
    return replace(result, samples=samples, errors=errors)


def _header_end(data: bytes) -> int:
    """Return the index just past the first non-blank line (the header)."""
    position = 0
    while position < len(data):
        newline = data.find(b"\n", position)
        end = len(data) if newline < 0 else newline + 1
        if data[position:end].strip(b"\xef\xbb\xbf \t\r\n"):
            return end
        position = end
    return len(data)
