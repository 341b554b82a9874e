"""Benchmark of plan imports: the Ulm IMDF and OSM sets, and a synthetic level of 2,000 rooms.

Run ``python -m bench.plans``. Each import reads, checks and stores the plan into a fresh
SQLite database (one transaction), as ``zoneblanche plan import`` does; the best of three runs
is kept. The results and the machine go to the "Floor plans" section of ``docs/benchmarks.md``.
The real files are read from ``../shared/realdata`` or ``ZONEBLANCHE_REALDATA``.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bench.machine import machine_description, replace_section
from survey.models import Site
from survey.plans import import_plan
from survey.sites import create_site
from survey.store import Store

ROOT = Path(__file__).resolve().parents[1]
REALDATA = Path(os.environ.get("ZONEBLANCHE_REALDATA", ROOT / ".." / "shared" / "realdata")) / "plans"
REPORT = ROOT / "docs" / "benchmarks.md"
RUNS = 3
SYNTHETIC_ROOMS = 2000


def imdf_zip() -> bytes:
    """Zip the Ulm IMDF folder in memory, as the command line does with a folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((REALDATA / "imdf" / "ulm-osmtoimdf").iterdir()):
            archive.write(path, path.name)
    return buffer.getvalue()


def synthetic_level(rooms: int = SYNTHETIC_ROOMS) -> bytes:
    """Return a GeoJSON level of ``rooms`` rooms of 4 m × 5 m on a grid, in plan metres."""
    columns = 50
    features = []
    for index in range(rooms):
        x, y = (index % columns) * 4.0, (index // columns) * 5.0
        ring = [[x, y], [x + 4, y], [x + 4, y + 5], [x, y + 5], [x, y]]
        features.append({"type": "Feature", "properties": {"ref": f"S{index:04d}", "name": "Chambre"}, "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return json.dumps({"type": "FeatureCollection", "level": {"name": "R+1", "ordinal": 1}, "features": features}).encode()


def timed_import(data: bytes, filename: str, **options) -> tuple[float, int]:
    """Import a plan into a fresh database; return the seconds taken and the rooms stored."""
    with tempfile.TemporaryDirectory() as folder:
        store = Store(f"sqlite:///{folder}/bench.db")
        with store.session() as session:
            site_id = create_site(session, "Bench").id
        start = time.perf_counter()
        with store.session() as session:
            report = import_plan(session, session.get(Site, site_id), data, filename, **options)
        seconds = time.perf_counter() - start
        store.dispose()
    return seconds, sum(level["rooms_created"] for level in report["levels"])


def best_of(runs: int, action: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    results = [action() for _run in range(runs)]
    return min(results)


def main() -> None:
    cases = [
        ("Ulm IMDF (zip, 6 levels)", 5.0, lambda: timed_import(imdf_zip(), "ulm.zip")),
        ("Ulm OSM XML (Overpass, 6 levels)", 5.0, lambda: timed_import((REALDATA / "osm" / "ulm-university-campus" / "unit.xml").read_bytes(), "unit.xml", rename_duplicates=True)),
        (f"synthetic GeoJSON level, {SYNTHETIC_ROOMS:,} rooms", 2.0, lambda: timed_import(synthetic_level(), "synthetic.geojson")),
    ]
    rows = []
    for name, target, action in cases:
        seconds, rooms = best_of(RUNS, action)
        verdict = "met" if seconds < target else "**missed**"
        rows.append(f"| {name} | {rooms:,} | {seconds:.2f} | < {target:.0f} s: {verdict} |")
        print(f"{name}: {rooms} rooms in {seconds:.2f} s (target < {target} s)")

    body = "\n".join(
        [
            "Command: `python -m bench.plans`. Each import reads the file, detects its format, checks",
            "every room (repair, areas, overlaps, outline, duplicate refs) and stores levels and rooms",
            "in a fresh SQLite database in one transaction; the best of three runs is shown. The Ulm",
            "OSM file is imported with `--rename-duplicates`, since nine of its refs name two rooms.",
            "",
            f"Machine: {machine_description()}. Run on {date.today().isoformat()}.",
            "",
            "| plan | rooms | seconds | target |",
            "|---|---|---|---|",
            *rows,
        ]
    )
    replace_section(REPORT, "Floor plans", body)


if __name__ == "__main__":
    main()
