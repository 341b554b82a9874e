"""Comparison of two surveys of one site, such as before and after an indoor antenna system.

Each survey is analyzed on its own (``analyze_site`` with its survey id). Then every room is
compared operator by operator: the change in pass rate and in median signal, the verdicts
that changed, and the rooms that became shielded or stopped being shielded.

A second survey often covers part of the site only (the levels where antennas were installed).
A room or operator without samples in one of the two surveys is ``unmeasured``: it is counted
apart and is neither a change of verdict nor of shielding.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from survey.analysis import analyze_site
from survey.errors import NotFoundError
from survey.i18n import _
from survey.models import Site, Survey
from survey.policy import DEFAULT_POLICY, Policy
from survey.results import OperatorVerdict, RoomResult, SiteAnalysis, rounded

logger = logging.getLogger(__name__)

# Verdicts in order of merit; ``insufficient_data`` is no step up or down.
VERDICT_RANK = {"unreliable": 0, "reliable": 1}


@dataclass
class OperatorChange:
    """One operator's verdict and evidence in one room, before and after."""

    plmn: str
    operator: str
    verdict_before: str
    verdict_after: str
    samples_before: int
    samples_after: int
    pass_rate_before: float | None
    pass_rate_after: float | None
    median_before_dbm: float | None
    median_after_dbm: float | None

    @property
    def pass_rate_change(self) -> float | None:
        if self.pass_rate_before is None or self.pass_rate_after is None:
            return None
        return self.pass_rate_after - self.pass_rate_before

    @property
    def median_change_db(self) -> float | None:
        if self.median_before_dbm is None or self.median_after_dbm is None:
            return None
        return self.median_after_dbm - self.median_before_dbm

    @property
    def change(self) -> str:
        """Return ``improved``, ``worsened``, ``changed`` (to or from too few samples), ``unmeasured`` or ``same``.

        ``unmeasured``: no sample in one of the two surveys, so nothing is compared.
        """
        if self.verdict_before == self.verdict_after:
            return "same"
        if not self.samples_before or not self.samples_after:
            return "unmeasured"
        if self.verdict_before in VERDICT_RANK and self.verdict_after in VERDICT_RANK:
            return "improved" if VERDICT_RANK[self.verdict_after] > VERDICT_RANK[self.verdict_before] else "worsened"
        return "changed"

    def as_dict(self) -> dict:
        return {
            "plmn": self.plmn,
            "operator": self.operator,
            "verdict_before": self.verdict_before,
            "verdict_after": self.verdict_after,
            "change": self.change,
            "samples_before": self.samples_before,
            "samples_after": self.samples_after,
            "pass_rate_before": rounded(self.pass_rate_before, 4),
            "pass_rate_after": rounded(self.pass_rate_after, 4),
            "pass_rate_change": rounded(self.pass_rate_change, 4),
            "median_before_dbm": rounded(self.median_before_dbm, 1),
            "median_after_dbm": rounded(self.median_after_dbm, 1),
            "median_change_db": rounded(self.median_change_db, 1),
        }


@dataclass
class RoomChange:
    """One room before and after: shielding, combined voice verdict and each operator."""

    room_id: int
    level: str
    ref: str
    name: str
    criticality: str
    shielded_before: bool
    shielded_after: bool
    attenuation_before_db: float | None
    attenuation_after_db: float | None
    voice_before: str
    voice_after: str
    operators: list[OperatorChange] = field(default_factory=list)

    @property
    def shielding_change(self) -> str | None:
        """Return ``newly_shielded``, ``no_longer_shielded`` or None (also when a survey could not judge it)."""
        if self.attenuation_before_db is None or self.attenuation_after_db is None:
            return None
        if self.shielded_after and not self.shielded_before:
            return "newly_shielded"
        if self.shielded_before and not self.shielded_after:
            return "no_longer_shielded"
        return None

    def as_dict(self) -> dict:
        return {
            "id": self.room_id,
            "level": self.level,
            "ref": self.ref,
            "name": self.name,
            "criticality": self.criticality,
            "shielded_before": self.shielded_before,
            "shielded_after": self.shielded_after,
            "shielding_change": self.shielding_change,
            "attenuation_before_db": rounded(self.attenuation_before_db, 1),
            "attenuation_after_db": rounded(self.attenuation_after_db, 1),
            "voice_before": self.voice_before,
            "voice_after": self.voice_after,
            "operators": [change.as_dict() for change in self.operators],
        }


