"""Test data of the API tests: a small surveyed hospital level, and the test client class.

The level has six rooms in plan metres; the samples give each room a known outcome:

- ``C-001`` corridor and ``R-101`` ward: good LTE coverage, reliable;
- ``R-102`` ICU (vital) with an analog line: strong coverage, the line becomes optional;
- ``R-103`` MRI suite (high): no service at all, shielded, an analog line must be installed;
- ``R-104`` office with an analog line: RSRP −118 dBm, unusable, the line is kept;
- ``R-105`` storage: never measured, to be surveyed again.
"""

from __future__ import annotations

import json
import re
import warnings
from datetime import datetime, timedelta, timezone

# Starlette 1.x warns at import when its test client runs on httpx rather than httpx2. The
# client works with httpx, which the project's test extra installs.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
    from fastapi.testclient import TestClient

from survey.settings import Settings

SITE_NAME = "CH Saint-Étienne-du-Test"
LEVEL_NAME = "RDC"
OPERATORS = ("208-01", "208-20")
START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
# A reference that would make a browser fetch something from the network.
EXTERNAL_REFERENCE = re.compile(
    r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.IGNORECASE
)

# ref, name, category, criticality, analog line, (x_min, y_min, x_max, y_max) in metres.
ROOMS = [
    ("C-001", "Couloir", "corridor", "low", False, (0, 5, 30, 8)),
    ("R-101", "Chambre 101", "ward", "normal", False, (0, 8, 6, 14)),
    ("R-102", "Réanimation", "icu", "vital", True, (6, 8, 12, 14)),
    ("R-103", "IRM", "mri", "high", False, (12, 8, 18, 14)),
    ("R-104", "Bureau cadre", "office", "normal", True, (0, 0, 6, 5)),
    ("R-105", "Réserve", "storage", "low", False, (6, 0, 12, 5)),
]
# Room ref -> RSRP in dBm of every sample taken there (None: no service, absent: not measured).
RSRP_BY_ROOM = {"C-001": -85.0, "R-101": -90.0, "R-102": -78.0, "R-103": None, "R-104": -118.0}


def plan_geojson() -> bytes:
    """Return the level as a GeoJSON FeatureCollection, one Polygon per room."""
    features = []
    for ref, name, category, criticality, analog_line, (x0, y0, x1, y1) in ROOMS:
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        properties = {
            "ref": ref,
            "name": name,
            "category": category,
            "criticality": criticality,
            "analog_line": analog_line,
        }
        geometry = {"type": "Polygon", "coordinates": [ring]}
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    level = {"name": LEVEL_NAME, "ordinal": 0}
    document = {"type": "FeatureCollection", "level": level, "features": features}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def sample_points(bounds: tuple[float, float, float, float], step: float = 1.5) -> list[tuple[float, float]]:
    """Return points on a lattice inside a room, 0.5 m from its walls."""
    x0, y0, x1, y1 = bounds
    points = []
    y = y0 + 0.5
    while y < y1 - 0.4:
        x = x0 + 0.5
        while x < x1 - 0.4:
            points.append((round(x, 2), round(y, 2)))
            x += step
        y += step
    return points


def samples_csv() -> bytes:
    """Return a native CSV of every measured room, per operator, with no-service rows in the MRI suite."""
    lines = ["time,x_m,y_m,plmn,technology,service,rsrp_dbm,sinr_db"]
    moment = START
    for ref, _name, _category, _criticality, _line, bounds in ROOMS:
        if ref not in RSRP_BY_ROOM:
            continue
        rsrp = RSRP_BY_ROOM[ref]
        for plmn in OPERATORS:
            for x, y in sample_points(bounds):
                moment += timedelta(seconds=2)
                if rsrp is None:
                    lines.append(f"{moment.isoformat()},{x},{y},{plmn},,no_service,,")
                else:
                    lines.append(f"{moment.isoformat()},{x},{y},{plmn},lte,in_service,{rsrp},12")
    return ("\n".join(lines) + "\n").encode("utf-8")


def batch_samples(ids: range, room_bounds: tuple[float, float, float, float] = (0, 8, 6, 14)) -> list[dict]:
    """Return JSON batch samples with client ids ``s-<n>``, all in room R-101 by default."""
    points = sample_points(room_bounds, step=1.0)
    samples = []
    for number in ids:
        x, y = points[number % len(points)]
        moment = START + timedelta(hours=1, seconds=number)
        samples.append(
            {
                "id": f"s-{number}",
                "time": moment.isoformat(),
                "x_m": x,
                "y_m": y,
                "plmn": "208-10",
                "technology": "lte",
                "rsrp_dbm": -95.5,
                "sinr_db": 8,
            }
        )
    return samples


def make_settings(tmp_path, **overrides) -> Settings:
    """Return settings for a fresh SQLite file in ``tmp_path``, in French unless overridden."""
    values = {"database_url": f"sqlite:///{tmp_path / 'zoneblanche.db'}", "lang": "fr", "policy_file": None}
    values.update(overrides)
    return Settings(**values)
