"""A small hand-built site analysis: two levels, two operators, tricky room names.

The verdicts are computed here from the synthetic samples with the default policy's rules, so
the numbers the renderers print are consistent with the samples they grid.
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from survey.i18n import reset_language, set_language
from survey.policy import DEFAULT_POLICY, Policy
from survey.results import LevelResult, OperatorVerdict, Recommendation, RoomResult, SiteAnalysis
from survey.samples import conform

OPERATORS = [("208-01", "Orange"), ("208-10", "SFR")]
SCRIPT_NAME = "<script>alert(1)</script>"
FORMULA_NAME = "=SUM(A1:A9)"
SITE_NAME = "Centre hospitalier de Montbrison-sur-Loire"
FIRST_SAMPLE = datetime(2025, 3, 11, 8, 30, tzinfo=timezone.utc)

# (ref, name, category, criticality, analog line, geometry, mean RSRP per operator). The last
# field is None for an unmeasured room, and "dead" for a shielded room where Orange has no
# service at all and SFR is in service, at about -124 dBm, in three samples out of ten.
GROUND_FLOOR = [
    ("A0-101", "Accueil des urgences", "emergency", "vital", True, box(0, 10, 8, 16), (-85, -92)),
    ("A0-102", "Salle de déchocage", "resuscitation", "vital", False, box(8, 10, 16, 16), (-112, -118)),
    ("A0-103", SCRIPT_NAME, "office", "normal", False, box(16, 10, 24, 16), (-95, -100)),
    ("A0-104", FORMULA_NAME, "office", "normal", False, box(24, 10, 32, 16), (-88, -96)),
    ("A0-105", "WC", "toilet", "low", False, box(32, 10, 33.2, 16), (-90, -94)),
    ("A0-106", "Réserve de matériel de soins et de linge propre", "storage", "low", False, box(33.2, 10, 40, 16), None),
    ("A0-110", "IRM", "mri", "high", False, box(0, 0, 10, 6), "dead"),
    ("A0-111", "Consultation œdème", "consultation", "normal", False, box(10, 0, 20, 6), (-104, -99)),
    ("A0-112", "Chambre 112", "ward", "normal", False, box(20, 0, 30, 6), None),
    ("A0-113", "Poste de soins", "nursing_station", "high", True, box(30, 0, 40, 6), (-80, -86)),
    ("A0-100", "Couloir", "corridor", "low", False, box(0, 6, 40, 10), (-82, -90)),
]
BASEMENT = [
    ("B1-001", "Local technique", "technical", "low", False, box(0, 0, 12, 8), (-108, -115)),
    ("B1-002", "Bunker de radiothérapie", "radiotherapy", "high", True, box(12, 0, 24, 8), "dead"),
    ("B1-003", "Archives", "archive", "low", False, box(24, 0, 36, 8), None),
    ("B1-004", "Vestiaires", "other", "normal", False, box(0, 11, 12, 18), (-100, -97)),
    ("B1-005", "Pharmacie", "pharmacy", "high", False, box(12, 11, 24, 18), (-116, -121)),
    ("B1-006", "Laboratoire", "laboratory", "normal", True, box(24, 11, 36, 18), (-86, -90)),
    ("B1-007", "Local", "storage", "low", False, box(36, 11, 37, 18), (-95, -96)),
    ("B1-000", "Couloir sous-sol", "corridor", "low", False, box(0, 8, 37, 11), (-98, -102)),
]


def _room_samples(rng, room_id: int, level_id: int, geometry, means, start: datetime) -> list[dict]:
    """Return sample rows on a 1.5 m lattice inside a room, per operator."""
    x_min, y_min, x_max, y_max = geometry.bounds
    xs = np.arange(x_min + 0.4, x_max, 1.5)
    ys = np.arange(y_min + 0.4, y_max, 1.5)
    rows = []
    for (plmn, operator), mean in zip(OPERATORS, ("dead", "dead") if means == "dead" else means):
        for x in xs:
            for y in ys:
                dead = mean == "dead"
                if dead and plmn == "208-10" and rng.random() < 0.3:
                    rsrp, service = -124.0 + rng.normal(0, 2), "in_service"
                elif dead:
                    rsrp, service = np.nan, "no_service"
                else:
                    rsrp, service = mean + rng.normal(0, 4), "in_service"
                rows.append(
                    {
                        "time": start + pd.Timedelta(seconds=len(rows)),
                        "upload_id": 1,
                        "row_number": len(rows) + 1,
                        "level_id": level_id,
                        "x_m": float(x),
                        "y_m": float(y),
                        "position_source": "xy",
                        "room_id": room_id,
                        "plmn": plmn,
                        "operator": operator,
                        "technology": "lte",
                        "serving": True,
                        "service": service,
                        "rsrp_dbm": rsrp,
                        "sinr_db": np.nan if np.isnan(rsrp) else 12 + (rsrp + 100) / 5,
                        "device_model": "Pixel 7",
                    }
                )
    return rows


def _operator_verdicts(policy: Policy, room_samples: pd.DataFrame, area_m2: float, criticality: str) -> list[OperatorVerdict]:
    """Apply the default voice rules to one room's samples, per operator."""
    verdicts = []
    required = policy.required_samples(area_m2)
    rate_needed = policy.pass_rate(criticality)
    for plmn, operator in OPERATORS:
        own = room_samples[room_samples["plmn"] == plmn]
        usable = (
            (own["service"] == "in_service") & (own["rsrp_dbm"] >= policy.min_rsrp_dbm) & (own["sinr_db"] >= policy.min_sinr_db)
        )
        count = len(own)
        rate = float(usable.mean()) if count else None
        if count < required:
            verdict = "insufficient_data"
        elif rate >= rate_needed:
            verdict = "reliable"
        else:
            verdict = "unreliable"
        rsrp = own["rsrp_dbm"].fillna(-140.0)
        verdicts.append(
            OperatorVerdict(
                plmn=plmn,
                operator=operator,
                verdict=verdict,
                samples=count,
                usable=int(usable.sum()),
                no_service=int((own["service"] == "no_service").sum()),
                required_samples=required,
                required_pass_rate=rate_needed,
                pass_rate=rate,
                pass_rate_low=None if rate is None else max(0.0, rate - 0.05),
                pass_rate_high=None if rate is None else min(1.0, rate + 0.05),
                rsrp_p10_dbm=float(np.percentile(rsrp, 10)) if count else None,
                rsrp_median_dbm=float(np.median(rsrp)) if count else None,
            )
        )
    return verdicts


