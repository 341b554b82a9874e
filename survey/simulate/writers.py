"""File formats of the sample hospital: plans, room registry, phone logs, tracks and visits.

The G-NetTrack Pro writer copies the bytes of real exports. The header has 21 tab-separated
columns, and each data row ends with an extra tab. Lines end with CRLF, times are local wall
clock, ``-`` marks a missing value, and the phone writes ``NO_COVERAGE`` rows while it has
no service.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from survey.simulate.building import Hospital, Level, Room

GNETTRACK_COLUMNS = [
    "Timestamp", "Longitude", "Latitude", "Operatorname", "Operator", "Cellname", "Node",
    "CellID", "LAC", "NetworkTech", "Level", "Qual", "SNR", "CQI", "LTERSSI", "ARFCN", "PSC",
    "Altitude", "Distance", "TA", "BAND",
]

NATIVE_COLUMNS = [
    "time", "x_m", "y_m", "plmn", "operator", "technology", "serving", "service", "rsrp_dbm",
    "rsrq_db", "sinr_db", "rssi_dbm", "cell_id", "pci", "tac", "arfcn", "band", "device_model",
]

ROOM_REGISTRY_COLUMNS = ["ref", "name", "category", "criticality", "analog_line", "line_number", "notes"]

# Share of G-NetTrack rows that report a CQI. The others have "-", as in real exports.
CQI_REPORT_PROBABILITY = 0.5

# Width of a drawn door opening, in metres: a hospital door lets a bed through.
DOOR_WIDTH_M = 1.2


@dataclass(frozen=True)
class Phone:
    """A phone with one SIM, and what its logger app reports."""

    plmn: str
    operator: str  # display name written by the app
    device_model: str
    reports_sinr: bool  # False: G-NetTrack writes 0.0 and the native file leaves it empty
    reports_timing_advance: bool


@dataclass(frozen=True)
class GpsFixes:
    """Indoor GPS positions as a logger app reports them: a few stale fixes near the building."""

    longitude: np.ndarray  # per row, degrees
    latitude: np.ndarray
    altitude_m: np.ndarray  # per row, integer metres


def write_plan_geojson(path: Path, hospital: Hospital, level: Level) -> None:
    """Write one level as a GeoJSON FeatureCollection of room polygons in plan metres.

    Coordinates are rounded to 0.01 m. The collection carries the ``building`` name and
    a ``level`` member with the level's name and ordinal. Each room's door follows the rooms, as
    a LineString across the opening with ``category`` ``door``. Each feature is on one line.
    """
    features = [
        {
            "type": "Feature",
            "properties": {
                "ref": room.ref,
                "name": room.name,
                "category": room.category,
                "criticality": room.criticality,
                "analog_line": room.analog_line,
            },
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[round(x, 2), round(y, 2)] for x, y in room.polygon.exterior.coords]],
            },
        }
        for room in level.rooms
    ]
    features += [_door_feature(room) for room in level.rooms if room.door is not None]
    head = {
        "type": "FeatureCollection",
        "building": hospital.building,
        "level": {"name": level.name, "ordinal": level.ordinal},
    }
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [']
    lines += [
        "  " + json.dumps(feature, ensure_ascii=False) + ("," if index < len(features) - 1 else "")
        for index, feature in enumerate(features)
    ]
    lines.append("]}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _door_feature(room: Room) -> dict:
    # The opening runs along the wall, across the door's normal.
    door = room.door
    half = DOOR_WIDTH_M / 2
    along = (-door.normal[1], door.normal[0])
    ends = [[round(door.x_m + side * half * along[0], 2), round(door.y_m + side * half * along[1], 2)] for side in (-1, 1)]
    return {
        "type": "Feature",
        "properties": {"category": "door", "ref": f"{room.ref}/{door.corridor_ref}"},
        "geometry": {"type": "LineString", "coordinates": ends},
    }


def write_room_registry(path: Path, hospital: Hospital) -> None:
    """Write the room registry CSV: one row per room of every level, UTF-8, comma-separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ROOM_REGISTRY_COLUMNS)
    for room in hospital.rooms:
        writer.writerow([
            room.ref, room.name, room.category, room.criticality,
            "yes" if room.analog_line else "no", room.line_number or "", room.notes,
        ])
    path.write_text(buffer.getvalue(), encoding="utf-8")


