"""Room analysis: per-room and per-operator statistics, voice verdicts and shielded rooms.

The rules, with their defaults in ``survey.policy``:

- a sample is usable for voice when the phone is in service on a voice technology (LTE, NR)
  with RSRP ≥ ``min_rsrp_dbm`` and SINR ≥ ``min_sinr_db`` (SINR ignored where not reported);
  no-service samples count as failures;
- a room is ``reliable`` for an operator when its share of usable samples reaches the pass
  rate of its criticality and it has enough samples, ``insufficient_data`` with too few
  samples, ``unreliable`` otherwise;
- a room is shielded when its median signal is at least ``shield_margin_db`` below that of the
  spaces touching it; no-service samples enter the medians at ``NO_SERVICE_DBM``, so a dead room
  next to covered spaces is shielded too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
import shapely
from sqlalchemy.orm import Session

from survey.metrics import NO_SERVICE_DBM
from survey.models import Site
from survey.operators import operator_name
from survey.policy import DEFAULT_POLICY, Policy
from survey.recommend import recommend
from survey.results import LevelResult, OperatorVerdict, RoomResult, SiteAnalysis
from survey.sampledb import load_samples
from survey.store import site_levels

# Touching spaces: rooms closer than this share a wall (drawings leave small gaps), in metres.
NEIGHBOUR_GAP_M = 0.3
# Fewest samples of one operator a room needs before its median is compared with neighbours'.
MIN_SAMPLES_FOR_MEDIAN = 5


def analyze_site(session: Session, site: Site, policy: Policy = DEFAULT_POLICY, survey_ids: list[int] | None = None) -> SiteAnalysis:
    """Analyze every room of a site from the samples of its surveys (or of ``survey_ids``)."""
    samples = load_samples(session, site.id, survey_ids)
    serving = samples[samples["serving"]]
    operators = _operators(serving, site.operator_names or {})

    levels = []
    for level in site_levels(session, site):
        level_samples = serving[(serving["level_id"] == level.id).fillna(False)]
        rooms = [_room_result(room, level.name) for room in level.rooms]
        _fill_verdicts(rooms, level_samples, operators, policy)
        _fill_shielding(rooms, level_samples, policy)
        levels.append(LevelResult(level.id, level.building.name, level.name, level.ordinal, rooms, level_samples.reset_index(drop=True)))

    recommend([room for level in levels for room in level.rooms], policy)
    times = samples["time"].dropna()
    return SiteAnalysis(
        site_id=site.id,
        site_name=site.name,
        timezone=site.timezone,
        policy=policy,
        operators=operators,
        levels=levels,
        surveys=sorted(survey.name for survey in site.surveys if not survey_ids or survey.id in survey_ids),
        first_sample=times.min().to_pydatetime() if len(times) else None,
        last_sample=times.max().to_pydatetime() if len(times) else None,
        unplaced_samples=int((samples["position_source"] == "none").sum()),
    )


def usable_for_voice(samples: pd.DataFrame, policy: Policy) -> pd.Series:
    """Return, per sample, whether it is usable for a voice call under ``policy``."""
    in_service = samples["service"] == "in_service"
    technology = samples["technology"].isin(policy.voice_technologies)
    strong = samples["rsrp_dbm"] >= policy.min_rsrp_dbm
    clean = samples["sinr_db"].isna() | (samples["sinr_db"] >= policy.min_sinr_db)
    return (in_service & technology & strong & clean).fillna(False).astype(bool)


def wilson_interval(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """Return the Wilson score interval of a proportion (95 % for ``z=1.96``)."""
    if trials == 0:
        return (math.nan, math.nan)
    proportion = successes / trials
    denominator = 1 + z**2 / trials
    centre = (proportion + z**2 / (2 * trials)) / denominator
    half_width = z * math.sqrt(proportion * (1 - proportion) / trials + z**2 / (4 * trials**2)) / denominator
    return (max(0.0, centre - half_width), min(1.0, centre + half_width))


def censored_signal(samples: pd.DataFrame) -> pd.Series:
    """Return each sample's signal in dBm, with no-service samples at ``NO_SERVICE_DBM``."""
    signal = samples["signal_dbm"].astype(float)
    return signal.where(samples["service"] != "no_service", NO_SERVICE_DBM)


def _operators(samples: pd.DataFrame, names: dict) -> list[tuple[str, str]]:
    operators = []
    for plmn, group in samples.dropna(subset=["plmn"]).groupby("plmn", observed=True):
        fallback = group["operator"].dropna()
        operators.append((plmn, operator_name(plmn, fallback.iloc[0] if len(fallback) else None, names)))
    return sorted(operators)


def _room_result(room, level_name: str) -> RoomResult:
    return RoomResult(
        room_id=room.id,
        level_id=room.level_id,
        level_name=level_name,
        ref=room.ref,
        name=room.name,
        category=room.category,
        criticality=room.criticality,
        analog_line=room.analog_line,
        line_number=room.line_number,
        area_m2=room.area_m2,
        geometry=shapely.from_wkb(room.geometry),
    )


