"""Sites and what belongs to them: plans, the room registry and levels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from api.deps import SessionDep, SettingsDep, blank_to_none, read_upload
from api.downloads import attachment_headers
from api.schemas import SiteCreate
from survey.models import Site
from survey.plans import import_plan
from survey.registry import export_registry, import_registry
from survey.sites import create_site, site_summary
from survey.store import find_site, site_levels

router = APIRouter(tags=["sites"])

BuildingForm = Annotated[str | None, Form(description="Building name; default: the plan's or the only one.")]
LevelForm = Annotated[str | None, Form(description="Level name; default: the plan's.")]
OrdinalForm = Annotated[int | None, Form(description="Level ordinal: 0 ground floor, negative below.")]
PlanFormatForm = Annotated[str, Form(alias="format", description="auto, geojson, imdf, osm, dxf or ifc.")]
DryRunForm = Annotated[bool, Form(description="List the changes without applying them.")]
CSV_CONTENT = {200: {"content": {"text/csv": {}}}}


@router.get("/sites")
def list_sites(session: SessionDep) -> dict:
    """List the sites with their buildings, levels and surveys."""
    sites = session.scalars(select(Site).order_by(Site.name)).all()

    return {"sites": [site_summary(site) for site in sites]}


@router.post("/sites", status_code=201)
def post_site(body: SiteCreate, session: SessionDep) -> dict:
    """Create a site; 409 when the name is taken."""
    site = create_site(session, body.name, body.timezone)

    return site_summary(site)


@router.get("/sites/{site}")
def get_site(site: str, session: SessionDep) -> dict:
    """Summarize a site, named by its name or id."""
    return site_summary(find_site(session, site))


@router.get("/sites/{site}/levels")
def list_levels(site: str, session: SessionDep) -> dict:
    """List the site's levels by building and ordinal, with their number of rooms."""
    record = find_site(session, site)
    levels = site_levels(session, record)

    return {
        "site": record.name,
        "levels": [
            {
                "id": level.id,
                "building": level.building.name,
                "name": level.name,
                "ordinal": level.ordinal,
                "rooms": len(level.rooms),
            }
            for level in levels
        ],
    }


@router.post("/sites/{site}/plans")
def post_plan(
    site: str,
    file: UploadFile,
    session: SessionDep,
    settings: SettingsDep,
    building: BuildingForm = None,
    level: LevelForm = None,
    ordinal: OrdinalForm = None,
    plan_format: PlanFormatForm = "auto",
) -> dict:
    """Import a floor plan file into levels and rooms; return what was created and updated."""
    record = find_site(session, site)
    data = read_upload(file, settings.max_upload_bytes)

    return import_plan(
        session,
        record,
        data,
        file.filename or "plan",
        building=blank_to_none(building),
        level=blank_to_none(level),
        ordinal=ordinal,
        format=plan_format or "auto",
    )


@router.post("/sites/{site}/rooms")
def post_registry(
    site: str,
    file: UploadFile,
    session: SessionDep,
    settings: SettingsDep,
    dry_run: DryRunForm = False,
) -> dict:
    """Update rooms from a room registry CSV (criticality, analog lines); all rows or none."""
    record = find_site(session, site)
    data = read_upload(file, settings.max_upload_bytes)

    return import_registry(session, record, data, file.filename or "rooms.csv", dry_run=dry_run)


@router.get("/sites/{site}/rooms.csv", response_class=Response, responses=CSV_CONTENT)
def get_registry(site: str, session: SessionDep) -> Response:
    """Download the site's room registry as CSV, ready to edit and import again."""
    record = find_site(session, site)
    data = export_registry(session, record)

    headers = attachment_headers(record.name, "rooms", "csv")
    return Response(data, media_type="text/csv; charset=utf-8", headers=headers)

