"""Levels: per-room results, heatmaps and the offline web map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from api.analysis import level_analysis, resolve_operator
from api.deps import PolicyDep, SessionDep, SurveysQuery
from api.rendering import site_renderer
from api.schemas import HeatmapMetric
from maps.heatmap import MEDIA_TYPES
from survey.errors import InputError
from survey.i18n import _
from survey.results import LevelResult

router = APIRouter(tags=["levels"])

GeometryQuery = Annotated[bool, Query(description="Include each room's GeoJSON geometry in plan metres.")]
OperatorQuery = Annotated[
    str, Query(description="PLMN such as 208-01 or an operator name; empty for the best operator per cell.")
]
MetricQuery = Annotated[HeatmapMetric, Query(description="Metric shown; signal_dbm is RSRP on LTE and NR.")]
PNG_CONTENT = {200: {"content": {"image/png": {}}}}
SVG_CONTENT = {200: {"content": {"image/svg+xml": {}}}}


@router.get("/levels/{level_id}/rooms")
def level_rooms(
    level_id: int,
    session: SessionDep,
    policy: PolicyDep,
    surveys: SurveysQuery = None,
    geometry: GeometryQuery = False,
) -> dict:
    """List the rooms of a level with their voice verdicts and recommendation, as ``analyze --json``."""
    _analysis, level = level_analysis(session, level_id, policy, surveys)

    return {
        "level": level_identity(level),
        "rooms": [room.as_dict(geometry=geometry) for room in level.rooms],
    }


def _heatmap(level_id: int, session: SessionDep, policy: PolicyDep, operator: str, metric: str, fmt: str, surveys: list[str] | None = None) -> Response:
    """Render a level's heatmap in ``fmt`` (png or svg), for one operator or the best one per cell."""
    analysis, level = level_analysis(session, level_id, policy, surveys)
    plmn = resolve_operator(analysis, operator)
    require_rooms(level)

    image = site_renderer(session, analysis).heatmap(level_id, plmn, metric, fmt)
    return Response(image, media_type=MEDIA_TYPES[fmt])


# The contract names heatmap.png, so each format has its own route rather than one "heatmap.{fmt}".
@router.get("/levels/{level_id}/heatmap.png", response_class=Response, responses=PNG_CONTENT)
def level_heatmap(
    level_id: int,
    session: SessionDep,
    policy: PolicyDep,
    surveys: SurveysQuery = None,
    operator: OperatorQuery = "",
    metric: MetricQuery = "signal_dbm",
) -> Response:
    """Render a level's coverage heatmap as PNG, for one operator or the best one per cell."""
    return _heatmap(level_id, session, policy, operator, metric, "png", surveys)


@router.get("/levels/{level_id}/heatmap.svg", response_class=Response, responses=SVG_CONTENT)
def level_heatmap_svg(
    level_id: int,
    session: SessionDep,
    policy: PolicyDep,
    surveys: SurveysQuery = None,
    operator: OperatorQuery = "",
    metric: MetricQuery = "signal_dbm",
) -> Response:
    """Render a level's coverage heatmap as SVG, for one operator or the best one per cell."""
    return _heatmap(level_id, session, policy, operator, metric, "svg", surveys)


@router.get("/levels/{level_id}/map.html", response_class=HTMLResponse)
def level_map(level_id: int, session: SessionDep, policy: PolicyDep, surveys: SurveysQuery = None) -> HTMLResponse:
    """Render a level's self-contained map page, which works offline."""
    analysis, level = level_analysis(session, level_id, policy, surveys)
    require_rooms(level)

    return HTMLResponse(site_renderer(session, analysis).level_map(level_id))


def level_identity(level: LevelResult) -> dict:
    """Return the id, building, name and ordinal of a level."""
    return {"id": level.level_id, "building": level.building, "name": level.name, "ordinal": level.ordinal}


def require_rooms(level: LevelResult) -> None:
    """Raise InputError when a level has no rooms to draw."""
    if not level.rooms:
        raise InputError(
            _("level {level!r} has no rooms to draw").format(level=level.name),
            fix=_("import the level's floor plan first"),
        )