def write_gnettrack_log(path: Path, times: pd.Series, readings: pd.DataFrame, phone: Phone,
                        gps: GpsFixes, rng: np.random.Generator) -> int:
    """Write one phone's log in the G-NetTrack Pro TXT format and return its row count.

    ``times`` are timezone-aware and written as local wall-clock time. ``readings`` comes
    from ``RadioModel.measure`` with one row per log row. A row without service becomes a
    ``NO_COVERAGE`` row that repeats the last RSRQ in its Qual column, as real exports do.
    """
    operator_code = phone.plmn.replace("-", "")
    cqi_reported = rng.random(len(readings)) < CQI_REPORT_PROBABILITY
    last_rsrq = "-"
    lines = ["\t".join(GNETTRACK_COLUMNS)]
    for row, (time, reading) in enumerate(zip(times, readings.itertuples(index=False))):
        stamp = time.strftime("%Y.%m.%d_%H.%M.%S")
        place = [stamp, _degrees(gps.longitude[row]), _degrees(gps.latitude[row])]
        altitude = str(int(gps.altitude_m[row]))
        if reading.service != "in_service":
            fields = place + ["NO_COVERAGE", "", "", "", "-1", "", "--", "-200", last_rsrq, "-", "-",
                              "-", "", "", altitude, "-1", "", ""]
        else:
            last_rsrq = _integer(reading.rsrq_db)
            fields = place + [
                phone.operator, operator_code, "", str(reading.enb_id), str(reading.local_cell_id),
                str(reading.tac), "4G", _integer(reading.rsrp_dbm), last_rsrq,
                f"{reading.sinr_db:.1f}" if phone.reports_sinr else "0.0",
                _integer(reading.cqi) if cqi_reported[row] else "-",
                _integer(reading.rssi_dbm), str(reading.arfcn), str(reading.pci), altitude, "-1",
                _integer(reading.timing_advance) if phone.reports_timing_advance else "",
                str(reading.band),
            ]
        lines.append("\t".join(fields) + "\t")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return len(lines) - 1


def write_native_csv(path: Path, times: pd.Series, x_m: np.ndarray, y_m: np.ndarray,
                     readings: pd.DataFrame, phone: Phone, french: bool = False) -> int:
    """Write one phone's samples in the native CSV format and return its row count.

    Columns are those of the sample table that a file can carry, with times in UTC. Rows
    without service keep the operator and leave every metric and cell column empty. With
    ``french`` the file uses the dialect of a French spreadsheet: ``;`` separator, decimal
    comma, CRLF line endings and a UTF-8 byte order mark.
    """
    decimal = "," if french else "."
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if french else ",",
                        lineterminator="\r\n" if french else "\n")
    writer.writerow(NATIVE_COLUMNS)
    for time, x, y, reading in zip(times, x_m, y_m, readings.itertuples(index=False)):
        in_service = reading.service == "in_service"
        values = {
            "time": time.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
            "x_m": f"{x:.2f}".replace(".", decimal),
            "y_m": f"{y:.2f}".replace(".", decimal),
            "plmn": phone.plmn,
            "operator": phone.operator,
            "technology": "lte" if in_service else "",
            "serving": "true",
            "service": reading.service,
            "device_model": phone.device_model,
        }
        if in_service:
            values.update({
                "rsrp_dbm": _integer(reading.rsrp_dbm),
                "rsrq_db": _integer(reading.rsrq_db),
                "sinr_db": f"{reading.sinr_db:.1f}".replace(".", decimal) if phone.reports_sinr else "",
                "rssi_dbm": _integer(reading.rssi_dbm),
                "cell_id": str(reading.cell_id),
                "pci": str(reading.pci),
                "tac": str(reading.tac),
                "arfcn": str(reading.arfcn),
                "band": "B" + str(reading.band).removeprefix("L"),
            })
        writer.writerow([values.get(column, "") for column in NATIVE_COLUMNS])
    data = buffer.getvalue().encode("utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + data if french else data)
    return len(times)


def write_track_csv(path: Path, waypoints: pd.DataFrame) -> int:
    """Write a track CSV ``time,x_m,y_m`` with ISO 8601 local times and their UTC offset."""
    lines = ["time,x_m,y_m"]
    for row in waypoints.itertuples(index=False):
        lines.append(f"{row.time.isoformat()},{row.x_m:.2f},{row.y_m:.2f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(waypoints)


def write_visits_csv(path: Path, visits: pd.DataFrame) -> int:
    """Write room visits ``room,start,end``: room refs and ISO 8601 times with their offset."""
    lines = ["room,start,end"]
    for row in visits.itertuples(index=False):
        lines.append(f"{row.room},{row.start.isoformat()},{row.end.isoformat()}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(visits)


def _degrees(value: float) -> str:
    # Shortest form with at most 6 decimals, as the app writes coordinates.
    return f"{value:.6f}".rstrip("0").rstrip(".")


def _integer(value: float) -> str:
    return str(int(round(float(value))))
