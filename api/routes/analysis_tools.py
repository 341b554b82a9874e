"""Analysis tools: the grid test of a level and the comparison of two surveys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.analysis import level_analysis, resolve_operator
from maps.grids import operator_label
from api.deps import PolicyDep, SessionDep, SurveysQuery
from survey.compare import compare_site_surveys
from survey.gridtest import run_gridtest
from survey.store import find_site

router = APIRouter(tags=["analysis tools"])

OperatorQuery = Annotated[
    str, Query(description="PLMN such as 208-01 or an operator name; empty for the best operator per cell.")
]
SurveyQuery = Annotated[str, Query(description="Survey name or id.")]


@router.get("/levels/{level_id}/gridtest")
def level_gridtest(level_id: int, session: SessionDep, policy: PolicyDep, surveys: SurveysQuery = None, operator: OperatorQuery = "") -> dict:
    """Run the grid test of the US in-building public-safety codes on a level, cell by cell."""
    analysis, level = level_analysis(session, level_id, policy, surveys)
    plmn = resolve_operator(analysis, operator)

    return run_gridtest(level, policy, plmn, operator_label(analysis, plmn)).as_dict()


@router.get("/sites/{site}/compare")
def compare_surveys(site: str, session: SessionDep, policy: PolicyDep, before: SurveyQuery, after: SurveyQuery) -> dict:
    """Compare two surveys of a site room by room: pass rates, medians, verdicts and shielding."""
    record = find_site(session, site)

    return compare_site_surveys(session, record, before, after, policy).as_dict()
