"""Compressed uploads: a gzip file holding one log, or a ZIP archive holding several.

:func:`survey.parsers.parse` reads a gzip file, and a ZIP archive holding exactly one
measurement log, transparently. :func:`survey.parsers.parse_archive` reads every member of a
ZIP archive and returns one :class:`ArchiveMember` per file: its parse result, or the
FormatError that explains why it was not read (a companion file, an unknown format).
"""

from __future__ import annotations

import gzip
import io
import zipfile
import zlib
from dataclasses import dataclass

from survey.errors import FormatError, LimitError
from survey.i18n import _
from survey.parsers.base import ParseResult

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
# Largest total size of the decompressed files of one upload: about ten million G-NetTrack
# rows; larger archives are refused rather than decompressed into memory.
MAX_UNCOMPRESSED_BYTES = 1 << 30


@dataclass
class ArchiveMember:
    """One file of an archive: its result, or the error that kept it from being read."""

    name: str
    result: ParseResult | None = None
    error: FormatError | None = None


def is_archive(data: bytes) -> bool:
    return data.startswith((GZIP_MAGIC, ZIP_MAGIC))


def gunzip(data: bytes, filename: str) -> bytes:
    """Decompress gzip data, refusing more than :data:`MAX_UNCOMPRESSED_BYTES`."""
    decompressor = zlib.decompressobj(wbits=31)
    try:
        output = decompressor.decompress(data, MAX_UNCOMPRESSED_BYTES + 1)
    except zlib.error as error:
        raise FormatError(
            _("The gzip file is damaged: {error}.").format(error=error), file=filename
        ) from None
    if len(output) > MAX_UNCOMPRESSED_BYTES:
        raise _too_large(filename)
    return output


def inner_name(filename: str) -> str:
    """Return the name of the file inside ``name.gz``."""
    return filename[:-3] if filename.lower().endswith(".gz") else filename


def zip_members(data: bytes, filename: str) -> list[tuple[str, bytes]]:
    """Return ``(name, content)`` of each file of a ZIP archive, system files left out.

    Raises
    ------
    FormatError
        A damaged archive.
    LimitError
        Files that would decompress to more than :data:`MAX_UNCOMPRESSED_BYTES`.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        message = _("The ZIP archive is damaged: {error}.").format(error=error)
        raise FormatError(message, file=filename) from None
    infos = [info for info in archive.infolist() if not info.is_dir() and not _is_system_file(info.filename)]
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        raise _too_large(filename)
    members = []
    for info in infos:
        with archive.open(info) as member:
            content = member.read(MAX_UNCOMPRESSED_BYTES + 1)
        if len(content) > MAX_UNCOMPRESSED_BYTES:
            raise _too_large(filename)
        members.append((info.filename, content))
    return members


def reject_workbook(members: list[tuple[str, bytes]], filename: str) -> None:
    """Raise FormatError for an Excel workbook, which is a ZIP archive of XML parts."""
    names = {name for name, _content in members}
    if "[Content_Types].xml" in names and any(name.startswith("xl/") for name in names):
        raise FormatError(
            _("This file is an Excel workbook, not a log."),
            file=filename,
            fix=_("Save the sheet as CSV (UTF-8, comma or semicolon separated) and upload the CSV file."),
        )


def _is_system_file(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return name.startswith("__MACOSX/") or base.startswith(".") or base in ("Thumbs.db", "desktop.ini")


def _too_large(filename: str) -> LimitError:
    return LimitError(
        _("{file}: the archive decompresses to more than {limit} MB.").format(
            file=filename, limit=MAX_UNCOMPRESSED_BYTES // 1_000_000
        ),
        detail={"file": filename, "max_bytes": MAX_UNCOMPRESSED_BYTES},
    )


def gzip_again(data: bytes) -> bytes:
    """Compress ``data`` with gzip, with a fixed time stamp so the output is reproducible."""
    return gzip.compress(data, mtime=0)


def zip_again(members: list[tuple[str, bytes]]) -> bytes:
    """Build a ZIP archive of ``(name, content)`` members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()
