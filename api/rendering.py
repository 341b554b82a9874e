"""The renderer of a site's outputs for the routes and the ``report`` command.

Both build a :class:`maps.outputs.SiteRenderer` here and call its methods, so the HTTP API
serves the same files as ``zoneblanche report`` writes.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from maps.outputs import SiteRenderer
from maps.webmap import PlanBackground
from survey.compare import compare_site_surveys
from survey.errors import InputError
from survey.i18n import _
from survey.models import Site
from survey.plans.background import level_background
from survey.policy import Policy
from survey.results import SiteAnalysis

logger = logging.getLogger(__name__)


def site_renderer(
    session: Session,
    analysis: SiteAnalysis,
    *,
    site: Site | None = None,
    policy: Policy | None = None,
    compare: tuple[str, str] | None = None,
) -> SiteRenderer:
    """Return the renderer of a site analysis, with the floor plan images the store holds.

    ``compare`` names two surveys (before, after) of ``site`` whose comparison the PDF report
    prints; it needs ``site`` and ``policy``.
    """
    comparison = None
    if compare is not None:
        if site is None or policy is None:
            raise ValueError("comparing surveys needs the site and the policy")
        before, after = compare
        comparison = compare_site_surveys(session, site, before, after, policy)
    return SiteRenderer(analysis, backgrounds=plan_backgrounds(session, analysis), comparison=comparison)


def plan_backgrounds(session: Session, analysis: SiteAnalysis) -> dict[int, PlanBackground]:
    """Return the calibrated floor plan image of each level that has one, keyed by level id."""
    backgrounds = {}
    for level in analysis.levels:
        found = level_background(session, level.level_id)
        if found is not None:
            png, bounds = found
            backgrounds[level.level_id] = PlanBackground(png, bounds)
    return backgrounds


def comparison_pair(before: str | None, after: str | None) -> tuple[str, str] | None:
    """Return (before, after) when both surveys are named, None when neither is, else raise InputError."""
    if before is None and after is None:
        return None
    if before is None or after is None:
        raise InputError(
            _("comparing surveys needs both the survey before and the survey after"),
            fix=_("name both surveys, or neither"),
        )
    return before, after
