"""The results of an analysis: per operator, per room, per level and per site.

These plain objects are what the CLI prints, the API returns and ``maps`` renders; the
``as_dict`` methods give the ``analyze --json`` shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from survey.policy import Policy

VERDICTS = ["reliable", "unreliable", "insufficient_data"]
ACTIONS = [
    "keep_analog_line",
    "install_analog_line",
    "nearest_line",
    "analog_line_optional",
    "resurvey",
    "none",
]


def rounded(value: float | None, digits: int = 1) -> float | None:
    """Return ``value`` rounded to ``digits`` for JSON, or None when it is missing or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


_rounded = rounded


@dataclass
class GroupVerdict:
    """The voice verdict of one room for one operator over a group of technologies.

    The ``all`` group counts 2G/3G samples as usable when their level reaches the policy's
    2G/3G thresholds, for the years those networks still run.
    """

    technologies: str
    verdict: str
    samples: int
    usable: int
    pass_rate: float | None
    pass_rate_low: float | None
    pass_rate_high: float | None

    def as_dict(self) -> dict:
        return {
            "technologies": self.technologies,
            "verdict": self.verdict,
            "samples": self.samples,
            "usable": self.usable,
            "pass_rate": _rounded(self.pass_rate, 4),
            "pass_rate_ci95": [_rounded(self.pass_rate_low, 4), _rounded(self.pass_rate_high, 4)],
        }


@dataclass
class OperatorVerdict:
    """The voice verdict of one room for one operator, with its evidence.

    ``pass_rate`` is the share of samples usable for voice (no-service samples count as
    failures); ``pass_rate_low`` and ``pass_rate_high`` bound it at 95 % confidence (Wilson).
    ``decisive`` is true when that interval lies wholly on the verdict's side of the required
    rate, so that more samples of the same kind would hardly change the verdict.
    ``all_technologies`` is the same verdict with 2G/3G samples counted.
    """

    plmn: str
    operator: str
    verdict: str
    samples: int
    usable: int
    no_service: int
    required_samples: int
    required_pass_rate: float
    pass_rate: float | None
    pass_rate_low: float | None
    pass_rate_high: float | None
    rsrp_p10_dbm: float | None
    rsrp_median_dbm: float | None
    decisive: bool | None = None
    all_technologies: GroupVerdict | None = None

    def as_dict(self) -> dict:
        return {
            "plmn": self.plmn,
            "operator": self.operator,
            "verdict": self.verdict,
            "samples": self.samples,
            "usable": self.usable,
            "no_service": self.no_service,
            "required_samples": self.required_samples,
            "required_pass_rate": self.required_pass_rate,
            "pass_rate": _rounded(self.pass_rate, 4),
            "pass_rate_ci95": [_rounded(self.pass_rate_low, 4), _rounded(self.pass_rate_high, 4)],
            "rsrp_p10_dbm": _rounded(self.rsrp_p10_dbm),
            "rsrp_median_dbm": _rounded(self.rsrp_median_dbm),
            "decisive": self.decisive,
            "all_technologies": self.all_technologies.as_dict() if self.all_technologies else None,
        }


@dataclass
class Recommendation:
    """What to do about a room's fixed line, with the translated reasons behind it."""

    action: str
    reasons: list[str] = field(default_factory=list)
    line_room_ref: str | None = None
    distance_m: float | None = None

    def as_dict(self) -> dict:
        return {
            "action": self.action,
            "reasons": self.reasons,
            "line_room": self.line_room_ref,
            "distance_m": _rounded(self.distance_m),
        }


@dataclass
class RoomResult:
    room_id: int
    level_id: int
    level_name: str
    ref: str
    name: str
    category: str
    criticality: str
    analog_line: bool
    line_number: str
    area_m2: float
    geometry: BaseGeometry
    samples: int = 0
    median_signal_dbm: float | None = None
    neighbour_median_dbm: float | None = None
    shielded: bool = False
    attenuation_db: float | None = None
    verdicts: list[OperatorVerdict] = field(default_factory=list)
    voice: str = "insufficient_data"
    voice_all_technologies: str = "insufficient_data"
    recommendation: Recommendation = field(default_factory=lambda: Recommendation("none"))

    def verdict_for(self, plmn: str) -> OperatorVerdict | None:
        return next((verdict for verdict in self.verdicts if verdict.plmn == plmn), None)

    def as_dict(self, *, geometry: bool = False) -> dict:
        result = {
            "id": self.room_id,
            "level": self.level_name,
            "ref": self.ref,
            "name": self.name,
            "category": self.category,
            "criticality": self.criticality,
            "analog_line": self.analog_line,
            "area_m2": _rounded(self.area_m2),
            "samples": self.samples,
            "median_signal_dbm": _rounded(self.median_signal_dbm),
            "shielded": self.shielded,
            "attenuation_db": _rounded(self.attenuation_db),
            "voice": self.voice,
            "voice_all_technologies": self.voice_all_technologies,
            "neighbour_median_dbm": _rounded(self.neighbour_median_dbm),
            "verdicts": [verdict.as_dict() for verdict in self.verdicts],
            "recommendation": self.recommendation.as_dict(),
        }
        if geometry:
            result["geometry"] = shapely.geometry.mapping(self.geometry)
        return result


@dataclass
class LevelResult:
    level_id: int
    building: str
    name: str
    ordinal: int
    rooms: list[RoomResult]
    samples: pd.DataFrame
    # Doors drawn on the plan (shapely geometries in plan metres); empty when doors are assumed.
    doors: list = field(default_factory=list)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Return (x_min, y_min, x_max, y_max) of the level's rooms, in plan metres."""
        return shapely.GeometryCollection([room.geometry for room in self.rooms]).bounds


@dataclass
class SiteAnalysis:
    site_id: int
    site_name: str
    timezone: str
    policy: Policy
    operators: list[tuple[str, str]]
    levels: list[LevelResult]
    surveys: list[str]
    first_sample: datetime | None
    last_sample: datetime | None
    unplaced_samples: int

    @property
    def rooms(self) -> list[RoomResult]:
        return [room for level in self.levels for room in level.rooms]

    def as_dict(self) -> dict:
        return {
            "site": self.site_name,
            "operators": [{"plmn": plmn, "operator": name} for plmn, name in self.operators],
            "surveys": self.surveys,
            "first_sample": self.first_sample.isoformat() if self.first_sample else None,
            "last_sample": self.last_sample.isoformat() if self.last_sample else None,
            "unplaced_samples": self.unplaced_samples,
            "policy": self.policy.as_dict(),
            "rooms": [room.as_dict() for room in self.rooms],
        }
