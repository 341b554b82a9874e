"""Ingest: store an upload, parse it, place its samples and store them, in one transaction.

The raw file is kept (device identifiers blanked) so that it can be parsed again after a parser
fix. The same file sent twice to a survey adds nothing (content hash), and JSON batches are
idempotent by each sample's client ``id``. Row errors are listed and the good rows stored,
unless ``strict`` is set; a structural error rejects the whole file.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey import parsers
from survey.errors import InputError, LimitError
from survey.i18n import _
from survey.models import Room, Survey, Upload
from survey.placement import assign_rooms, place_by_visits, place_on_track, read_track, read_visits
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


def ingest_file(session: Session, survey: Survey, data: bytes, filename: str, options: IngestOptions) -> dict:
    """Ingest one file into ``survey``; return the upload report (see ``empty_report``)."""
    report = empty_report(filename)
    if options.max_bytes is not None and len(data) > options.max_bytes:
        raise LimitError(
            _("{file}: the file is {size:.1f} MB, over the {limit:.0f} MB upload limit").format(
                file=filename, size=len(data) / 1e6, limit=options.max_bytes / 1e6
            ),
            detail={"file": filename, "size_bytes": len(data), "max_bytes": options.max_bytes},
        )

    digest = hashlib.sha256(data).hexdigest()
    previous = session.scalar(select(Upload).where(Upload.survey_id == survey.id, Upload.sha256 == digest))
    timezone = options.timezone or survey.site.timezone
    result = parsers.parse(data, filename, format=options.format, timezone=timezone)
    report.update(format=result.format, rows=result.rows, notes=list(result.notes))
    report["errors"] = [error.as_dict() for error in result.errors]
    report["rejected"] = len({error.line for error in result.errors})
    if previous is not None:
        report.update(duplicates=len(result.samples), duplicate_of=previous.id)
        report["notes"].append(_("this file was already uploaded to the survey (upload {id}); nothing was added").format(id=previous.id))
        return report
    if options.strict and result.errors:
        raise InputError(
            _("{count} rows are invalid and --strict is set; nothing was stored").format(count=report["rejected"]),
            file=filename,
            errors=result.errors,
            fix=_("correct the rows listed, or ingest without --strict to store the valid rows"),
        )

    samples = _placed(session, survey, result, options, filename)
    client_ids = result.extra.get("client_ids")
    if client_ids is not None:
        samples, client_ids, duplicates = _without_known_ids(session, survey, samples, client_ids)
        report["duplicates"] = duplicates

    report.update(_counts(samples))
    if options.dry_run:
        report["dry_run"] = True
        return report

    upload = _store_upload(session, survey, data, filename, result.format, digest, options)
    samples["upload_id"] = upload.id
    insert_samples(session, samples, survey_id=survey.id, upload_id=upload.id, client_ids=client_ids)
    for attachment, kind in ((options.track, "track"), (options.visits, "visits")):
        if attachment is not None:
            _store_attachment(session, survey, attachment, kind)
    report["upload_id"] = upload.id
    upload.report = report
    session.flush()
    logger.info("stored upload %s of survey %s: %s accepted, %s rejected", upload.id, survey.id, report["accepted"], report["rejected"])
    return report


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


def _placed(session: Session, survey: Survey, result: parsers.ParseResult, options: IngestOptions, filename: str) -> pd.DataFrame:
    """Return the samples with level, position and room set where the upload allows."""
    site = survey.site
    samples = result.samples.copy()
    timezone = options.timezone or site.timezone
    has_xy = samples["x_m"].notna().any()
    level = find_level(session, site, options.level, options.building) if options.level else None

    if has_xy:
        if level is None:
            raise InputError(
                _("the file has x_m and y_m columns but no level was given"),
                file=filename,
                fix=_("name the level of these positions with --level"),
            )
        positioned = samples["x_m"].notna() & samples["y_m"].notna()
        samples.loc[positioned, "level_id"] = level.id
        samples.loc[positioned, "position_source"] = "xy"
    elif options.track is not None:
        track = read_track(options.track.data, options.track.filename, timezone)
        samples = place_on_track(samples, track, _track_levels(session, survey, track, level, options))
    elif options.visits is not None:
        visits = read_visits(options.visits.data, options.visits.filename, timezone)
        rooms = {room.ref: (room.id, room.level_id) for room in session.scalars(select(Room).where(Room.site_id == site.id))}
        samples = place_by_visits(samples, visits, rooms)

    for level_record in site_levels(session, site):
        rooms = [(room.id, _geometry(room)) for room in level_record.rooms]
        samples = assign_rooms(samples, level_record.id, rooms)
    return samples


def _track_levels(session: Session, survey: Survey, track, level, options: IngestOptions) -> dict:
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


def _counts(samples: pd.DataFrame) -> dict:
    return {
        "accepted": int(len(samples)),
        "no_service": int((samples["service"] == "no_service").sum()),
        "unplaced": int((samples["position_source"] == "none").sum()),
    }


def _store_upload(session, survey, data, filename, format, digest, options) -> Upload:
    upload = Upload(
        survey=survey,
        filename=filename,
        kind="log",
        format=format,
        sha256=digest,
        size_bytes=len(data),
        raw=parsers.blank_identifiers(data, format),
        options={"level": options.level, "building": options.building, "timezone": options.timezone},
    )
    session.add(upload)
    session.flush()
    return upload


def _store_attachment(session: Session, survey: Survey, attachment: Attachment, kind: str) -> None:
    digest = hashlib.sha256(attachment.data).hexdigest()
    exists = session.scalar(select(Upload.id).where(Upload.survey_id == survey.id, Upload.sha256 == digest))
    if exists is None:
        session.add(Upload(survey=survey, filename=attachment.filename, kind=kind, format=kind, sha256=digest, size_bytes=len(attachment.data), raw=attachment.data))


def _geometry(room: Room):
    import shapely

    return shapely.from_wkb(room.geometry)
