"""Analysis results for the routes: a site's analysis, one level's results, operators, recommendations.

Every call runs ``survey.analysis.analyze_site`` again, so results always match the store.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from survey.analysis import analyze_site
from survey.compare import find_site_survey
from survey.errors import NotFoundError
from survey.i18n import _
from survey.models import Site
from survey.operators import normalize_plmn
from survey.policy import Policy
from survey.recommend import CRITICALITY_ORDER
from survey.results import ACTIONS, LevelResult, RoomResult, SiteAnalysis
from survey.store import get_level


def site_analysis(session: Session, site: Site, policy: Policy, surveys: list[str] | None = None) -> SiteAnalysis:
    """Analyze every room of ``site`` from the samples of ``surveys`` (names or ids; default: all)."""
    return analyze_site(session, site, policy, survey_ids=survey_ids(site, surveys))


def level_analysis(
    session: Session, level_id: int, policy: Policy, surveys: list[str] | None = None
) -> tuple[SiteAnalysis, LevelResult]:
    """Analyze the site of level ``level_id`` and return the analysis with that level's results."""
    level = get_level(session, level_id)
    site = level.building.site
    analysis = analyze_site(session, site, policy, survey_ids=survey_ids(site, surveys))

    result = next(item for item in analysis.levels if item.level_id == level.id)
    return analysis, result


def survey_ids(site: Site, surveys: list[str] | None) -> list[int] | None:
    """Return the ids of the surveys named (by name or id), or None for every survey of the site."""
    if not surveys:
        return None
    return sorted({find_site_survey(site, name).id for name in surveys})


def resolve_operator(analysis: SiteAnalysis, text: str | None) -> str | None:
    """Return the PLMN named by ``text`` (a PLMN or an operator name); None or "" means best operator."""
    if not text or not text.strip():
        return None

    plmn = normalize_plmn(text)
    for code, name in analysis.operators:
        if code == plmn or (name or "").casefold() == text.strip().casefold():
            return code

    known = ", ".join(f"{code} ({name})" for code, name in analysis.operators) or _("none")
    raise NotFoundError(
        _("operator {operator!r} has no samples in this site; known operators: {known}").format(
            operator=text, known=known
        ),
        detail={"operator": text, "known": [code for code, _name in analysis.operators]},
    )


def recommended_rooms(analysis: SiteAnalysis) -> list[RoomResult]:
    """Return the rooms that call for an action, by action then criticality (vital first), then ref."""
    rooms = [room for room in analysis.rooms if room.recommendation.action != "none"]

    def order(room: RoomResult) -> tuple[int, int, str]:
        action = room.recommendation.action
        action_rank = ACTIONS.index(action) if action in ACTIONS else len(ACTIONS)
        return (action_rank, CRITICALITY_ORDER.get(room.criticality, len(CRITICALITY_ORDER)), room.ref)

    return sorted(rooms, key=order)


def verdict_counts(level: LevelResult) -> dict[str, int]:
    """Return the number of rooms of a level per combined voice verdict."""
    counts = {"reliable": 0, "unreliable": 0, "insufficient_data": 0}
    for room in level.rooms:
        counts[room.voice] = counts.get(room.voice, 0) + 1
    return counts
