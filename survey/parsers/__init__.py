"""Log parsers: every logger app's file read into the one sample table.

Public surface:

- :data:`FORMATS`, format name → :class:`LogFormat` (label, ``sniff``, ``parse``,
  ``blank_identifiers``);
- :func:`detect_format` finds the format from the content, never from the extension;
- :func:`parse` returns a :class:`ParseResult` (samples, rows read, row errors, notes, extra);
- :func:`blank_identifiers` returns the copy of a file that may be kept: IMEI, IMSI, phone
  numbers, IP addresses, SSIDs and BSSIDs blanked, line count unchanged;
- :func:`parse_archive` reads every log of a ZIP archive (or a gzip file) into a list of
  :class:`ArchiveMember`, each with its result or the error that kept it from being read.
  :func:`parse` itself reads a gzip file, or a ZIP archive that contains a single log;
- :func:`load_mapping` reads the TOML column mapping of ``generic_csv`` (``columns=``).

An SQLite file can only be ``networksurvey_gpkg`` (a GeoPackage). Text formats, in detection
order: ``gnettrack_txt``, ``native_csv``, ``native_json``, ``nemo_nmf``, ``gnettrack_kml``,
``termux_cellinfo``, ``networksurvey_csv``, ``networksurvey_json``, ``towercollector_csv``,
and ``generic_csv`` (never detected: it needs a mapping).
``ParseResult.extra`` may have ``gps`` (a DataFrame of ``lon``, ``lat`` aligned with the
samples), ``level`` (the native ``level`` column), ``client_ids`` (JSON batch, or Network
Survey messages that carry an ``id``) and ``member`` (the file's name inside an archive).
Companion files and cell lists (G-NetTrack ``_events``/``_datatest``/``_stats``, NetMonster
``.ntm``, OpenCelliD exports) are recognized and rejected with a FormatError stating that
they hold no measurements.
"""

from __future__ import annotations

from survey.errors import FormatError, InputError
from survey.i18n import _, gettext
from survey.parsers import (
    archives,
    generic,
    gnettrack,
    gnettrack_kml,
    native,
    nemo,
    networksurvey,
    networksurvey_gpkg,
    nonlogs,
    termux,
    towercollector,
)
from survey.parsers.archives import ArchiveMember
from survey.parsers.base import HEAD_BYTES, Head, LogFormat, ParseResult
from survey.parsers.common import blank_delimited_columns, decode_text, first_line
from survey.parsers.generic import load_mapping

__all__ = [
    "FORMATS",
    "ArchiveMember",
    "Head",
    "LogFormat",
    "ParseResult",
    "blank_identifiers",
    "detect_format",
    "load_mapping",
    "parse",
    "parse_archive",
]

# Detection tries the formats in this order; the first whose ``sniff`` accepts the file wins.
FORMATS: dict[str, LogFormat] = {
    log_format.name: log_format
    for log_format in (
        gnettrack.FORMAT,
        native.CSV_FORMAT,
        native.JSON_FORMAT,
        nemo.FORMAT,
        gnettrack_kml.FORMAT,
        termux.FORMAT,
        networksurvey.CSV_FORMAT,
        networksurvey.JSON_FORMAT,
        networksurvey_gpkg.FORMAT,
        towercollector.FORMAT,
        generic.FORMAT,
    )
}


def read_head(data: bytes, filename: str) -> Head:
    """Decode the beginning of a file for the ``sniff`` functions."""
    text = decode_text(data[:HEAD_BYTES]).text
    return Head(data=data, filename=filename, text=text, first_line=first_line(text))


def detect_format(data: bytes, filename: str) -> str:
    """Return the name of the format of ``data``, found from its content.

    Raises
    ------
    FormatError
        When the file is a known file without measurements (a G-NetTrack event log…), with a
        message saying what it is, or when no format recognizes it, with the first line seen
        and the formats read.
    """
    if archives.is_archive(data):
        return _single_log(data, filename).format
    head = read_head(data, filename)
    if not head.text.strip():
        raise FormatError(_("The file is empty."), file=filename)
    if data.startswith(networksurvey_gpkg.SQLITE_MAGIC):
        return _database_format(head)

    known = nonlogs.recognize(head)
    if known is not None:
        raise FormatError(
            _("This file is {description}; it holds no measurements.").format(description=known.description),
            file=filename,
            fix=known.fix,
        )
    for log_format in FORMATS.values():
        if log_format.sniff(head):
            return log_format.name
    raise FormatError(
        _("Unrecognized content; the first line is: {line}").format(line=first_line(head.text, 100)),
        file=filename,
        line=1,
        fix=_("Upload a log in one of the formats read: {formats}.").format(formats=format_labels()),
    )


def _database_format(head: Head) -> str:
    """Return the format of an SQLite file; the text checks do not apply to a binary file."""
    if networksurvey_gpkg.sniff(head):
        return networksurvey_gpkg.NAME
    raise FormatError(
        _("This SQLite database is not a GeoPackage log of Network Survey."),
        file=head.filename,
        fix=_("Upload a log in one of the formats read: {formats}.").format(formats=format_labels()),
    )


