"""Surveys and their uploads: log files with optional track and room visits, and JSON batches."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, UploadFile
from sqlalchemy import select

from api.deps import SessionDep, SettingsDep, blank_to_none, read_upload
from api.schemas import SampleBatch, SurveyCreate
from survey.errors import ConflictError
from survey.i18n import _
from survey.ingest import Attachment, IngestOptions, ingest_file, ingest_upload
from survey.models import Survey
from survey.store import find_site, find_survey, get_survey

router = APIRouter(tags=["surveys"])

# Name under which a JSON batch is recorded as an upload.
BATCH_FILENAME = "samples.json"

LevelForm = Annotated[str | None, Form(description="Level of the x, y positions or of the track.")]
BuildingForm = Annotated[str | None, Form(description="Building of the level, when its name is not unique.")]
LogFormatForm = Annotated[str, Form(alias="format", description="Log format, or auto to detect it.")]
TimezoneForm = Annotated[
    str | None, Form(description="Time zone of times written without an offset; default: the site's.")
]
DryRunForm = Annotated[bool, Form(description="Parse and report without storing anything.")]
StrictForm = Annotated[bool, Form(description="Store nothing when any row is invalid.")]


@router.post("/sites/{site}/surveys", status_code=201)
def post_survey(site: str, body: SurveyCreate, session: SessionDep) -> dict:
    """Create a survey (measurement campaign) in a site; 409 when the name is taken."""
    record = find_site(session, site)
    name = body.name.strip()
    exists = session.scalar(select(Survey.id).where(Survey.site_id == record.id, Survey.name == name))
    if exists is not None:
        raise ConflictError(
            _("a survey named {name!r} already exists in site {site!r}").format(name=name, site=record.name),
            detail={"survey_id": exists},
        )

    created = find_survey(session, record, name, create=True)
    created.technician = body.technician.strip()
    session.flush()

    return survey_summary(created)


@router.get("/surveys/{survey_id}")
def get_survey_summary(survey_id: int, session: SessionDep) -> dict:
    """Summarize a survey with the report of each of its uploads."""
    record = get_survey(session, survey_id)

    summary = survey_summary(record)
    summary["uploads"] = [
        {
            "id": upload.id,
            "filename": upload.filename,
            "kind": upload.kind,
            "format": upload.format,
            "size_bytes": upload.size_bytes,
            "received_at": upload.received_at.isoformat() if upload.received_at else None,
            "report": upload.report,
        }
        for upload in sorted(record.uploads, key=lambda upload: upload.id)
    ]
    return summary


@router.post("/surveys/{survey_id}/uploads")
def post_upload(
    survey_id: int,
    file: UploadFile,
    session: SessionDep,
    settings: SettingsDep,
    track: UploadFile | None = None,
    visits: UploadFile | None = None,
    level: LevelForm = None,
    building: BuildingForm = None,
    log_format: LogFormatForm = "auto",
    timezone: TimezoneForm = None,
    dry_run: DryRunForm = False,
    strict: StrictForm = False,
) -> dict:
    """Ingest one logger file, placed by x, y, a track or room visits; return the ingest report."""
    record = get_survey(session, survey_id)
    limit = settings.max_upload_bytes
    data = read_upload(file, limit)
    options = IngestOptions(
        format=log_format or "auto",
        level=blank_to_none(level),
        building=blank_to_none(building),
        timezone=blank_to_none(timezone),
        track=_attachment(track, limit),
        visits=_attachment(visits, limit),
        dry_run=dry_run,
        strict=strict,
        max_bytes=limit,
    )

    reports = ingest_upload(session, record, data, file.filename or "upload", options)
    return {"files": reports}


@router.post("/surveys/{survey_id}/samples")
def post_samples(survey_id: int, batch: SampleBatch, session: SessionDep, settings: SettingsDep) -> dict:
    """Ingest a JSON batch of samples; a sample whose id the survey already has counts as a duplicate."""
    record = get_survey(session, survey_id)
    data = json.dumps({"samples": batch.samples}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    options = IngestOptions(
        format="native_json",
        level=blank_to_none(batch.level),
        building=blank_to_none(batch.building),
        timezone=blank_to_none(batch.timezone),
        dry_run=batch.dry_run,
        max_bytes=settings.max_upload_bytes,
    )

    report = ingest_file(session, record, data, BATCH_FILENAME, options)
    return {"files": [report]}


def survey_summary(record: Survey) -> dict:
    """Return the identity of a survey and of its site."""
    return {
        "id": record.id,
        "name": record.name,
        "technician": record.technician,
        "site": {"id": record.site.id, "name": record.site.name},
    }


def _attachment(upload: UploadFile | None, max_bytes: int) -> Attachment | None:
    """Read an optional companion file; a file field left empty in an HTML form counts as absent."""
    if upload is None or not upload.filename:
        return None
    return Attachment(read_upload(upload, max_bytes), upload.filename)
