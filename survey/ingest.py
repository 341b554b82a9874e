"""Ingest: store an upload, parse it, place its samples and store them, in one transaction.

The raw file is stored first (device identifiers blanked), so that it can be parsed again after
a parser fix (``reparse_upload``). The same file sent twice to a survey adds nothing (content
hash), and JSON batches are idempotent by each sample's client ``id``. Row errors are listed and
the good rows stored, unless ``strict`` is set; a structural error rejects the whole file.
Large line-based logs are parsed, placed and stored chunk by chunk, so memory stays bounded.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pandas as pd
import shapely
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey import parsers
from survey.errors import FormatError, InputError, LimitError, NotFoundError, RowError
from survey.i18n import _
from survey.models import Room, Sample, Survey, Upload
from survey.parsers import archives
from survey.parsers.chunks import CHUNKED_ABOVE_BYTES, LINE_FORMATS, shift_lines, split_lines
from survey.placement import Track, assign_rooms, place_by_gps, place_by_visits, place_on_track, read_track, read_visits
from survey.sampledb import existing_client_ids, insert_samples
from survey.store import find_level, site_levels

logger = logging.getLogger(__name__)


@dataclass
class Attachment:
    """A companion file of an upload: a waypoint track or room visits."""

    data: bytes
    filename: str


@dataclass
class IngestOptions:
    format: str = "auto"
    level: str | None = None
    building: str | None = None
    timezone: str | None = None
    track: Attachment | None = None
    visits: Attachment | None = None
    dry_run: bool = False
    strict: bool = False
    max_bytes: int | None = None


def ingest_upload(session: Session, survey: Survey, data: bytes, filename: str, options: IngestOptions) -> list[dict]:
    """Ingest a file that may be an archive; returns one report per log it contains.

    A gzip file contains one log; a zip archive may contain several, each stored as its own upload.
    A member that is not a log gets a report with its ``error`` and does not stop the others.
    """
    _check_size(data, filename, options.max_bytes)
    if data.startswith(archives.GZIP_MAGIC):
        return [ingest_file(session, survey, archives.gunzip(data, filename), archives.inner_name(filename), options)]
    if not data.startswith(archives.ZIP_MAGIC):
        return [ingest_file(session, survey, data, filename, options)]

    reports = []
    for name, content in archives.zip_members(data, filename):
        member = f"{filename}/{name}"
        try:
            with session.begin_nested():
                reports.append(ingest_file(session, survey, content, member, options))
        except FormatError as error:
            reports.append({**empty_report(member), "error": error.as_dict()})
    return reports


def ingest_file(session: Session, survey: Survey, data: bytes, filename: str, options: IngestOptions) -> dict:
    """Ingest one log into ``survey``; return the upload report (see ``empty_report``)."""
    _check_size(data, filename, options.max_bytes)
    report = empty_report(filename)
    digest = hashlib.sha256(data).hexdigest()
    previous = session.scalar(select(Upload).where(Upload.survey_id == survey.id, Upload.sha256 == digest))
    format_name = parsers.detect_format(data, filename) if options.format == "auto" else options.format
    report["format"] = format_name
    if previous is not None:
        report.update(rows=previous.report.get("rows", 0), duplicates=previous.report.get("accepted", 0), duplicate_of=previous.id)
        report["notes"].append(_("this file was already uploaded to the survey (upload {id}); nothing was added").format(id=previous.id))
        return report

    context = _PlacementContext.build(session, survey, options, filename)
    upload = None if options.dry_run else _store_upload(session, survey, data, filename, format_name, digest, options, context)
    report["notes"].extend(context.time_notes())
    for result in _parse_chunks(data, filename, format_name, context.timezone):
        _ingest_chunk(session, survey, upload, result, context, report)

    report["errors"].sort(key=lambda error: (error["line"] is None, error["line"] or 0))
    _note_unplaced(report, context, upload.id if upload is not None else None)
    if options.strict and report["errors"]:
        raise InputError(
            _("{count} rows are invalid and --strict is set; nothing was stored").format(count=report["rejected"]),
            file=filename,
            errors=[RowError(**error) for error in report["errors"]],
            fix=_("correct the rows listed, or ingest without --strict to store the valid rows"),
        )
    if upload is None:
        report["dry_run"] = True
        return report
    report["upload_id"] = upload.id
    upload.report = report
    session.flush()
    logger.info("stored upload %s of survey %s: %s accepted, %s rejected", upload.id, survey.id, report["accepted"], report["rejected"])
    return report


def reparse_upload(session: Session, upload_id: int, placement: IngestOptions | None = None) -> dict:
    """Rebuild an upload's samples from its stored raw copy.

    The upload is placed as it was sent, unless ``placement`` gives a new level, track or room
    visits: that is how samples stored unplaced get their positions once the technician's track
    is found, since sending the same log again adds nothing.
    """
    upload = session.get(Upload, upload_id)
    if upload is None or upload.kind != "log":
        raise NotFoundError(_("upload {id} not found").format(id=upload_id))
    stored = dict(upload.options or {})
    options = IngestOptions(
        format=upload.format,
        level=stored.get("level"),
        building=stored.get("building"),
        timezone=stored.get("timezone"),
        track=_stored_attachment(session, stored.get("track_upload_id")),
        visits=_stored_attachment(session, stored.get("visits_upload_id")),
    )
    if placement is not None:
        options, stored = _new_placement(session, upload.survey, options, stored, placement)
        upload.options = stored

    session.execute(delete(Sample).where(Sample.upload_id == upload.id))
    context = _PlacementContext.build(session, upload.survey, options, upload.filename)
    report = empty_report(upload.filename)
    report["format"] = upload.format
    report["notes"].extend(context.time_notes())
    for result in _parse_chunks(upload.raw, upload.filename, upload.format, context.timezone):
        _ingest_chunk(session, upload.survey, upload, result, context, report)
    _note_unplaced(report, context, upload.id)
    report["upload_id"] = upload.id
    report["reparsed"] = True
    upload.report = report
    session.flush()
    return report


def _new_placement(session, survey, options: IngestOptions, stored: dict, placement: IngestOptions) -> tuple[IngestOptions, dict]:
    """Return the options and stored options of an upload with the placement given on reparse."""
    for name in ("level", "building", "timezone"):
        if getattr(placement, name) is not None:
            setattr(options, name, getattr(placement, name))
            stored[name] = getattr(placement, name)
    for kind in ("track", "visits"):
        attachment = getattr(placement, kind)
        if attachment is not None:
            setattr(options, kind, attachment)
            stored[f"{kind}_upload_id"] = _store_attachment(session, survey, attachment, kind).id
    return options, stored


def _note_unplaced(report: dict, context: _PlacementContext, upload_id: int | None) -> None:
    """Add a note saying why samples stayed unplaced and how to place them."""
    if not report["unplaced"]:
        return
    if context.track is not None and context.sample_span is not None:
        waypoints = context.track.waypoints["time"]
        report["notes"].append(
            _("{count} samples fall outside the track's time span: the track runs from {track_start} to {track_end}, the log from {log_start} to {log_end} (UTC)").format(
                count=report["unplaced"],
                track_start=_minute(waypoints.iloc[0]),
                track_end=_minute(waypoints.iloc[-1]),
                log_start=_minute(context.sample_span[0]),
                log_end=_minute(context.sample_span[1]),
            )
        )
    elif context.visits is not None:
        report["notes"].append(
            _("{count} samples were taken outside every room visit (walking between rooms, for instance); they are kept unplaced").format(count=report["unplaced"])
        )
    elif report["unplaced"] == report["accepted"]:
        fix = _("zoneblanche reparse {id} --level LEVEL --track TRACK.csv").format(id=upload_id) if upload_id is not None else "--track"
        report["notes"].append(
            _("no sample could be placed: the upload has no track, room visits, x_m and y_m columns, or GPS fixes on a georeferenced level; the samples are kept, and `{fix}` places them later").format(fix=fix)
        )


def _minute(time: pd.Timestamp) -> str:
    return pd.Timestamp(time).strftime("%Y-%m-%d %H:%M")


def empty_report(filename: str) -> dict:
    return {
        "path": filename,
        "format": None,
        "rows": 0,
        "accepted": 0,
        "rejected": 0,
        "no_service": 0,
        "duplicates": 0,
        "unplaced": 0,
        "errors": [],
        "notes": [],
    }


def _check_size(data: bytes, filename: str, max_bytes: int | None) -> None:
    if max_bytes is not None and len(data) > max_bytes:
        raise LimitError(
            _("{file}: the file is {size:.1f} MB, over the {limit:.0f} MB upload limit").format(
                file=filename, size=len(data) / 1e6, limit=max_bytes / 1e6
            ),
            detail={"file": filename, "size_bytes": len(data), "max_bytes": max_bytes},
        )


def _parse_chunks(data: bytes, filename: str, format_name: str, timezone: str) -> Iterator[parsers.ParseResult]:
    """Yield the parse results of a log, chunk by chunk for large line-based logs."""
    if format_name not in LINE_FORMATS or len(data) <= CHUNKED_ABOVE_BYTES:
        yield parsers.parse(data, filename, format=format_name, timezone=timezone)
        return
    for chunk, offset in split_lines(data):
        yield shift_lines(parsers.parse(chunk, filename, format=format_name, timezone=timezone), offset)


def _ingest_chunk(session, survey, upload, result, context, report) -> None:
    """Place and store the samples of one parse result, and add its counts to ``report``."""
    samples = context.place(result.samples, result.extra.get("gps"))
    client_ids = result.extra.get("client_ids")
    if client_ids is not None:
        samples, client_ids, duplicates = _without_known_ids(session, survey, samples, client_ids)
        report["duplicates"] += duplicates
    if upload is not None:
        insert_samples(session, samples, survey_id=survey.id, upload_id=upload.id, client_ids=client_ids)

    context.widen_span(result.samples["time"])
    report["rows"] += result.rows
    report["rejected"] += result.rejected
    report["errors"].extend(error.as_dict() for error in result.errors)
    report["notes"].extend(note for note in result.notes if note not in report["notes"])
    report["accepted"] += int(len(samples))
    report["no_service"] += int((samples["service"] == "no_service").sum())
    report["unplaced"] += int((samples["position_source"] == "none").sum())


@dataclass
class _PlacementContext:
    """The level, track, visits and rooms that place the samples of one upload, read once."""

    site_id: int
    timezone: str
    level_id: int | None
    georeference: dict | None
    filename: str
    track: Track | None
    track_levels: dict
    visits: pd.DataFrame | None
    room_refs: dict[str, tuple[int, int]]
    rooms_by_level: dict[int, list[tuple[int, object]]]
    sample_span: tuple[pd.Timestamp, pd.Timestamp] | None = None

    def time_notes(self) -> list[str]:
        """Return the notes on local times of the track or visits that fell in a DST fold or gap."""
        notes = list(self.track.notes) if self.track is not None else []
        if self.visits is not None:
            notes.extend(self.visits.attrs.get("notes", []))
        return notes

    def widen_span(self, times: pd.Series) -> None:
        """Extend the time span of the samples read so far, for the notes on unplaced samples."""
        times = times.dropna()
        if times.empty:
            return
        first, last = times.min(), times.max()
        if self.sample_span is not None:
            first, last = min(first, self.sample_span[0]), max(last, self.sample_span[1])
        self.sample_span = (first, last)

    @classmethod
    def build(cls, session: Session, survey: Survey, options: IngestOptions, filename: str) -> _PlacementContext:
        site = survey.site
        timezone = options.timezone or site.timezone
        level = find_level(session, site, options.level, options.building) if options.level else None
        track = read_track(options.track.data, options.track.filename, timezone) if options.track else None
        visits = read_visits(options.visits.data, options.visits.filename, timezone) if options.visits else None
        rooms_by_level = {
            record.id: [(room.id, shapely.from_wkb(room.geometry)) for room in record.rooms] for record in site_levels(session, site)
        }
        room_refs = {room.ref: (room.id, room.level_id) for room in session.scalars(select(Room).where(Room.site_id == site.id))}
        track_levels = _track_levels(session, survey, track, level, options) if track is not None else {}
        georeference = level.georeference if level is not None else None
        return cls(site.id, timezone, level.id if level else None, georeference, filename, track, track_levels, visits, room_refs, rooms_by_level)

    def place(self, samples: pd.DataFrame, gps: pd.DataFrame | None = None) -> pd.DataFrame:
        """Return the samples with level, position and room set where the upload allows.

        The sources, by precedence: x_m and y_m columns, the track, the room visits, and last
        the phone's GPS fixes on a georeferenced level (indoors they are rough, but better
        than none when the technician marked nothing).
        """
        samples = samples.copy()
        if samples["x_m"].notna().any():
            if self.level_id is None:
                raise InputError(
                    _("the file has x_m and y_m columns but no level was given"),
                    file=self.filename,
                    fix=_("name the level of these positions with --level"),
                )
            positioned = samples["x_m"].notna() & samples["y_m"].notna()
            samples.loc[positioned, "level_id"] = self.level_id
            samples.loc[positioned, "position_source"] = "xy"
        elif self.track is not None:
            samples = place_on_track(samples, self.track, self.track_levels)
        elif self.visits is not None:
            samples = place_by_visits(samples, self.visits, self.room_refs)
        elif gps is not None and self.georeference is not None:
            samples = place_by_gps(samples, gps, self.level_id, self.georeference)
        for level_id, rooms in self.rooms_by_level.items():
            samples = assign_rooms(samples, level_id, rooms)
        return samples


def _track_levels(session: Session, survey: Survey, track: Track, level, options: IngestOptions) -> dict:
    names = set(track.waypoints["level"].dropna().astype(str))
    level_ids = {name: find_level(session, survey.site, name, options.building).id for name in names}
    if level is not None:
        level_ids[None] = level.id
    elif track.waypoints["level"].isna().any():
        raise InputError(
            _("the track has waypoints without a level and no level was given"),
            file=track.filename,
            fix=_("name the level with --level, or add a level column to the track"),
        )
    return level_ids


def _without_known_ids(session: Session, survey: Survey, samples: pd.DataFrame, client_ids: list) -> tuple[pd.DataFrame, list, int]:
    """Drop the samples whose client id the survey already holds, or that repeat one in the batch."""
    known = existing_client_ids(session, survey.id, [str(value) for value in client_ids])
    seen: set[str] = set()
    keep = []
    for value in client_ids:
        text = str(value)
        keep.append(text not in known and text not in seen)
        seen.add(text)
    mask = pd.Series(keep, index=samples.index)
    kept_ids = [str(value) for value, flag in zip(client_ids, keep) if flag]
    return samples[mask].reset_index(drop=True), kept_ids, int((~mask).sum())


def _store_upload(session, survey, data, filename, format_name, digest, options, context) -> Upload:
    """Store the raw upload (identifiers blanked) and its attachments, before parsing."""
    stored_options = {"level": options.level, "building": options.building, "timezone": options.timezone}
    for attachment, kind in ((options.track, "track"), (options.visits, "visits")):
        if attachment is not None:
            stored_options[f"{kind}_upload_id"] = _store_attachment(session, survey, attachment, kind).id
    upload = Upload(
        survey=survey,
        filename=filename,
        kind="log",
        format=format_name,
        sha256=digest,
        size_bytes=len(data),
        raw=parsers.blank_identifiers(data, format_name),
        options=stored_options,
    )
    session.add(upload)
    session.flush()
    return upload


def _store_attachment(session: Session, survey: Survey, attachment: Attachment, kind: str) -> Upload:
    digest = hashlib.sha256(attachment.data).hexdigest()
    existing = session.scalar(select(Upload).where(Upload.survey_id == survey.id, Upload.sha256 == digest))
    if existing is not None:
        return existing
    upload = Upload(survey=survey, filename=attachment.filename, kind=kind, format=kind, sha256=digest, size_bytes=len(attachment.data), raw=attachment.data)
    session.add(upload)
    session.flush()
    return upload


def _stored_attachment(session: Session, upload_id: int | None) -> Attachment | None:
    if upload_id is None:
        return None
    upload = session.get(Upload, upload_id)
    return Attachment(upload.raw, upload.filename) if upload is not None else None