def format_labels() -> str:
    """Return the labels of the formats read, for messages, in the current language."""
    return ", ".join(gettext(log_format.label) for log_format in FORMATS.values())


def parse(
    data: bytes,
    filename: str,
    *,
    format: str = "auto",
    timezone: str = "Europe/Paris",
    columns: dict | None = None,
) -> ParseResult:
    """Parse one log file into the sample table.

    Parameters
    ----------
    data : bytes
        The file as uploaded.
    filename : str
        Name used in messages; the format is never taken from it.
    format : str
        A name of :data:`FORMATS`, or ``auto`` to detect it from the content.
    timezone : str
        IANA zone of times written without offset (G-NetTrack, Nemo, local CSV times).
    columns : dict, optional
        A column mapping (see :func:`load_mapping`); with ``format="auto"`` it selects
        ``generic_csv``.

    Raises
    ------
    FormatError
        Unknown format, a file whose structure cannot be read, or an archive that does not
        hold exactly one log.
    InputError
        Unknown format name or time zone.
    LimitError
        An archive that decompresses to more than ``archives.MAX_UNCOMPRESSED_BYTES``.
    """
    if archives.is_archive(data):
        return _single_log(data, filename, format=format, timezone=timezone, columns=columns)
    if format == "auto" and columns is not None:
        format = generic.NAME
    name = detect_format(data, filename) if format == "auto" else format
    return _format(name).parse(data, filename, timezone=timezone, columns=columns)


def parse_archive(
    data: bytes,
    filename: str,
    *,
    format: str = "auto",
    timezone: str = "Europe/Paris",
    columns: dict | None = None,
) -> list[ArchiveMember]:
    """Parse every file of a ZIP archive, or the file of a gzip file, with :func:`parse`.

    Members that are not logs (companion files, unknown formats) have ``error`` set instead of
    ``result``. Row numbers are lines of each member. A plain file gives one member.
    """
    if data.startswith(archives.GZIP_MAGIC):
        members = [(archives.inner_name(filename), archives.gunzip(data, filename))]
    elif data.startswith(archives.ZIP_MAGIC):
        members = archives.zip_members(data, filename)
        archives.reject_workbook(members, filename)
    else:
        members = [(filename, data)]

    results = []
    for name, content in members:
        try:
            result = parse(content, name, format=format, timezone=timezone, columns=columns)
        except FormatError as error:
            results.append(ArchiveMember(name, error=error))
        else:
            result.extra["member"] = name
            results.append(ArchiveMember(name, result=result))
    return results


def _single_log(data: bytes, filename: str, **options: object) -> ParseResult:
    """Return the one log of an archive; the other members' errors become notes."""
    members = parse_archive(data, filename, **options)
    logs = [member for member in members if member.result is not None]
    if not logs:
        reasons = "; ".join(f"{member.name}: {member.error.message}" for member in members[:5])
        raise FormatError(
            _("The archive contains no log that can be read ({reasons}).").format(reasons=reasons or "-"),
            file=filename,
            fix=_("Upload a log in one of the formats read: {formats}.").format(formats=format_labels()),
        )
    if len(logs) > 1:
        names = ", ".join(member.name for member in logs)
        raise FormatError(
            _("The archive holds {count} logs ({names}); one log per upload is read.").format(
                count=len(logs), names=names
            ),
            file=filename,
            fix=_("Upload the logs one by one, or as separate files."),
        )
    result = logs[0].result
    for member in members:
        if member.error is not None:
            note = _("{name} in the archive was not read: {reason}")
            result.notes.append(note.format(name=member.name, reason=member.error.message))
    return result


def blank_identifiers(data: bytes, format: str) -> bytes:
    """Return ``data`` with device and personal identifiers blanked, for the kept raw copy.

    IMEI, IMSI, MSISDN, IP addresses, SSIDs and BSSIDs lose their values; the structure and
    the line count are kept so that row numbers stay valid. In an archive, each member is
    blanked by its own format (``format`` applies to a gzip file's content).
    """
    if data.startswith(archives.GZIP_MAGIC):
        return archives.gzip_again(blank_identifiers(archives.gunzip(data, "upload.gz"), format))
    if data.startswith(archives.ZIP_MAGIC):
        members = archives.zip_members(data, "upload.zip")
        return archives.zip_again([(name, _blank_member(name, content)) for name, content in members])
    return _format(format).blank_identifiers(data)


def _blank_member(name: str, content: bytes) -> bytes:
    """Blank an archive member by its detected format, or by header name when it is no log."""
    try:
        return blank_identifiers(content, detect_format(content, name))
    except FormatError:
        return blank_delimited_columns(content)


def _format(name: str) -> LogFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise InputError(
            _("Unknown format: {name}.").format(name=name),
            fix=_("Use auto or one of: {names}.").format(names=", ".join(FORMATS)),
        ) from None