@dataclass
class SurveyComparison:
    """Two analyses of one site, room by room."""

    site: str
    before: list[str]
    after: list[str]
    rooms: list[RoomChange]

    def summary(self) -> dict:
        """Return the counts of verdict changes and of shielding changes."""
        counts = {"improved": 0, "worsened": 0, "changed": 0, "unmeasured": 0, "same": 0}
        for room in self.rooms:
            for change in room.operators:
                counts[change.change] += 1
        return {
            "verdicts": counts,
            "newly_shielded": [room.ref for room in self.rooms if room.shielding_change == "newly_shielded"],
            "no_longer_shielded": [room.ref for room in self.rooms if room.shielding_change == "no_longer_shielded"],
        }

    def as_dict(self) -> dict:
        return {
            "site": self.site,
            "before": self.before,
            "after": self.after,
            "summary": self.summary(),
            "rooms": [room.as_dict() for room in self.rooms],
        }


def compare_site_surveys(session: Session, site: Site, before: str, after: str, policy: Policy = DEFAULT_POLICY) -> SurveyComparison:
    """Analyze surveys ``before`` and ``after`` of ``site`` (names or ids) and compare them."""
    before_survey = find_site_survey(site, before)
    after_survey = find_site_survey(site, after)
    before_analysis = analyze_site(session, site, policy, survey_ids=[before_survey.id])
    after_analysis = analyze_site(session, site, policy, survey_ids=[after_survey.id])
    return compare_analyses(before_analysis, after_analysis)


def find_site_survey(site: Site, name_or_id: str) -> Survey:
    """Return the survey of ``site`` with that name, or with that id."""
    text = str(name_or_id).strip()
    for survey in site.surveys:
        if survey.name == text:
            return survey
    for survey in site.surveys:
        if text.isdigit() and survey.id == int(text):
            return survey
    known = ", ".join(sorted(survey.name for survey in site.surveys)) or _("none")
    raise NotFoundError(
        _("survey {survey!r} not found in site {site!r}; known surveys: {known}").format(survey=text, site=site.name, known=known)
    )


def compare_analyses(before: SiteAnalysis, after: SiteAnalysis) -> SurveyComparison:
    """Compare two analyses of the same site, room by room and operator by operator."""
    after_rooms = {room.room_id: room for room in after.rooms}
    names = dict(before.operators) | dict(after.operators)
    changes = []
    for room in before.rooms:
        later = after_rooms.get(room.room_id)
        if later is not None:
            changes.append(_room_change(room, later, names))
    logger.info("compared surveys %s and %s of %s: %d rooms", before.surveys, after.surveys, before.site_name, len(changes))
    return SurveyComparison(before.site_name, before.surveys, after.surveys, changes)


def _room_change(before: RoomResult, after: RoomResult, names: dict[str, str]) -> RoomChange:
    plmns = sorted({verdict.plmn for verdict in before.verdicts} | {verdict.plmn for verdict in after.verdicts})
    operators = [_operator_change(plmn, names.get(plmn, plmn), before.verdict_for(plmn), after.verdict_for(plmn)) for plmn in plmns]
    return RoomChange(
        room_id=before.room_id,
        level=before.level_name,
        ref=before.ref,
        name=before.name,
        criticality=before.criticality,
        shielded_before=before.shielded,
        shielded_after=after.shielded,
        attenuation_before_db=before.attenuation_db,
        attenuation_after_db=after.attenuation_db,
        voice_before=before.voice,
        voice_after=after.voice,
        operators=operators,
    )


def _operator_change(plmn: str, name: str, before: OperatorVerdict | None, after: OperatorVerdict | None) -> OperatorChange:
    return OperatorChange(
        plmn=plmn,
        operator=name,
        verdict_before=before.verdict if before else "insufficient_data",
        verdict_after=after.verdict if after else "insufficient_data",
        samples_before=before.samples if before else 0,
        samples_after=after.samples if after else 0,
        pass_rate_before=before.pass_rate if before else None,
        pass_rate_after=after.pass_rate if after else None,
        median_before_dbm=before.rsrp_median_dbm if before else None,
        median_after_dbm=after.rsrp_median_dbm if after else None,
    )