def _combined_voice(verdicts: list[OperatorVerdict]) -> str:
    """Combine the operators' verdicts for the required operators ``any``."""
    values = {verdict.verdict for verdict in verdicts}
    if "reliable" in values:
        return "reliable"
    if values == {"insufficient_data"}:
        return "insufficient_data"
    return "unreliable"


def _recommendation(room: RoomResult) -> Recommendation:
    """Return the recommendation the default rules give this room, with its reasons."""
    if room.voice == "insufficient_data":
        return Recommendation("resurvey", [f"{room.samples} samples, {room.verdicts[0].required_samples} needed"])
    if room.analog_line and room.voice != "reliable":
        return Recommendation("keep_analog_line", ["mobile voice is not reliable on any operator"])
    if room.analog_line:
        return Recommendation("analog_line_optional", ["mobile voice is reliable"])
    if room.voice != "reliable" and room.criticality in ("vital", "high"):
        reasons = ["mobile voice is not reliable on any operator", f"criticality {room.criticality}"]
        return Recommendation("install_analog_line", reasons)
    if room.voice != "reliable":
        return Recommendation("nearest_line", ["the nearest line is 12.5 m away"], line_room_ref="A0-113", distance_m=12.5)
    return Recommendation("none")


def _level(level_id: int, name: str, ordinal: int, specs: list, first_room_id: int, rng) -> LevelResult:
    """Build one level's rooms, samples and verdicts."""
    rows: list[dict] = []
    rooms: list[RoomResult] = []
    for offset, (ref, room_name, category, criticality, line, geometry, means) in enumerate(specs):
        room_id = first_room_id + offset
        if means is not None:
            start = FIRST_SAMPLE + pd.Timedelta(days=level_id, minutes=offset * 10)
            rows.extend(_room_samples(rng, room_id, level_id, geometry, means, start))
        rooms.append(
            RoomResult(
                room_id=room_id,
                level_id=level_id,
                level_name=name,
                ref=ref,
                name=room_name,
                category=category,
                criticality=criticality,
                analog_line=line,
                line_number="04 77 00 00 00" if line else "",
                area_m2=geometry.area,
                geometry=geometry,
            )
        )

    samples = conform(pd.DataFrame(rows))
    for room in rooms:
        own = samples[samples["room_id"] == room.room_id]
        room.samples = len(own)
        room.verdicts = _operator_verdicts(DEFAULT_POLICY, own, room.area_m2, room.criticality)
        room.voice = _combined_voice(room.verdicts)
        if len(own):
            room.median_signal_dbm = float(own["rsrp_dbm"].fillna(-140.0).median())
        room.recommendation = _recommendation(room)
    for room in rooms:
        if room.median_signal_dbm is not None and room.median_signal_dbm <= -130:
            room.shielded = True
            room.neighbour_median_dbm = -92.0
            room.attenuation_db = room.neighbour_median_dbm - room.median_signal_dbm
    return LevelResult(level_id=level_id, building="Bâtiment A", name=name, ordinal=ordinal, rooms=rooms, samples=samples)


def build_analysis() -> SiteAnalysis:
    """Return the hand-built analysis of the test site."""
    rng = np.random.default_rng(20250311)
    levels = [
        _level(1, "Rez-de-chaussée", 0, GROUND_FLOOR, 100, rng),
        _level(2, "Sous-sol", -1, BASEMENT, 200, rng),
    ]
    times = pd.concat([level.samples["time"] for level in levels])
    return SiteAnalysis(
        site_id=1,
        site_name=SITE_NAME,
        timezone="Europe/Paris",
        policy=DEFAULT_POLICY,
        operators=list(OPERATORS),
        levels=levels,
        surveys=["Campagne mars 2025"],
        first_sample=times.min().to_pydatetime(),
        last_sample=times.max().to_pydatetime(),
        unplaced_samples=3,
    )


@pytest.fixture(scope="session")
def analysis() -> SiteAnalysis:
    return build_analysis()


@pytest.fixture(scope="session")
def ground_floor(analysis: SiteAnalysis) -> LevelResult:
    return analysis.levels[0]


@pytest.fixture
def english():
    """Switch the current language to English for one test."""
    token = set_language("en")
    yield
    reset_language(token)


@pytest.fixture
def french():
    """Switch the current language to French for one test."""
    token = set_language("fr")
    yield
    reset_language(token)


@pytest.fixture(scope="session")
def script_name() -> str:
    """Return the name of the room whose name is an HTML script element."""
    return SCRIPT_NAME


@pytest.fixture(scope="session")
def formula_name() -> str:
    """Return the name of the room whose name looks like a spreadsheet formula."""
    return FORMULA_NAME
