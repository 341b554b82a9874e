"""Analysis results of a site: the full analysis, the recommendations and downloadable reports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.analysis import recommended_rooms, site_analysis
from api.deps import PolicyDep, SessionDep
from api.downloads import attachment_headers
from api.errors import NotImplementedFeatureError
from api.rendering import report_pdf
from api.schemas import CsvDialect
from maps.tables import rooms_csv
from survey.i18n import _, current_language
from survey.store import find_site

router = APIRouter(tags=["reports"])

DialectQuery = Annotated[
    CsvDialect | None, Query(description="fr: semicolons, decimal commas; en: commas. Default: by language.")
]
PDF_CONTENT = {200: {"content": {"application/pdf": {}}}}
CSV_CONTENT = {200: {"content": {"text/csv": {}}}}


@router.get("/sites/{site}/analysis")
def get_analysis(site: str, session: SessionDep, policy: PolicyDep) -> dict:
    """Analyze the site: operators, policy and every room with its verdicts and recommendation."""
    record = find_site(session, site)

    return site_analysis(session, record, policy).as_dict()


@router.get("/sites/{site}/recommendations")
def get_recommendations(site: str, session: SessionDep, policy: PolicyDep) -> dict:
    """List the rooms that call for an action, by action then criticality (vital first)."""
    record = find_site(session, site)
    analysis = site_analysis(session, record, policy)

    rooms = recommended_rooms(analysis)
    return {"site": record.name, "recommendations": [room.as_dict() for room in rooms]}


@router.get("/sites/{site}/report.pdf", response_class=Response, responses=PDF_CONTENT)
def get_report_pdf(site: str, session: SessionDep, policy: PolicyDep) -> Response:
    """Download the printable PDF report, with the best-operator heatmap of each level."""
    record = find_site(session, site)
    analysis = site_analysis(session, record, policy)

    headers = attachment_headers(record.name, "report", "pdf")
    return Response(report_pdf(analysis), media_type="application/pdf", headers=headers)


@router.get("/sites/{site}/report.csv", response_class=Response, responses=CSV_CONTENT)
def get_report_csv(
    site: str, session: SessionDep, policy: PolicyDep, dialect: DialectQuery = None
) -> Response:
    """Download the room table as CSV: one row per room, with verdict columns per operator."""
    record = find_site(session, site)
    analysis = site_analysis(session, record, policy)

    data = rooms_csv(analysis, dialect or ("fr" if current_language() == "fr" else "en"))
    headers = attachment_headers(record.name, "rooms-report", "csv")
    return Response(data, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/sites/{site}/report.xlsx", response_class=Response)
def get_report_xlsx(site: str, session: SessionDep) -> Response:
    """Download the spreadsheet report (not implemented yet: 501)."""
    find_site(session, site)

    raise not_implemented("XLSX")


@router.get("/sites/{site}/report.geojson", response_class=Response)
def get_report_geojson(site: str, session: SessionDep) -> Response:
    """Download the rooms with their verdicts as GeoJSON (not implemented yet: 501)."""
    find_site(session, site)

    raise not_implemented("GeoJSON")


@router.get("/sites/{site}/report.zip", response_class=Response)
def get_report_zip(site: str, session: SessionDep) -> Response:
    """Download every report in one ZIP archive (not implemented yet: 501)."""
    find_site(session, site)

    raise not_implemented("ZIP")


def not_implemented(report_format: str) -> NotImplementedFeatureError:
    """Build the 501 error of a report format that has no renderer yet."""
    message = _("the {format} report is not available yet; download the PDF or CSV report").format(
        format=report_format
    )
    return NotImplementedFeatureError(message, detail={"format": report_format.lower()})
