"""Server-rendered web pages: the sites, one site's levels and plan, one level's map and rooms."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from api.analysis import level_analysis, recommended_rooms, site_analysis, verdict_counts
from api.deps import PolicyDep, SessionDep
from survey.models import Site
from survey.sites import site_summary
from survey.store import find_site

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def index_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Show the list of sites."""
    sites = session.scalars(select(Site).order_by(Site.name)).all()

    context = {"sites": [site_summary(site) for site in sites]}
    return request.app.state.templates.TemplateResponse(request, "index.html", context)


@router.get("/sites/{site}", response_class=HTMLResponse)
def site_page(site: str, request: Request, session: SessionDep, policy: PolicyDep) -> HTMLResponse:
    """Show a site: its levels with maps and heatmaps, verdicts by level, recommendations and reports."""
    record = find_site(session, site)
    analysis = site_analysis(session, record, policy)

    context = {
        "site": site_summary(record),
        "analysis": analysis,
        "levels": [(level, verdict_counts(level)) for level in analysis.levels],
        "recommendations": recommended_rooms(analysis),
        "first_sample": _local_time(analysis.first_sample, record.timezone),
        "last_sample": _local_time(analysis.last_sample, record.timezone),
    }
    return request.app.state.templates.TemplateResponse(request, "site.html", context)


@router.get("/levels/{level_id}", response_class=HTMLResponse)
def level_page(level_id: int, request: Request, session: SessionDep, policy: PolicyDep) -> HTMLResponse:
    """Show a level: its offline map and the table of its rooms."""
    analysis, level = level_analysis(session, level_id, policy)

    context = {"analysis": analysis, "level": level}
    return request.app.state.templates.TemplateResponse(request, "level.html", context)


def _local_time(moment: datetime | None, timezone: str) -> str | None:
    """Format a UTC time in the site's time zone, to the minute."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
