"""Benchmark scenarios: a generated floor, its cells, a walked survey and the ground truth.

:func:`simulate_scenario` turns a :class:`Scenario` and a seed into what the analysis and the
gridders consume (rooms and a sample table) and into what they are judged against (the
noise-free field per room and per grid cell). The radio model is that of the sample hospital:
log-distance path loss, façade loss, walls crossed on the ray, shielding, correlated
shadowing, fast fading, and phones that round to 1 dB and lose service below their
sensitivity. Here walls have several materials and cells use several bands and technologies.

Every number here is an estimate chosen to look like a real survey; none is a prediction for
a real building.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely
from scipy.special import ndtr

from survey.operators import FRENCH_OPERATORS
from survey.results import RoomResult
from survey.samples import conform
from survey.simulate import radio
from survey.simulate.building import CONCRETE, DRYWALL, Hospital, Level
from survey.simulate.floors import BRICK, GLASS, METAL, FloorPlan, build_floor
from survey.simulate.radio import RadioModel, Station
from survey.simulate.walk import WalkDensity, plan_walk

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Band:
    """A carrier as phones report it: technology, downlink frequency and channel number."""

    technology: str
    frequency_mhz: float
    channel: int
    # Offset of the cell's primary level over the LTE per-resource-element EIRP, in dB:
    # RSCP is measured on a 3.84 MHz pilot code and GSM RSSI over a 200 kHz carrier, both
    # wider than one 15 kHz resource element (estimates).
    level_offset_db: float = 0.0


BANDS = {
    "L20": Band("lte", 806.0, 6300),
    "L3": Band("lte", 1840.0, 1300),
    "L7": Band("lte", 2660.0, 3000),
    "n78": Band("nr", 3500.0, 636666),
    "U900": Band("umts", 947.6, 3038, level_offset_db=15.0),
    "G900": Band("gsm", 947.0, 60, level_offset_db=20.0),
}
VOICE_LAYER = ("lte", "nr")

# Level below which a phone loses service, per technology, in dBm of its primary metric:
# the sample hospital's −124 dBm RSRP, and estimates for 3G RSCP and 2G RSSI.
SENSITIVITY_DBM = {"lte": radio.SENSITIVITY_DBM, "nr": radio.SENSITIVITY_DBM, "umts": -117.0, "gsm": -104.0}

# A phone leaves LTE/NR for 2G/3G when its best LTE/NR cell falls below this RSRP (estimate
# of operators' reselection thresholds).
LEGACY_FALLBACK_DBM = -120.0

# Interior wall losses per material, as (intercept dB, dB per GHz). Plasterboard is the
# sample hospital's estimate. Concrete and standard glass follow the 3GPP TR 38.901
# outdoor-to-indoor model (5 + 4 f and 2 + 0.2 f, f in GHz). Brick follows the 6–8 dB of
# concrete blocks and metal the 19–27 dB of steel doors in a hospital measurement study.
MATERIAL_LOSS_DB = {
    DRYWALL: (radio.DRYWALL_LOSS_DB, 0.0),
    BRICK: (7.0, 0.0),
    CONCRETE: (radio.CONCRETE_LOSS_INTERCEPT_DB, radio.CONCRETE_LOSS_DB_PER_GHZ),
    GLASS: (2.0, 0.2),
    METAL: (23.0, 0.0),
}

# Usable-for-voice threshold behind the truth's expected pass rate, dBm (the default policy).
USABLE_RSRP_DBM = -110.0

# Random streams of one scenario, so that changing one part never changes the others.
STREAM_FLOOR, STREAM_CELLS, STREAM_WALK, STREAM_MEASURE = range(1, 5)
SURVEY_START = pd.Timestamp("2026-11-03 09:00:00", tz="Europe/Paris")
LEVEL_ID = 1


@dataclass(frozen=True)
class Scenario:
    """One benchmark case: the floor, the networks and how densely it is walked.

    Parameters
    ----------
    name
        Label in benchmark tables.
    floor
        The generated floor: layout, size, room count, shielded rooms and wall materials.
    operators
        PLMNs surveyed, one phone each.
    bands
        Band labels of :data:`BANDS`; each operator has one cell per band.
    cell_distance_m
        Range of the cells' distances from the floor's centre, in metres.
    shadowing_sigma_db, shadowing_correlation_m
        Log-normal shadowing: standard deviation in dB and correlation distance in metres.
    fast_fading_sigma_db
        Spread of one phone reading around the local mean, in dB.
    min_samples, area_per_sample_m2
        Time the technician spends in each room: at least ``min_samples`` seconds and one
        second per ``area_per_sample_m2``, at one sample per second.
    brief_room_fraction
        Share of rooms entered only a step past the door.
    truth_grid_m
        Pitch of the grid over which room truths are computed, in metres.
    """

    name: str = "default"
    floor: FloorPlan = field(default_factory=FloorPlan)
    operators: tuple[str, ...] = ("208-01", "208-10", "208-15")
    bands: tuple[str, ...] = ("L20", "L3", "L7")
    cell_distance_m: tuple[float, float] = (50.0, 250.0)
    shadowing_sigma_db: float = radio.SHADOWING_SIGMA_DB
    shadowing_correlation_m: float = radio.SHADOWING_CORRELATION_M
    fast_fading_sigma_db: float = radio.FAST_FADING_SIGMA_DB
    min_samples: int = 12
    area_per_sample_m2: float = 3.0
    brief_room_fraction: float = 0.0
    truth_grid_m: float = 0.5

    def validate(self) -> None:
        """Raise ValueError naming the first invalid setting."""
        self.floor.validate()
        unknown = [band for band in self.bands if band not in BANDS]
        if unknown:
            raise ValueError(f"unknown bands {unknown}; known: {', '.join(BANDS)}")
        if not any(BANDS[band].technology in VOICE_LAYER for band in self.bands):
            raise ValueError("bands must include at least one LTE or NR band")
        if not self.operators:
            raise ValueError("operators must name at least one PLMN")
        if not 0 <= self.brief_room_fraction <= 1:
            raise ValueError(f"brief_room_fraction must be from 0 to 1, got {self.brief_room_fraction}")
        if self.area_per_sample_m2 <= 0 or self.min_samples < 1:
            raise ValueError("min_samples must be at least 1 and area_per_sample_m2 positive")


class ScenarioRadioModel(RadioModel):
    """The sample hospital's radio model with walls by material and several technologies."""

    def __init__(self, hospital: Hospital, seed: int, stations: list[Station], scenario: Scenario) -> None:
        super().__init__(hospital, seed, stations)
        self.shadowing_sigma_db = scenario.shadowing_sigma_db
        self.shadowing_correlation_m = scenario.shadowing_correlation_m
        self.fast_fading_sigma_db = scenario.fast_fading_sigma_db

    def wall_losses_db(self, station: Station, level: Level) -> np.ndarray:
        """Return each interior wall's loss: that of the lossier of its two rooms' materials."""
        frequency_ghz = station.frequency_mhz / 1000
        per_room = np.array([
            MATERIAL_LOSS_DB[room.wall_material][0] + MATERIAL_LOSS_DB[room.wall_material][1] * frequency_ghz
            for room in level.rooms
        ])
        if len(level.walls.rooms) == 0:
            return np.zeros(0)
        return per_room[level.walls.rooms].max(axis=1)

    def technology_of(self, station: Station) -> str:
        return BANDS[station.band].technology

    def true_rsrp_dbm(self, plmn: str, ordinal: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the noise-free mean RSRP of the best LTE or NR cell at each point, in dBm."""
        per_station, common = self._mean_levels(plmn, ordinal, x, y)
        voice = self._voice_layer(plmn)
        return per_station[voice].max(axis=0) + common

    def measure_samples(self, plmn: str, ordinal: int, x: np.ndarray, y: np.ndarray,
                        rng: np.random.Generator) -> pd.DataFrame:
        """Simulate one phone reading per point, with fallback to 2G/3G where LTE/NR is weak.

        Returns the sample-table columns that a phone fills: ``technology``, ``service``,
        ``rsrp_dbm``, ``rsrq_db``, ``sinr_db`` (LTE/NR), ``rscp_dbm`` (3G), ``rssi_dbm``,
        ``signal_dbm`` and the serving cell's ``cell_id``, ``pci``, ``tac``, ``arfcn``, ``band``.
        Levels are rounded to 1 dB and SINR to 0.1 dB; rows below the sensitivity of their
        technology have no service and no metrics.
        """
        x = np.atleast_1d(np.asarray(x, dtype=float))
        y = np.atleast_1d(np.asarray(y, dtype=float))
        stations = self.stations_of(plmn)
        per_station, common = self._mean_levels(plmn, ordinal, x, y)
        offsets = np.array([BANDS[station.band].level_offset_db for station in stations])
        levels = per_station + common + offsets[:, None]

        # The phone camps on the best LTE/NR cell, or on the best 2G/3G cell below the fallback.
        serving = self._serving(plmn, levels)
        mean = levels[serving, np.arange(len(x))]
        technology = np.array([self.technology_of(stations[index]) for index in serving], dtype=object)

        # Fast fading, then the phone's sensitivity and rounding.
        level = mean + rng.normal(0.0, self.fast_fading_sigma_db, len(x))
        sensitivity = np.array([SENSITIVITY_DBM[name] for name in technology])
        in_service = level >= sensitivity
        return self._readings(stations, serving, technology, level, in_service, rng)

    def _voice_layer(self, plmn: str) -> np.ndarray:
        return np.array([self.technology_of(station) in VOICE_LAYER for station in self.stations_of(plmn)])

    def _serving(self, plmn: str, levels: np.ndarray) -> np.ndarray:
        voice = self._voice_layer(plmn)
        best_voice = np.where(voice[:, None], levels, -np.inf).argmax(axis=0)
        if voice.all():
            return best_voice
        best_legacy = np.where(voice[:, None], -np.inf, levels).argmax(axis=0)
        columns = np.arange(levels.shape[1])
        falls_back = levels[best_voice, columns] < LEGACY_FALLBACK_DBM
        return np.where(falls_back, best_legacy, best_voice)

    def _readings(self, stations: list[Station], serving: np.ndarray, technology: np.ndarray,
                  level: np.ndarray, in_service: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
        voice = np.isin(technology, VOICE_LAYER)
        cir = np.array([stations[index].carrier_to_interference_db for index in serving])
        sinr, rsrq, rssi = radio._quality(level, cir)
        sinr = sinr + rng.normal(0.0, radio.SINR_NOISE_SIGMA_DB, len(level))
        rsrq = rsrq + rng.normal(0.0, radio.RSRQ_NOISE_SIGMA_DB, len(level))
        rounded = np.round(level)

        frame = pd.DataFrame({
            "technology": np.where(in_service, technology, None),
            "service": np.where(in_service, "in_service", "no_service"),
            "rsrp_dbm": np.where(in_service & voice, rounded, np.nan),
            "rsrq_db": np.where(in_service & voice, np.clip(np.round(rsrq), -20, -3), np.nan),
            "sinr_db": np.where(in_service & voice, np.clip(np.round(sinr, 1), -20.0, 30.0), np.nan),
            "rscp_dbm": np.where(in_service & (technology == "umts"), rounded, np.nan),
            "rssi_dbm": np.where(in_service & (technology == "gsm"), rounded,
                                 np.where(in_service & voice, np.round(rssi), np.nan)),
            "signal_dbm": np.where(in_service, rounded, np.nan),
        })
        identity = radio._cell_identity(stations, serving, in_service)
        identity["arfcn"] = pd.array([BANDS[stations[i].band].channel for i in serving], dtype="Int64")
        identity.loc[~in_service, "arfcn"] = pd.NA
        return frame.join(identity[["cell_id", "pci", "tac", "arfcn", "band"]])


@dataclass
class ScenarioTruth:
    """What a scenario's survey is judged against.

    ``rooms`` has one row per room and operator: ``room_id``, ``ref``, ``plmn``,
    ``shielded`` (extra loss of at least 20 dB), ``extra_loss_db``, ``wall_material``,
    ``true_median_rsrp_dbm`` (median of the noise-free LTE/NR RSRP over a grid of the room),
    ``true_no_service_fraction`` (share of that grid below the phone's sensitivity) and
    ``expected_usable_fraction`` (expected share of phone samples at or above −110 dBm once
    fast fading is added; SINR is not modelled in it).
    """

    scenario: Scenario
    level: Level
    model: ScenarioRadioModel
    rooms: pd.DataFrame

    @property
    def shielded_refs(self) -> set[str]:
        return set(self.rooms.loc[self.rooms["shielded"], "ref"])

    def true_rsrp_dbm(self, plmn: str, x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
        """Return the noise-free LTE/NR RSRP at plan points of the floor, in dBm."""
        return self.model.true_rsrp_dbm(plmn, self.level.ordinal, np.asarray(x_m), np.asarray(y_m))

    def grid(self, plmn: str, resolution_m: float = 0.5):
        """Return the true RSRP on the same grid a gridder of ``resolution_m`` draws.

        The result is a :class:`survey.gridding.Grid` with ``method="truth"`` and a zero
        spread; cells outside every room are NaN.
        """
        from survey.gridding import Grid, grid_axes, room_index_grid

        polygons = [room.polygon for room in self.level.rooms]
        x_m, y_m = grid_axes(shapely.GeometryCollection(polygons).bounds, resolution_m)
        room_index = room_index_grid(polygons, x_m, y_m)
        values = np.full(room_index.shape, np.nan)
        inside = room_index >= 0
        rows, columns = np.nonzero(inside)
        values[inside] = self.true_rsrp_dbm(plmn, x_m[columns], y_m[rows])
        return Grid(x_m, y_m, values, np.zeros_like(values), room_index, resolution_m, method="truth")


def simulate_scenario(scenario: Scenario, seed: int) -> tuple[list[RoomResult], pd.DataFrame, ScenarioTruth]:
    """Simulate a floor, its survey and its ground truth.

    Parameters
    ----------
    scenario
        What to simulate.
    seed
        Seed of every random draw (floor, cells, walk, readings); the same seed gives the
        same result.

    Returns
    -------
    rooms, samples, truth
        ``rooms`` are analysis rooms (``RoomResult``) with ids 1..n on level id 1;
        ``samples`` is a sample table (``survey.samples``) with one row per phone and second,
        placed by x, y and room; ``truth`` is the :class:`ScenarioTruth`.
    """
    scenario.validate()
    level = build_floor(scenario.floor, np.random.default_rng([seed, STREAM_FLOOR]))
    hospital = Hospital(building="Scénario", levels=[level], seed=seed)
    stations = _stations(scenario, level, np.random.default_rng([seed, STREAM_CELLS]))
    model = ScenarioRadioModel(hospital, seed, stations, scenario)

    rooms = [room_result(room, index + 1, LEVEL_ID, level.name) for index, room in enumerate(level.rooms)]
    truth = ScenarioTruth(scenario, level, model, _room_truth(scenario, level, model))
    samples = survey_scenario(truth, seed)
    logger.info("scenario %s seed %d: %d rooms, %d samples", scenario.name, seed, len(rooms), len(samples))
    return rooms, samples, truth


def _stations(scenario: Scenario, level: Level, rng: np.random.Generator) -> list[Station]:
    # One cell per operator and band, at a random bearing and distance from the floor's centre.
    centre = level.footprint.centroid
    stations = []
    for operator_index, plmn in enumerate(scenario.operators):
        for band_index, band_name in enumerate(scenario.bands):
            band = BANDS[band_name]
            bearing = rng.uniform(0, 2 * np.pi)
            distance = rng.uniform(*scenario.cell_distance_m)
            number = operator_index * len(scenario.bands) + band_index
            stations.append(Station(
                plmn=plmn,
                name=f"{FRENCH_OPERATORS.get(plmn, plmn)} {band_name}",
                x_m=round(centre.x + distance * np.cos(bearing), 1),
                y_m=round(centre.y + distance * np.sin(bearing), 1),
                height_m=round(float(rng.uniform(25, 35)), 1),
                eirp_dbm=round(float(rng.uniform(18, 20)), 1),
                band=band_name,
                earfcn=band.channel,
                frequency_mhz=band.frequency_mhz,
                enb_id=10_000 + number,
                local_cell_id=band_index + 1,
                pci=int(rng.integers(0, 504)),
                tac=1000 + operator_index,
                carrier_to_interference_db=round(float(rng.uniform(12, 14)), 1),
            ))
    return stations


def room_result(room, room_id: int, level_id: int, level_name: str) -> RoomResult:
    """Return the empty analysis record of a simulated room, ready for the analysis rules."""
    return RoomResult(
        room_id=room_id,
        level_id=level_id,
        level_name=level_name,
        ref=room.ref,
        name=room.name,
        category=room.category,
        criticality=room.criticality,
        analog_line=room.analog_line,
        line_number=room.line_number or "",
        area_m2=room.area_m2,
        geometry=room.polygon,
    )


def survey_scenario(truth: ScenarioTruth, seed: int) -> pd.DataFrame:
    """Walk the scenario's floor with one phone per operator and return the sample table.

    The walk and the readings' random draws depend on ``seed`` only. Surveying again with the
    same seed after a change of the radio model, such as an indoor antenna system, gives the
    same positions and fading, so the survey differs only where the field changed.
    """
    scenario, level, model = truth.scenario, truth.level, truth.model

    # One walk, carried with one phone per operator: one reading per phone and second.
    walk_rng = np.random.default_rng([seed, STREAM_WALK])
    rooms_with_doors = [room.ref for room in level.rooms if room.door is not None]
    brief_count = int(round(scenario.brief_room_fraction * len(rooms_with_doors)))
    brief = frozenset(walk_rng.choice(rooms_with_doors, size=brief_count, replace=False)) if brief_count else frozenset()
    density = WalkDensity(min_samples=scenario.min_samples, area_per_sample_m2=scenario.area_per_sample_m2)
    walk = plan_walk(level, SURVEY_START, int(walk_rng.integers(2**31)), density=density, brief_rooms=brief)
    positions = walk.positions

    room_ids = {room.ref: index + 1 for index, room in enumerate(level.rooms)}
    room_id = pd.array([room_ids.get(ref) for ref in positions["room_ref"]], dtype="Int64")
    frames = []
    for index, plmn in enumerate(scenario.operators):
        rng = np.random.default_rng([seed, STREAM_MEASURE, index])
        readings = model.measure_samples(plmn, level.ordinal, positions["x_m"].to_numpy(), positions["y_m"].to_numpy(), rng)
        readings["time"] = positions["time"].dt.tz_convert("UTC")
        readings["x_m"] = positions["x_m"].to_numpy()
        readings["y_m"] = positions["y_m"].to_numpy()
        readings["room_id"] = room_id
        readings["plmn"] = plmn
        readings["operator"] = FRENCH_OPERATORS.get(plmn, plmn)
        readings["row_number"] = np.arange(2, len(readings) + 2)
        readings["upload_id"] = index + 1
        frames.append(readings)
    samples = pd.concat(frames, ignore_index=True)
    samples["level_id"] = LEVEL_ID
    samples["position_source"] = "xy"
    samples["serving"] = True
    samples["device_model"] = "simulated"
    return conform(samples)


def _room_truth(scenario: Scenario, level: Level, model: ScenarioRadioModel) -> pd.DataFrame:
    from survey.gridding import grid_axes, room_index_grid

    # Every room's cells of one grid, evaluated in one call per operator.
    polygons = [room.polygon for room in level.rooms]
    x_m, y_m = grid_axes(level.footprint.bounds, scenario.truth_grid_m)
    room_index = room_index_grid(polygons, x_m, y_m)
    rows, columns = np.nonzero(room_index >= 0)
    owner = room_index[rows, columns]

    records = []
    for plmn in scenario.operators:
        values = model.true_rsrp_dbm(plmn, level.ordinal, x_m[columns], y_m[rows])
        usable = ndtr((values - USABLE_RSRP_DBM) / scenario.fast_fading_sigma_db)
        frame = pd.DataFrame({"owner": owner, "value": values, "usable": usable,
                              "dead": values < radio.SENSITIVITY_DBM})
        stats = frame.groupby("owner").agg(median=("value", "median"), usable=("usable", "mean"), dead=("dead", "mean"))
        for index, room in enumerate(level.rooms):
            found = index in stats.index
            records.append({
                "room_id": index + 1,
                "ref": room.ref,
                "plmn": plmn,
                "category": room.category,
                "shielded": room.shielded,
                "extra_loss_db": room.extra_loss_db,
                "wall_material": room.wall_material,
                "area_m2": room.area_m2,
                "true_median_rsrp_dbm": float(stats.at[index, "median"]) if found else np.nan,
                "true_no_service_fraction": float(stats.at[index, "dead"]) if found else np.nan,
                "expected_usable_fraction": float(stats.at[index, "usable"]) if found else np.nan,
            })
    return pd.DataFrame.from_records(records)
