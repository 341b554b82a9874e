"""Analysis results of a site: the full analysis, the recommendations and downloadable reports.

The downloads are the files of ``zoneblanche report``: the same renderer makes both.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from api.analysis import recommended_rooms, site_analysis
from api.deps import PolicyDep, SessionDep, SurveysQuery
from api.downloads import attachment_headers
from api.rendering import comparison_pair, site_renderer
from api.schemas import CsvDialect
from maps.outputs import SiteRenderer
from survey.store import find_site

router = APIRouter(tags=["reports"])

DialectQuery = Annotated[
    CsvDialect | None, Query(description="fr: semicolons, decimal commas; en: commas. Default: by language.")
]
PaperQuery = Annotated[str, Query(pattern="^(A3|A4)$", description="Paper size of the posters: A3 or A4.")]
BeforeQuery = Annotated[
    str | None, Query(description="Survey (name or id) before a change, to compare with `after` in the report.")
]
AfterQuery = Annotated[str | None, Query(description="Survey (name or id) after a change, compared with `before`.")]
PDF_CONTENT = {200: {"content": {"application/pdf": {}}}}
CSV_CONTENT = {200: {"content": {"text/csv": {}}}}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_CONTENT = {200: {"content": {XLSX_TYPE: {}}}}
GEOJSON_CONTENT = {200: {"content": {"application/geo+json": {}}}}
ZIP_CONTENT = {200: {"content": {"application/zip": {}}}}


@router.get("/sites/{site}/analysis")
def get_analysis(site: str, session: SessionDep, policy: PolicyDep, surveys: SurveysQuery = None) -> dict:
    """Analyze the site: operators, policy and every room with its verdicts and recommendation."""
    record = find_site(session, site)

    return site_analysis(session, record, policy, surveys).as_dict()


@router.get("/sites/{site}/recommendations")
def get_recommendations(site: str, session: SessionDep, policy: PolicyDep, surveys: SurveysQuery = None) -> dict:
    """List the rooms that call for an action, by action then criticality (vital first)."""
    record = find_site(session, site)
    analysis = site_analysis(session, record, policy, surveys)

    rooms = recommended_rooms(analysis)
    return {"site": record.name, "recommendations": [room.as_dict() for room in rooms]}


def _renderer(site: str, session: SessionDep, policy: PolicyDep, surveys: list[str] | None = None) -> tuple[str, SiteRenderer]:
    """Return the site's name and the renderer of its analysis."""
    record = find_site(session, site)
    analysis = site_analysis(session, record, policy, surveys)
    return record.name, site_renderer(session, analysis)


@router.get("/sites/{site}/report.pdf", response_class=Response, responses=PDF_CONTENT)
def get_report_pdf(
    site: str,
    session: SessionDep,
    policy: PolicyDep,
    surveys: SurveysQuery = None,
    before: BeforeQuery = None,
    after: AfterQuery = None,
) -> Response:
    """Download the printable PDF report: summary, level plans, rooms, recommendations, data quality."""
    compare = comparison_pair(before, after)
    record = find_site(session, site)
    analysis = site_analysis(session, record, policy, surveys)
    renderer = site_renderer(session, analysis, site=record, policy=policy, compare=compare)

    headers = attachment_headers(record.name, "report", "pdf")
    return Response(renderer.pdf(), media_type="application/pdf", headers=headers)


@router.get("/sites/{site}/posters.pdf", response_class=Response, responses=PDF_CONTENT)
def get_posters_pdf(site: str, session: SessionDep, policy: PolicyDep, surveys: SurveysQuery = None, paper: PaperQuery = "A3") -> Response:
    """Download the outage posters: one landscape page per level, with the operator per zone and the lines."""
    name, renderer = _renderer(site, session, policy, surveys)

    data = renderer.posters(paper)
    return Response(data, media_type="application/pdf", headers=attachment_headers(name, "posters", "pdf"))


@router.get("/sites/{site}/report.csv", response_class=Response, responses=CSV_CONTENT)
def get_report_csv(site: str, session: SessionDep, policy: PolicyDep, surveys: SurveysQuery = None, dialect: DialectQuery = None) -> Response:
    """Download the room table as CSV: one row per room, with verdict columns per operator."""
    name, renderer = _renderer(site, session, policy, surveys)

    headers = attachment_headers(name, "rooms-report", "csv")
    return Response(renderer.csv(dialect), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/sites/{site}/report.xlsx", response_class=Response, responses=XLSX_CONTENT)
def get_report_xlsx(site: str, session: SessionDep, policy: PolicyDep, surveys: SurveysQuery = None) -> Response:
    """Download the room table as an XLSX workbook."""
    name, renderer = _renderer(site, session, policy, surveys)

    return Response(renderer.xlsx(), media_type=XLSX_TYPE, headers=attachment_headers(name, "rooms-report", "xlsx"))


@router.get("/sites/{site}/report.geojson", response_class=Response, responses=GEOJSON_CONTENT)
def get_report_geojson(site: str, session: SessionDep, policy: PolicyDep, surveys: SurveysQuery = None) -> Response:
    """Download the rooms with their verdicts as GeoJSON, in plan metres."""
    name, renderer = _renderer(site, session, policy, surveys)

    headers = attachment_headers(name, "rooms", "geojson")
    return Response(renderer.geojson(), media_type="application/geo+json", headers=headers)


@router.get("/sites/{site}/report.zip", response_class=Response, responses=ZIP_CONTENT)
def get_report_zip(site: str, session: SessionDep, policy: PolicyDep, surveys: SurveysQuery = None, dialect: DialectQuery = None) -> Response:
    """Download the crisis kit: report, posters, offline maps, tables and heatmaps in one ZIP archive."""
    name, renderer = _renderer(site, session, policy, surveys)

    data = renderer.kit(csv_dialect=dialect or "fr")
    return Response(data, media_type="application/zip", headers=attachment_headers(name, "crisis-kit", "zip"))


@router.get("/sites/{site}/map.html", response_class=HTMLResponse)
def get_site_map(site: str, session: SessionDep, policy: PolicyDep, surveys: SurveysQuery = None) -> HTMLResponse:
    """Render the site's self-contained map page, every level with a switcher; it works offline."""
    _name, renderer = _renderer(site, session, policy, surveys)

    return HTMLResponse(renderer.site_map())
