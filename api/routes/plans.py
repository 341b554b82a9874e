"""Plans drawn and placed by hand: levels, backgrounds, scale calibration, rooms, georeference."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import SessionDep, SettingsDep, read_upload
from survey.plans.background import background_png, calibrate, store_background
from survey.plans.drawing import delete_room, draw_room, update_room
from survey.plans.georeference import ControlPoint, fit_georeference
from survey.plans.storing import find_or_create_level
from survey.store import delete_empty_level, find_site, get_level

router = APIRouter(tags=["plans"])

PNG_CONTENT = {200: {"content": {"image/png": {}}}}
PageForm = Annotated[int, Form(description="Page of a PDF plan, from 1.")]
DpiForm = Annotated[int, Form(description="Resolution at which a PDF page is rendered, in dots per inch.")]


class LevelCreate(BaseModel):
    """A level to create before importing its background."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, description="Level name, unique in its building.")
    building: str | None = Field(None, description="Building name; default: the site's only building.")
    ordinal: int | None = Field(None, description="0 for the ground floor, negative below.")


class RoomFields(BaseModel):
    """A room drawn on a level; on PUT, the fields given replace the room's."""

    model_config = ConfigDict(extra="forbid")

    ref: str | None = Field(None, max_length=100, description="Room number, unique in the site (required on POST).")
    name: str | None = Field(None, max_length=200)
    category: str | None = Field(None, description="One of the room categories; default: from the name, else other.")
    criticality: str | None = Field(None, description="vital, high, normal or low; default: the category's.")
    analog_line: bool | None = None
    line_number: str | None = Field(None, max_length=50)
    department: str | None = Field(None, max_length=200)
    notes: str | None = None
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON Polygon or MultiPolygon in plan metres (required on POST).")


class Calibration(BaseModel):
    """Two pixel points of the background and the real distance between them."""

    model_config = ConfigDict(extra="forbid")

    first_px: tuple[float, float] = Field(description="First point: column, row from the image's top-left corner.")
    second_px: tuple[float, float] = Field(description="Second point, as far from the first as possible.")
    distance_m: float = Field(gt=0, description="Real distance between the two points, in metres.")


class GeoreferencePoint(BaseModel):
    """A point known on the plan (metres) and on the Earth (WGS84 degrees)."""

    model_config = ConfigDict(extra="forbid")

    x_m: float
    y_m: float
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)


class Georeference(BaseModel):
    """Control points: two for a similarity, three or more for an affine fit."""

    model_config = ConfigDict(extra="forbid")

    points: list[GeoreferencePoint] = Field(min_length=2)


@router.post("/sites/{site}/levels", status_code=201)
def post_level(site: str, body: LevelCreate, session: SessionDep) -> dict:
    """Create a level (or return the existing one of that name) to import a background into."""
    record = find_or_create_level(session, find_site(session, site), body.building, body.name, body.ordinal)

    return {"id": record.id, "building": record.building.name, "name": record.name, "ordinal": record.ordinal}


@router.delete("/levels/{level_id}")
def delete_level(level_id: int, session: SessionDep) -> dict:
    """Delete a level that has no room; a level with rooms answers 409 and is kept."""
    return delete_empty_level(session, get_level(session, level_id))


@router.post("/levels/{level_id}/background")
def post_background(level_id: int, file: UploadFile, session: SessionDep, settings: SettingsDep, page: PageForm = 1, dpi: DpiForm = 150) -> dict:
    """Store a PDF page, PNG or JPEG as the level's background, replacing the previous one."""
    level = get_level(session, level_id)
    data = read_upload(file, settings.max_upload_bytes)

    return store_background(session, level, data, file.filename or "plan", page=page, dpi=dpi)


@router.get("/levels/{level_id}/background.png", response_class=Response, responses=PNG_CONTENT)
def get_background(level_id: int, session: SessionDep) -> Response:
    """Return the level's background image, calibrated or not."""
    return Response(background_png(session, level_id), media_type="image/png")


@router.post("/levels/{level_id}/calibration")
def post_calibration(level_id: int, body: Calibration, session: SessionDep) -> dict:
    """Set the background's metres per pixel from two points and their real distance."""
    return calibrate(session, level_id, body.first_px, body.second_px, body.distance_m)


@router.post("/levels/{level_id}/rooms", status_code=201)
def post_room(level_id: int, body: RoomFields, session: SessionDep) -> dict:
    """Draw a room on the level; the response lists overlaps and implausible areas as warnings."""
    return draw_room(session, level_id, body.model_dump())


@router.put("/levels/{level_id}/rooms/{ref}")
def put_room(level_id: int, ref: str, body: RoomFields, session: SessionDep) -> dict:
    """Change a room of the level: the fields given replace its own."""
    return update_room(session, level_id, ref, body.model_dump())


@router.delete("/levels/{level_id}/rooms/{ref}", status_code=204, response_class=Response)
def remove_room(level_id: int, ref: str, session: SessionDep) -> Response:
    """Delete a room of the level."""
    delete_room(session, level_id, ref)

    return Response(status_code=204)


@router.post("/levels/{level_id}/georeference")
def post_georeference(level_id: int, body: Georeference, session: SessionDep) -> dict:
    """Fit and store the level's plan → WGS84 transform; the response gives the residuals in metres."""
    level = get_level(session, level_id)
    georeference = fit_georeference([ControlPoint(**point.model_dump()) for point in body.points])
    level.georeference = georeference

    return {"level_id": level.id, "georeference": georeference}
