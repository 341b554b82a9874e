"""Sites and what belongs to them: plans, the room registry and levels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.deps import SessionDep, SettingsDep, blank_to_none, read_upload
from api.downloads import attachment_headers
from api.schemas import SiteCreate
from survey.models import Site
from survey.operator_names import operator_names_summary, replace_operator_names
from survey.plans import import_plan
from survey.registry import export_registry, import_registry
from survey.sites import create_site, site_summary
from survey.store import find_site, site_levels

router = APIRouter(tags=["sites"])

BuildingForm = Annotated[str | None, Form(description="Building name; default: the plan's or the only one.")]
LevelForm = Annotated[str | None, Form(description="Level name; default: the plan's.")]
OrdinalForm = Annotated[int | None, Form(description="Level ordinal: 0 ground floor, negative below.")]
PlanFormatForm = Annotated[str, Form(alias="format", description="auto, geojson, imdf, osm, dxf, ifc, pdf or image.")]
UnitsForm = Annotated[str | None, Form(description="DXF drawing units when $INSUNITS is wrong: m, cm or mm.")]
LayerForm = Annotated[str | None, Form(description="DXF layer holding one closed outline per room.")]
DoorLayerForm = Annotated[str | None, Form(description="DXF layer of the doors; default: layers named like doors (DOORS, A-DOOR, PORTES).")]
RenameForm = Annotated[bool, Form(description="Import rooms that share a ref as ref-2, ref-3… instead of rejecting the file.")]
PageForm = Annotated[int, Form(description="Page of a PDF plan used as the level background, from 1.")]
DpiForm = Annotated[int, Form(description="Resolution at which a PDF plan is rendered, in dots per inch.")]
DryRunForm = Annotated[bool, Form(description="List the changes without applying them.")]
CSV_CONTENT = {200: {"content": {"text/csv": {}}}}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_CONTENT = {200: {"content": {XLSX_TYPE: {}}}}


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
    units: UnitsForm = None,
    layer: LayerForm = None,
    door_layer: DoorLayerForm = None,
    rename_duplicates: RenameForm = False,
    page: PageForm = 1,
    dpi: DpiForm = 150,
) -> dict:
    """Import a floor plan into levels and rooms; return what was created, updated and skipped.

    The format is detected from the content: GeoJSON (plan metres or WGS84), an IMDF archive
    as a zip, OpenStreetMap XML or GeoJSON, DXF (give ``layer``), IFC, or a PDF, PNG or JPEG
    plan, which becomes the background of ``level`` to calibrate and draw rooms over.
    """
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
        units=blank_to_none(units),
        layer=blank_to_none(layer),
        door_layer=blank_to_none(door_layer),
        rename_duplicates=rename_duplicates,
        page=page,
        dpi=dpi,
    )


@router.post("/sites/{site}/rooms")
def post_registry(
    site: str,
    file: UploadFile,
    session: SessionDep,
    settings: SettingsDep,
    dry_run: DryRunForm = False,
) -> dict:
    """Update rooms from a room registry, CSV or XLSX (criticality, analog lines); all rows or none."""
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



@router.get("/sites/{site}/rooms.xlsx", response_class=Response, responses=XLSX_CONTENT)
def get_registry_xlsx(site: str, session: SessionDep) -> Response:
    """Download the site's room registry as XLSX; text cells are never formulas."""
    record = find_site(session, site)
    data = export_registry(session, record, "xlsx")

    headers = attachment_headers(record.name, "rooms", "xlsx")
    return Response(data, media_type=XLSX_TYPE, headers=headers)


# --- operator names ------------------------------------------------------------------------


class OperatorNames(BaseModel):
    """The site's whole mapping of operator names: PLMN ``MCC-MNC`` → display name."""

    operator_names: dict[str, str] = Field(
        description="PLMN → name, such as {\"208-01\": \"Orange Pro\"}; an empty mapping removes every name.",
        examples=[{"208-01": "Orange Pro"}],
    )


@router.get("/sites/{site}/operators")
def get_operators(site: str, session: SessionDep) -> dict:
    """List the site's operator names and the name shown for each known PLMN."""
    record = find_site(session, site)

    return operator_names_summary(record)


@router.put("/sites/{site}/operators")
def put_operators(site: str, body: OperatorNames, session: SessionDep) -> dict:
    """Replace the site's operator names; 422 when a PLMN is not MCC-MNC or a name is empty."""
    record = find_site(session, site)
    replace_operator_names(session, record, body.operator_names)

    return operator_names_summary(record)
