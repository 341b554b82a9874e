"""Radio model of the sample hospital: outdoor LTE cells and what phones indoors report.

For each cell of the operator, the mean received RSRP at a point is the cell's EIRP per
resource element minus a log-distance path loss and the building entry loss. The losses of
the interior walls crossed on the straight line from the cell come off too. The strongest
cell serves. Then the level's terms apply: shielding inside shielded rooms, the basement
loss, a height gain per floor and a spatially correlated shadowing field per operator and
level. Phones add fast fading per sample, round like Android does, and lose service below
their sensitivity.

Every number is an estimate chosen so that the sample hospital looks like a real survey:
most rooms usable, a few marginal ones, the basement weaker, shielded rooms far below their
neighbours. None of it is a prediction for a real building.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

from survey.operators import FRENCH_OPERATORS
from survey.simulate.building import Hospital, Level
from survey.simulate.walls import summed_wall_loss_db

# Path loss: log-distance model with free-space loss at 1 m (Friis) and an exponent of 3.0,
# the low end of outdoor macro-cell slopes, so that cells 50–300 m away serve the building.
PATH_LOSS_EXPONENT = 3.0

# Building entry loss of the façade, dB. ITU-R P.2109 gives a median of about 14 dB for
# traditional buildings on horizontal paths at 0.8–3.5 GHz.
BUILDING_ENTRY_LOSS_DB = 13.0

# Interior wall losses, dB: a plasterboard partition (estimate), and concrete from the
# 3GPP TR 38.901 outdoor-to-indoor model, 5 + 4 f with f in GHz.
DRYWALL_LOSS_DB = 4.0
CONCRETE_LOSS_INTERCEPT_DB = 5.0
CONCRETE_LOSS_DB_PER_GHZ = 4.0

# The summed wall loss L saturates softly at this value, as WALL_LOSS_CAP × (1 - exp(-L /
# WALL_LOSS_CAP)). Behind many walls most of the power arrives around them, along corridors
# and through windows, which a straight ray ignores (estimate). One or two walls keep
# nearly their full loss.
WALL_LOSS_CAP_DB = 30.0

# Levels: below-grade rooms have no windows and earth around them (estimate), and higher
# floors see the cells over more of the surrounding roofs (estimate per floor).
BASEMENT_LOSS_DB = 10.0
FLOOR_GAIN_DB = 2.0
FLOOR_HEIGHT_M = 3.5
PHONE_HEIGHT_M = 1.2  # above the floor, a phone held in the hand

# Shadowing: log-normal, standard deviation close to the 4.4 dB of the TR 38.901 low-loss
# outdoor-to-indoor model, correlated over a few metres like indoor obstacles.
SHADOWING_SIGMA_DB = 4.0
SHADOWING_CORRELATION_M = 7.0
SHADOWING_GRID_M = 0.5
SHADOWING_MARGIN_M = 5.0

# Fast fading as phones report it: RSRP is a linear average over several reference-signal
# symbols, so the dB spread per reported sample is far below raw Rayleigh fading (estimate).
FAST_FADING_SIGMA_DB = 2.5
SINR_NOISE_SIGMA_DB = 1.5
RSRQ_NOISE_SIGMA_DB = 0.7

# Phone receiver: thermal noise over one 15 kHz subcarrier (-174 dBm/Hz) plus a 7 dB
# noise figure, and the RSRP below which the phone reports no service.
NOISE_PER_RESOURCE_ELEMENT_DBM = -174.0 + 10 * np.log10(15e3) + 7.0
SENSITIVITY_DBM = -124.0

# LTE carrier: 50 resource blocks (10 MHz) of 12 subcarriers, 70 % of them loaded.
RESOURCE_BLOCKS = 50
CELL_LOAD = 0.7

# LTE timing advance step: 16 Ts = 0.52 µs of round trip, 78.12 m of distance.
TIMING_ADVANCE_STEP_M = 78.12


@dataclass(frozen=True)
class Station:
    """One outdoor LTE cell: its position in plan metres and its identity on the air."""

    plmn: str
    name: str
    x_m: float
    y_m: float
    height_m: float
    eirp_dbm: float  # per resource element
    band: str  # G-NetTrack label: L3 (1800 MHz), L7 (2600 MHz), L20 (800 MHz)
    earfcn: int
    frequency_mhz: float
    enb_id: int
    local_cell_id: int
    pci: int
    tac: int
    carrier_to_interference_db: float  # ceiling of SINR set by other cells of the band

    @property
    def cell_id(self) -> int:
        """28-bit E-UTRAN cell identity: eNodeB id × 256 + local cell id."""
        return self.enb_id * 256 + self.local_cell_id


@dataclass(frozen=True)
class Operator:
    plmn: str
    name: str


OPERATORS = [Operator(plmn, FRENCH_OPERATORS[plmn]) for plmn in ("208-01", "208-10", "208-15")]

# Cells 55–280 m from the centre of the 70 m × 25 m building. Orange serves from the south,
# east and north-west, SFR from the north and south-west, Free from the west, east and
# south-east. Free leaves a few core rooms of levels 0 and 1 marginal.
# Fields: operator, name, x_m, y_m, height_m, EIRP per RE (dBm),
#         band, EARFCN, frequency (MHz), eNodeB id, local cell id, PCI, TAC, C/I (dB).
STATIONS = [
    Station("208-01", "Orange sud", 30.0, -45.0, 28.0, 20.0,
            "L3", 1300, 1840.0, 81234, 1, 211, 17020, 14.0),
    Station("208-01", "Orange est", 120.0, 30.0, 25.0, 18.0,
            "L7", 3000, 2660.0, 80567, 12, 388, 17020, 13.0),
    Station("208-01", "Orange nord-ouest", -150.0, 220.0, 35.0, 20.0,
            "L20", 6300, 806.0, 80112, 21, 57, 17020, 12.0),
    Station("208-10", "SFR nord", 40.0, 110.0, 30.0, 20.0,
            "L3", 1501, 1840.0, 250123, 2, 142, 40101, 13.0),
    Station("208-10", "SFR sud-ouest", -100.0, -80.0, 32.0, 20.0,
            "L20", 6200, 796.0, 250987, 23, 301, 40101, 12.0),
    Station("208-15", "Free ouest", -60.0, 12.0, 26.0, 20.0,
            "L3", 1850, 1845.0, 35012, 1, 77, 4507, 14.0),
    Station("208-15", "Free est", 160.0, 70.0, 30.0, 20.0,
            "L20", 6400, 816.0, 35340, 2, 412, 4507, 12.0),
    Station("208-15", "Free sud-est", 95.0, -40.0, 27.0, 20.0,
            "L7", 3350, 2650.0, 35341, 13, 168, 4507, 13.0),
]


class RadioModel:
    """Mean and measured LTE signal of every operator at plan points of the hospital.

    Parameters
    ----------
    hospital
        The building whose walls and shielded rooms attenuate the signal.
    seed
        Seed of the shadowing fields. The fields are drawn per operator and level from
        ``numpy.random.default_rng([seed, operator index, ordinal + 100])``, so each is the
        same whatever else is computed first.
    stations
        The cells; by default :data:`STATIONS`.
    """

    def __init__(self, hospital: Hospital, seed: int, stations: list[Station] | None = None) -> None:
        self.hospital = hospital
        self.seed = seed
        self.stations = list(stations if stations is not None else STATIONS)
        self.plmns = list(dict.fromkeys(station.plmn for station in self.stations))
        self.shadowing_sigma_db = SHADOWING_SIGMA_DB
        self.shadowing_correlation_m = SHADOWING_CORRELATION_M
        self.fast_fading_sigma_db = FAST_FADING_SIGMA_DB
        self._shadowing: dict[tuple[str, int], tuple[np.ndarray, float, float]] = {}

    def stations_of(self, plmn: str) -> list[Station]:
        found = [station for station in self.stations if station.plmn == plmn]
        if not found:
            simulated = ", ".join(self.plmns)
            raise KeyError(f"operator {plmn!r} has no simulated cell; simulated operators: {simulated}")
        return found

    def true_rsrp_dbm(self, plmn: str, ordinal: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the noise-free mean RSRP of the serving cell at each point, in dBm.

        This is the ground truth: path loss, entry loss, walls, shielding, level terms and
        shadowing, without fast fading. ``x`` and ``y`` are plan metres on level ``ordinal``.
        """
        per_station, common = self._mean_levels(plmn, ordinal, x, y)
        return per_station.max(axis=0) + common

    def serving_station(self, plmn: str, ordinal: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return the index into :meth:`stations_of` of the strongest cell at each point."""
        per_station, _ = self._mean_levels(plmn, ordinal, x, y)
        return per_station.argmax(axis=0)

    def measure(self, plmn: str, ordinal: int, x: np.ndarray, y: np.ndarray,
                rng: np.random.Generator) -> pd.DataFrame:
        """Simulate one phone reading per point, as Android reports LTE signal.

        Returns one row per point with ``service`` (``in_service`` or ``no_service``),
        ``rsrp_dbm``, ``rsrq_db`` and ``rssi_dbm`` rounded to 1 dB, ``sinr_db`` rounded to
        0.1 dB, ``cqi``, ``timing_advance`` and the serving cell's identity (``enb_id``,
        ``local_cell_id``, ``cell_id``, ``pci``, ``tac``, ``arfcn``, ``band``). Rows without
        service have missing metrics and cell identity.
        """
        x = np.atleast_1d(np.asarray(x, dtype=float))
        y = np.atleast_1d(np.asarray(y, dtype=float))
        stations = self.stations_of(plmn)
        per_station, common = self._mean_levels(plmn, ordinal, x, y)
        serving = per_station.argmax(axis=0)
        mean = per_station.max(axis=0) + common

        # Fast fading on RSRP. Below the sensitivity the phone has no service.
        rsrp = mean + rng.normal(0.0, self.fast_fading_sigma_db, len(x))
        in_service = rsrp >= SENSITIVITY_DBM

        # SINR and RSRQ from the same signal, noise and interference.
        cir = np.array([stations[i].carrier_to_interference_db for i in serving])
        sinr, rsrq, rssi = _quality(rsrp, cir)
        sinr = sinr + rng.normal(0.0, SINR_NOISE_SIGMA_DB, len(x))
        rsrq = rsrq + rng.normal(0.0, RSRQ_NOISE_SIGMA_DB, len(x))

        # Channel quality index: about one step per 2 dB of SINR (estimate of a CQI table).
        cqi = np.clip(np.round(0.5 * sinr + 4.5), 1, 15)

        # Timing advance from the distance to the serving cell.
        distance = self._distance_m(stations, serving, ordinal, x, y)
        timing_advance = np.round(distance / TIMING_ADVANCE_STEP_M)

        frame = pd.DataFrame({
            "service": np.where(in_service, "in_service", "no_service"),
            "rsrp_dbm": np.round(rsrp),
            "rsrq_db": np.clip(np.round(rsrq), -20, -3),
            "sinr_db": np.clip(np.round(sinr, 1), -20.0, 30.0),
            "rssi_dbm": np.round(rssi),
            "cqi": cqi,
            "timing_advance": timing_advance,
        })
        measured = ["rsrp_dbm", "rsrq_db", "sinr_db", "rssi_dbm", "cqi", "timing_advance"]
        frame.loc[~in_service, measured] = np.nan
        return frame.join(_cell_identity(stations, serving, in_service))

    def _mean_levels(self, plmn: str, ordinal: int, x: np.ndarray,
                     y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # Per-station mean RSRP before the level terms, shape (stations, points), and the
        # level terms shared by every station, shape (points,).
        x = np.atleast_1d(np.asarray(x, dtype=float))
        y = np.atleast_1d(np.asarray(y, dtype=float))
        level = self.hospital.level(ordinal)
        per_station = np.stack([
            self._station_level(station, level, x, y) for station in self.stations_of(plmn)
        ])
        common = self._level_terms(plmn, level, x, y)
        return per_station, common

    def _station_level(self, station: Station, level: Level, x: np.ndarray,
                       y: np.ndarray) -> np.ndarray:
        # Log-distance path loss from the antenna to the phone, in three dimensions.
        distance = _distance_3d(station, level.ordinal, x, y)
        reference_loss = 20 * np.log10(station.frequency_mhz) - 27.55  # free space at 1 m
        path_loss = reference_loss + 10 * PATH_LOSS_EXPONENT * np.log10(distance)

        # Façade: only points inside the building pay the entry loss.
        inside = shapely.intersects_xy(level.footprint, x, y)
        entry_loss = np.where(inside, BUILDING_ENTRY_LOSS_DB, 0.0)

        # Interior walls crossed on the straight line from the cell to the point.
        start = np.broadcast_to([station.x_m, station.y_m], (len(x), 2))
        walls = summed_wall_loss_db(start, np.column_stack([x, y]), level.walls,
                                    self.wall_losses_db(station, level))
        walls = WALL_LOSS_CAP_DB * (1 - np.exp(-walls / WALL_LOSS_CAP_DB))

        return station.eirp_dbm - path_loss - entry_loss - walls

    def wall_losses_db(self, station: Station, level: Level) -> np.ndarray:
        """Return the loss of each interior wall of ``level`` at the station's frequency, in dB."""
        concrete_db = CONCRETE_LOSS_INTERCEPT_DB + CONCRETE_LOSS_DB_PER_GHZ * station.frequency_mhz / 1000
        return np.where(level.walls.concrete, concrete_db, DRYWALL_LOSS_DB)

    def _level_terms(self, plmn: str, level: Level, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        # Shielding of the room the point is in. Rooms never overlap, so at most one applies.
        shielding = np.zeros(len(x))
        for room in level.rooms:
            if room.extra_loss_db > 0:
                shielding += np.where(shapely.contains_xy(room.polygon, x, y), room.extra_loss_db, 0.0)

        # Below grade a fixed loss, above it a gain per floor.
        height = -BASEMENT_LOSS_DB if level.ordinal < 0 else FLOOR_GAIN_DB * level.ordinal

        return height - shielding + self._shadowing_db(plmn, level, x, y)

    def _shadowing_db(self, plmn: str, level: Level, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        key = (plmn, level.ordinal)
        if key not in self._shadowing:
            self._shadowing[key] = self._shadowing_field(plmn, level)
        field, x0, y0 = self._shadowing[key]
        rows = (y - y0) / SHADOWING_GRID_M
        columns = (x - x0) / SHADOWING_GRID_M
        return ndimage.map_coordinates(field, [rows, columns], order=1, mode="nearest")

    def _shadowing_field(self, plmn: str, level: Level) -> tuple[np.ndarray, float, float]:
        # White Gaussian noise on a grid, smoothed by a Gaussian filter whose width gives the
        # correlation distance, then scaled to the shadowing standard deviation.
        min_x, min_y, max_x, max_y = level.footprint.bounds
        x0, y0 = min_x - SHADOWING_MARGIN_M, min_y - SHADOWING_MARGIN_M
        shape = (int(np.ceil((max_y - min_y + 2 * SHADOWING_MARGIN_M) / SHADOWING_GRID_M)) + 1,
                 int(np.ceil((max_x - min_x + 2 * SHADOWING_MARGIN_M) / SHADOWING_GRID_M)) + 1)
        rng = np.random.default_rng([self.seed, self.plmns.index(plmn), level.ordinal + 100])
        noise = rng.standard_normal(shape)

        # A Gaussian filter of width s gives a correlation of exp(-d²/4s²), so 1/e at 2s.
        sigma_cells = self.shadowing_correlation_m / 2 / SHADOWING_GRID_M
        field = ndimage.gaussian_filter(noise, sigma_cells, mode="reflect")
        field = (field - field.mean()) / field.std() * self.shadowing_sigma_db
        return field, x0, y0

    def _distance_m(self, stations: list[Station], serving: np.ndarray, ordinal: int,
                    x: np.ndarray, y: np.ndarray) -> np.ndarray:
        distance = np.zeros(len(x))
        for index, station in enumerate(stations):
            chosen = serving == index
            distance[chosen] = _distance_3d(station, ordinal, x[chosen], y[chosen])
        return distance


def _distance_3d(station: Station, ordinal: int, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    phone_z = ordinal * FLOOR_HEIGHT_M + PHONE_HEIGHT_M
    return np.sqrt((x - station.x_m) ** 2 + (y - station.y_m) ** 2 + (station.height_m - phone_z) ** 2)


def _quality(rsrp_dbm: np.ndarray, cir_db: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Derive SINR, RSRQ and wideband RSSI from RSRP.

    Per resource element the phone receives the reference signal S, the interference
    I = S / (C/I) from other cells of the band and the thermal noise N. SINR = S / (I + N). The RSSI over
    the carrier is 12 × N_RB × (load × S + I + N), and RSRQ = N_RB × RSRP / RSSI as in
    3GPP TS 36.214.
    """
    signal = 10 ** (rsrp_dbm / 10)
    interference = signal * 10 ** (-cir_db / 10)
    noise = 10 ** (NOISE_PER_RESOURCE_ELEMENT_DBM / 10)
    sinr = 10 * np.log10(signal / (interference + noise))
    per_element = CELL_LOAD * signal + interference + noise
    rssi = 10 * np.log10(12 * RESOURCE_BLOCKS * per_element)
    rsrq = 10 * np.log10(signal / (12 * per_element))
    return sinr, rsrq, rssi


def _cell_identity(stations: list[Station], serving: np.ndarray, in_service: np.ndarray) -> pd.DataFrame:
    columns = {
        "enb_id": [s.enb_id for s in stations],
        "local_cell_id": [s.local_cell_id for s in stations],
        "cell_id": [s.cell_id for s in stations],
        "pci": [s.pci for s in stations],
        "tac": [s.tac for s in stations],
        "arfcn": [s.earfcn for s in stations],
    }
    frame = pd.DataFrame({
        name: pd.array(np.asarray(values)[serving], dtype="Int64") for name, values in columns.items()
    })
    frame["band"] = pd.array(np.asarray([s.band for s in stations])[serving], dtype="string")
    frame.loc[~in_service, list(frame.columns)] = pd.NA
    return frame