def _fill_verdicts(rooms: list[RoomResult], samples: pd.DataFrame, operators: list[tuple[str, str]], policy: Policy) -> None:
    usable = usable_for_voice(samples, policy)
    signal = censored_signal(samples)
    by_room = samples.groupby("room_id", observed=True).indices
    for room in rooms:
        positions = by_room.get(room.room_id, np.array([], dtype=int))
        room_samples = samples.iloc[positions]
        room.samples = len(room_samples)
        room.median_signal_dbm = float(np.median(signal.iloc[positions])) if len(positions) else None
        room.verdicts = [
            _verdict(room, plmn, name, room_samples, usable.iloc[positions], signal.iloc[positions], policy)
            for plmn, name in operators
        ]
        room.voice = _combined_voice(room.verdicts, policy.required_operators)


def _verdict(room: RoomResult, plmn: str, name: str, samples: pd.DataFrame, usable: pd.Series, signal: pd.Series, policy: Policy) -> OperatorVerdict:
    mine = (samples["plmn"] == plmn).fillna(False).to_numpy()
    count = int(mine.sum())
    usable_count = int(usable.to_numpy()[mine].sum())
    required = policy.required_samples(room.area_m2)
    required_rate = policy.pass_rate(room.criticality)
    pass_rate = usable_count / count if count else None
    low, high = wilson_interval(usable_count, count)
    values = signal.to_numpy()[mine]
    if count < required:
        verdict = "insufficient_data"
    elif pass_rate >= required_rate:
        verdict = "reliable"
    else:
        verdict = "unreliable"
    return OperatorVerdict(
        plmn=plmn,
        operator=name,
        verdict=verdict,
        samples=count,
        usable=usable_count,
        no_service=int((samples["service"].to_numpy()[mine] == "no_service").sum()),
        required_samples=required,
        required_pass_rate=required_rate,
        pass_rate=pass_rate,
        pass_rate_low=None if count == 0 else low,
        pass_rate_high=None if count == 0 else high,
        rsrp_p10_dbm=float(np.percentile(values, policy.low_percentile)) if count else None,
        rsrp_median_dbm=float(np.median(values)) if count else None,
    )


def _combined_voice(verdicts: list[OperatorVerdict], required: Iterable[str]) -> str:
    """Return the room's voice verdict over the required operators (or any operator)."""
    required = list(required)
    if "any" in required:
        states = [verdict.verdict for verdict in verdicts]
        if "reliable" in states:
            return "reliable"
        return "unreliable" if states and all(state == "unreliable" for state in states) else "insufficient_data"
    states = [next((v.verdict for v in verdicts if v.plmn == plmn), "insufficient_data") for plmn in required]
    if "unreliable" in states:
        return "unreliable"
    return "reliable" if states and all(state == "reliable" for state in states) else "insufficient_data"


def neighbours(rooms: list[RoomResult], gap_m: float = NEIGHBOUR_GAP_M) -> list[list[int]]:
    """Return, per room, the indices of the rooms of the same level that touch it."""
    geometries = [room.geometry for room in rooms]
    if not geometries:
        return []
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="dwithin", distance=gap_m)
    touching: list[list[int]] = [[] for _ in rooms]
    for a, b in zip(left, right):
        if a != b:
            touching[a].append(int(b))
    return touching


def _fill_shielding(rooms: list[RoomResult], samples: pd.DataFrame, policy: Policy) -> None:
    medians = _median_by_room_and_operator(samples)
    for index, adjacent in enumerate(neighbours(rooms)):
        room = rooms[index]
        attenuations = []
        for plmn, own in medians.get(room.room_id, {}).items():
            around = [medians[rooms[other].room_id][plmn] for other in adjacent if plmn in medians.get(rooms[other].room_id, {})]
            reference = _reference_level(around, policy.shield_margin_db)
            # An operator absent from the neighbours too says nothing about the walls.
            if reference is not None and reference > NO_SERVICE_DBM + policy.shield_margin_db:
                attenuations.append(reference - own)
        if attenuations:
            room.attenuation_db = float(np.median(attenuations))
            room.shielded = room.attenuation_db >= policy.shield_margin_db
            room.neighbour_median_dbm = (room.median_signal_dbm or 0) + room.attenuation_db


def _median_by_room_and_operator(samples: pd.DataFrame) -> dict[int, dict[str, float]]:
    frame = pd.DataFrame({"room_id": samples["room_id"], "plmn": samples["plmn"], "signal": censored_signal(samples)})
    frame = frame.dropna(subset=["room_id", "plmn"])
    grouped = frame.groupby(["room_id", "plmn"], observed=True)["signal"].agg(["median", "size"])
    grouped = grouped[grouped["size"] >= MIN_SAMPLES_FOR_MEDIAN]
    medians: dict[int, dict[str, float]] = {}
    for (room_id, plmn), row in grouped.iterrows():
        medians.setdefault(int(room_id), {})[plmn] = float(row["median"])
    return medians


def _reference_level(neighbour_medians: list[float], margin_db: float) -> float | None:
    """Return the signal level of the spaces around a room, in dBm.

    Neighbours that are themselves ``margin_db`` below the strongest one are left out (two
    shielded rooms side by side must not hide each other). Of the others, the upper quartile of
    their medians is taken: a room is measured against the open spaces it leads to rather than
    against a weak store room behind one of its walls.
    """
    if not neighbour_medians:
        return None
    strongest = max(neighbour_medians)
    open_spaces = [value for value in neighbour_medians if value > strongest - margin_db]
    return float(np.percentile(open_spaces, 75))
