"""Room analysis: per-room and per-operator statistics, voice verdicts and shielded rooms.

The rules, with their defaults in ``survey.policy``:

- a sample is usable for voice when the phone is in service on a voice technology (LTE, NR)
  with RSRP ≥ ``min_rsrp_dbm`` and SINR ≥ ``min_sinr_db`` (SINR ignored where not reported);
  no-service samples count as failures;
- a room is ``reliable`` for an operator when its share of usable samples reaches the pass
  rate of its criticality and it has enough samples, ``insufficient_data`` with too few
  samples, ``unreliable`` otherwise;
- a room is shielded when its signal is at least ``shield_margin_db`` below that of the
  spaces touching it. Where samples are placed by x, y, the two sides of each shared wall are
  compared from the samples near it (see ``attenuation_estimates``). No-service samples enter
  the medians at ``NO_SERVICE_DBM``, so a dead room next to covered spaces is shielded too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape
from sqlalchemy.orm import Session

from survey.metrics import NO_SERVICE_DBM
from survey.models import Site
from survey.operators import operator_name
from survey.policy import DEFAULT_POLICY, Policy
from survey.recommend import WALL_GAP_M, recommend
from survey.results import GroupVerdict, LevelResult, OperatorVerdict, RoomResult, SiteAnalysis
from survey.sampledb import load_samples
from survey.store import site_levels

# Fewest samples of one operator a room needs before its median is compared with neighbours'.
MIN_SAMPLES_FOR_MEDIAN = 5
# Samples this close to a shared wall compare the two sides of that wall, in metres: about
# half the correlation distance of indoor shadowing, so both sides see the same shadowing.
NEAR_WALL_M = 4.0


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
        doors = [shape(door) for door in level.doors or []]
        levels.append(LevelResult(level.id, level.building.name, level.name, level.ordinal, rooms, level_samples.reset_index(drop=True), doors))

    recommend([room for level in levels for room in level.rooms], policy, {level.level_id: level.doors for level in levels if level.doors})
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


def usable_on_any_technology(samples: pd.DataFrame, policy: Policy) -> pd.Series:
    """Return, per sample, whether it is usable for voice on any technology, 2G/3G included.

    LTE/NR samples follow :func:`usable_for_voice` (whatever the policy's voice technologies);
    a 3G sample needs an RSCP and a 2G sample an RSSI of at least the policy's 2G/3G thresholds.
    """
    in_service = samples["service"] == "in_service"
    technology = samples["technology"]
    modern = usable_for_voice(samples, replace(policy, voice_technologies=("lte", "nr")))
    umts = (technology == "umts") & (samples["rscp_dbm"] >= policy.legacy_min_signal_dbm["umts"])
    gsm = (technology == "gsm") & (samples["rssi_dbm"] >= policy.legacy_min_signal_dbm["gsm"])
    return (modern | (in_service & (umts | gsm))).fillna(False).astype(bool)


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
    usable = usable_for_voice(samples, policy).to_numpy()
    usable_any = usable_on_any_technology(samples, policy).to_numpy()
    signal = censored_signal(samples).to_numpy()
    plmns = samples["plmn"].to_numpy(dtype=object, na_value=None)
    no_service = (samples["service"] == "no_service").to_numpy()
    by_room = samples.groupby("room_id", observed=True).indices
    for room in rooms:
        positions = by_room.get(room.room_id, np.array([], dtype=int))
        room.samples = len(positions)
        room.median_signal_dbm = float(np.median(signal[positions])) if len(positions) else None
        room.verdicts = []
        for plmn, name in operators:
            mine = positions[plmns[positions] == plmn]
            evidence = _Evidence(usable[mine], usable_any[mine], signal[mine], int(no_service[mine].sum()))
            room.verdicts.append(_verdict(room, plmn, name, evidence, policy))
        room.voice = _combined_voice(room.verdicts, policy.required_operators)
        room.voice_all_technologies = _combined_voice(
            [replace(verdict, verdict=verdict.all_technologies.verdict) for verdict in room.verdicts], policy.required_operators
        )


@dataclass(frozen=True)
class _Evidence:
    """One room's samples of one operator: usable flags, censored signal, no-service count."""

    usable: np.ndarray
    usable_any: np.ndarray
    signal_dbm: np.ndarray
    no_service: int


def _decide(count: int, usable_count: int, required_samples: int, required_rate: float) -> tuple[str, float | None, float | None, float | None, bool | None]:
    """Return the verdict, pass rate, its Wilson 95 % bounds and whether the bounds settle it.

    NOTE: the Wilson interval assumes independent samples. Samples taken one a second while
    walking are correlated over the shadowing distance (several metres), so the interval is
    narrower than the true uncertainty of the room's pass rate.
    """
    if count == 0:
        return "insufficient_data", None, None, None, None
    pass_rate = usable_count / count
    low, high = wilson_interval(usable_count, count)
    if count < required_samples:
        return "insufficient_data", pass_rate, low, high, None
    if pass_rate >= required_rate:
        return "reliable", pass_rate, low, high, low >= required_rate
    return "unreliable", pass_rate, low, high, high < required_rate


def _verdict(room: RoomResult, plmn: str, name: str, evidence: _Evidence, policy: Policy) -> OperatorVerdict:
    count = len(evidence.usable)
    required = policy.required_samples(room.area_m2)
    required_rate = policy.pass_rate(room.criticality)

    # The voice technologies of the policy (LTE/NR by default), then every technology.
    usable_count = int(evidence.usable.sum())
    verdict, pass_rate, low, high, decisive = _decide(count, usable_count, required, required_rate)
    usable_any = int(evidence.usable_any.sum())
    any_verdict, any_rate, any_low, any_high, _settled = _decide(count, usable_any, required, required_rate)

    values = evidence.signal_dbm
    return OperatorVerdict(
        plmn=plmn,
        operator=name,
        verdict=verdict,
        samples=count,
        usable=usable_count,
        no_service=evidence.no_service,
        required_samples=required,
        required_pass_rate=required_rate,
        pass_rate=pass_rate,
        pass_rate_low=low,
        pass_rate_high=high,
        rsrp_p10_dbm=float(np.percentile(values, policy.low_percentile)) if count else None,
        rsrp_median_dbm=float(np.median(values)) if count else None,
        decisive=decisive,
        all_technologies=GroupVerdict("all", any_verdict, count, usable_any, any_rate, any_low, any_high),
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


def neighbours(rooms: list[RoomResult], gap_m: float = WALL_GAP_M) -> list[list[int]]:
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
    local = _local_medians(rooms, samples)
    for room, attenuation in zip(rooms, attenuation_estimates(rooms, medians, policy.shield_margin_db, local)):
        if attenuation is not None:
            room.attenuation_db = attenuation
            room.shielded = attenuation >= policy.shield_margin_db
            room.neighbour_median_dbm = (room.median_signal_dbm or 0) + attenuation


def attenuation_estimates(
    rooms: list[RoomResult],
    medians: dict[int, dict[str, float]],
    margin_db: float,
    local: dict[tuple[int, int, str], tuple[float, float]] | None = None,
) -> list[float | None]:
    """Return, per room, how far its signal lies below that of the spaces touching it, in dB.

    ``medians`` maps room id → PLMN → the median signal of that room and operator in dBm,
    with no-service samples at ``NO_SERVICE_DBM``. Per operator, the neighbours that are open
    spaces are kept (:func:`_open_neighbours`), and the drop across each one's wall is taken.
    That drop comes from ``local`` when it has the medians of both sides near that wall (keyed
    by room index, neighbour index and PLMN, see :func:`_local_medians`), and from the two
    whole-room medians otherwise. The operator's attenuation is the upper quartile of those drops: a room is
    measured against the open spaces it leads to rather than against a weak store room behind
    one of its walls. The room's estimate is the median over operators; a room with no operator
    measured both in it and in a covered neighbour gets None.
    """
    local = local or {}
    estimates: list[float | None] = []
    for index, adjacent in enumerate(neighbours(rooms)):
        attenuations = []
        for plmn, own in medians.get(rooms[index].room_id, {}).items():
            around = {other: medians[rooms[other].room_id][plmn] for other in adjacent if plmn in medians.get(rooms[other].room_id, {})}
            open_spaces = _open_neighbours(around, margin_db)
            # An operator absent from the neighbours too tells nothing about the walls.
            if not open_spaces or max(around.values()) <= NO_SERVICE_DBM + margin_db:
                continue
            drops = []
            for other in open_spaces:
                near_other, near_own = local.get((index, other, plmn), (around[other], own))
                drops.append(near_other - near_own)
            attenuations.append(float(np.percentile(drops, 75)))
        estimates.append(float(np.median(attenuations)) if attenuations else None)
    return estimates


def _open_neighbours(around: dict[int, float], margin_db: float) -> list[int]:
    """Return the neighbours that are not themselves ``margin_db`` below the strongest one.

    Two shielded rooms side by side must not hide each other.
    """
    if not around:
        return []
    strongest = max(around.values())
    return [other for other, level in around.items() if level > strongest - margin_db]


def _local_medians(rooms: list[RoomResult], samples: pd.DataFrame) -> dict[tuple[int, int, str], tuple[float, float]]:
    """Return the medians on both sides of each shared wall, from samples near that wall.

    For room ``i``, neighbour ``j`` and operator ``p``, the value is (median of ``j``'s samples
    within ``NEAR_WALL_M`` of room ``i``, median of ``i``'s samples within ``NEAR_WALL_M`` of
    room ``j``), in dBm with no-service samples at ``NO_SERVICE_DBM``. A long corridor then
    meets each room where they touch instead of through its median over the whole floor, whose
    signal changes along it. Pairs with fewer than ``MIN_SAMPLES_FOR_MEDIAN`` placed samples on
    either side are left out, so rooms placed by room visits alone fall back to whole-room medians.
    """
    placed = samples[samples["x_m"].notna() & samples["y_m"].notna() & samples["room_id"].notna() & samples["plmn"].notna()]
    if placed.empty:
        return {}
    points = shapely.points(placed["x_m"].to_numpy(dtype=float), placed["y_m"].to_numpy(dtype=float))
    signal = censored_signal(placed).to_numpy()
    plmns = placed["plmn"].to_numpy(dtype=object)
    by_room = placed.groupby("room_id", observed=True).indices

    local = {}
    for index, adjacent in enumerate(neighbours(rooms)):
        own = by_room.get(rooms[index].room_id)
        if own is None:
            continue
        for other in adjacent:
            theirs = by_room.get(rooms[other].room_id)
            if theirs is None:
                continue
            near_own = own[shapely.dwithin(rooms[other].geometry, points[own], NEAR_WALL_M)]
            near_theirs = theirs[shapely.dwithin(rooms[index].geometry, points[theirs], NEAR_WALL_M)]
            for plmn in set(plmns[near_own]) & set(plmns[near_theirs]):
                mine = signal[near_own][plmns[near_own] == plmn]
                yours = signal[near_theirs][plmns[near_theirs] == plmn]
                if len(mine) >= MIN_SAMPLES_FOR_MEDIAN and len(yours) >= MIN_SAMPLES_FOR_MEDIAN:
                    local[(index, other, plmn)] = (float(np.median(yours)), float(np.median(mine)))
    return local


def _median_by_room_and_operator(samples: pd.DataFrame) -> dict[int, dict[str, float]]:
    frame = pd.DataFrame({"room_id": samples["room_id"], "plmn": samples["plmn"], "signal": censored_signal(samples)})
    frame = frame.dropna(subset=["room_id", "plmn"])
    grouped = frame.groupby(["room_id", "plmn"], observed=True)["signal"].agg(["median", "size"])
    grouped = grouped[grouped["size"] >= MIN_SAMPLES_FOR_MEDIAN]
    medians: dict[int, dict[str, float]] = {}
    for (room_id, plmn), row in grouped.iterrows():
        medians.setdefault(int(room_id), {})[plmn] = float(row["median"])
    return medians
