"""Benchmark of the maps and reports: PDF, crisis kit and offline map of a large synthetic site.

``python -m bench.reports`` builds a site of 20 levels (about 2,000 rooms and 200,000 samples)
and renders its PDF report and its crisis kit. It renders one level's map with 20,000 samples
and opens it in headless Chromium, the network off. It prints the timings as a Markdown table
and writes them to the "Maps and reports" section of ``docs/benchmarks.md``, unless given
``--no-docs`` or another size.

The site is synthetic: floors come from the simulator's floor generator, each room's signal is
a random level per operator (shielded rooms far weaker), and the analysis's own room rules give
the verdicts, so the numbers measure rendering only.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from bench.machine import machine_description, replace_section
from survey.analysis import _fill_shielding as fill_shielding
from survey.analysis import _fill_verdicts as fill_verdicts
from survey.operators import FRENCH_OPERATORS
from survey.policy import DEFAULT_POLICY, Policy
from survey.recommend import recommend
from survey.results import LevelResult, RoomResult, SiteAnalysis
from survey.samples import conform
from survey.simulate.floors import FloorPlan, build_floor
from survey.simulate.scenario import room_result

logger = logging.getLogger(__name__)

OPERATORS = ("208-01", "208-10", "208-15")
SURVEY_START = datetime(2026, 11, 3, 8, 0, tzinfo=timezone.utc)

# Share of rooms left unmeasured, then the spread of the readings around a room's level and the
# loss of a shielded room in dB: estimates that give a mix of every verdict. Phones lose service
# under SENSITIVITY_DBM, the simulator's level in dBm.
UNMEASURED_SHARE = 0.05
READING_SPREAD_DB = 5.0
SHIELDING_LOSS_DB = 40.0
SENSITIVITY_DBM = -124.0

COMMAND = "python -m bench.reports"
DOCS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
SECTION = "Maps and reports"

# Targets of the maps and reports, in seconds and bytes.
PDF_TARGET_S = 30.0
KIT_TARGET_S = 60.0
MAP_TARGET_BYTES = 3_000_000
MAP_OPEN_TARGET_S = 2.0

# Samples of the level whose points are all drawn, to time the canvas layer.
DENSE_SAMPLES = 50_000


@dataclass(frozen=True)
class SiteSize:
    """Size of the synthetic site: levels, rooms per level and samples in all."""

    levels: int = 20
    rooms_per_level: int = 100
    samples: int = 200_000


def synthetic_site(size: SiteSize = SiteSize(), seed: int = 2026, policy: Policy = DEFAULT_POLICY) -> SiteAnalysis:
    """Build a site analysis of ``size`` with verdicts and recommendations from ``policy``'s rules."""
    rng = np.random.default_rng(seed)
    samples_per_level = size.samples // size.levels
    levels = []
    for index in range(size.levels):
        ordinal = index - 2
        levels.append(synthetic_level(index + 1, ordinal, size.rooms_per_level, samples_per_level, rng, policy))
    recommend([room for level in levels for room in level.rooms], policy)

    times = pd.concat([level.samples["time"] for level in levels])
    return SiteAnalysis(
        site_id=1,
        site_name="Centre hospitalier synthétique",
        timezone="Europe/Paris",
        policy=policy,
        operators=[(plmn, FRENCH_OPERATORS.get(plmn, plmn)) for plmn in OPERATORS],
        levels=levels,
        surveys=["Campagne synthétique"],
        first_sample=times.min().floor("s").to_pydatetime(),
        last_sample=times.max().ceil("s").to_pydatetime(),
        unplaced_samples=0,
    )


def synthetic_level(
    level_id: int, ordinal: int, rooms: int, samples: int, rng: np.random.Generator, policy: Policy
) -> LevelResult:
    """Build one level: a generated floor, samples spread over its rooms, and room verdicts."""
    name = "Rez-de-chaussée" if ordinal == 0 else f"Niveau {ordinal}"
    floor = build_floor(FloorPlan(rooms=rooms, length_m=100.0), rng, ordinal=ordinal, name=name)
    results = [room_result(room, level_id * 1000 + number, level_id, name) for number, room in enumerate(floor.rooms)]
    shielded = np.array([room.shielded for room in floor.rooms])
    table = _level_samples(level_id, results, shielded, samples, rng)
    # The analysis's own room rules, so that verdicts and shielding are those of a real site.
    operators = [(plmn, FRENCH_OPERATORS.get(plmn, plmn)) for plmn in OPERATORS]
    fill_verdicts(results, table, operators, policy)
    fill_shielding(results, table, policy)
    return LevelResult(level_id, "Bâtiment principal", name, ordinal, results, table)


def _level_samples(
    level_id: int, rooms: list[RoomResult], shielded: np.ndarray, count: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Return ``count`` serving samples, one reading per operator at each position."""
    measured = np.flatnonzero(rng.random(len(rooms)) >= UNMEASURED_SHARE)
    positions = count // len(OPERATORS)
    areas = np.array([rooms[index].area_m2 for index in measured])
    owner = rng.choice(measured, size=positions, p=areas / areas.sum())
    x_m, y_m = _points_in_rooms(rooms, owner, rng)
    start = pd.Timestamp(SURVEY_START) + pd.Timedelta(hours=3 * level_id)
    times = start + pd.to_timedelta(np.sort(rng.uniform(0, 3 * 3600, positions)), unit="s")

    frames = []
    # A level per room shared by the operators, plus each operator's own offset (estimates).
    base_level = rng.normal(-92, 6, len(rooms)) - np.where(shielded, SHIELDING_LOSS_DB, 0.0)
    for plmn in OPERATORS:
        room_level = base_level + rng.normal(0, 5, len(rooms))
        rsrp = np.round(room_level[owner] + rng.normal(0, READING_SPREAD_DB, positions))
        in_service = rsrp >= SENSITIVITY_DBM
        frames.append(
            pd.DataFrame(
                {
                    "time": times,
                    "upload_id": 1,
                    "row_number": np.arange(positions) + 2,
                    "level_id": level_id,
                    "x_m": x_m,
                    "y_m": y_m,
                    "position_source": "xy",
                    "room_id": [rooms[index].room_id for index in owner],
                    "plmn": plmn,
                    "operator": FRENCH_OPERATORS.get(plmn, plmn),
                    "technology": np.where(rng.random(positions) < 0.1, "nr", "lte"),
                    "serving": True,
                    "service": np.where(in_service, "in_service", "no_service"),
                    "rsrp_dbm": np.where(in_service, rsrp, np.nan),
                    "rsrq_db": np.where(in_service, np.clip(np.round((rsrp + 60) / 5), -20, -3), np.nan),
                    "sinr_db": np.where(in_service, np.round(rng.normal(12, 6, positions)), np.nan),
                    "device_model": "Pixel 8",
                }
            )
        )
    return conform(pd.concat(frames, ignore_index=True))


def _points_in_rooms(rooms: list[RoomResult], owner: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return one random point inside the bounding box of each owner room, shrunk by 0.2 m."""
    bounds = np.array([room.geometry.bounds for room in rooms])[owner]
    x_m = bounds[:, 0] + 0.2 + rng.random(len(owner)) * (bounds[:, 2] - bounds[:, 0] - 0.4)
    y_m = bounds[:, 1] + 0.2 + rng.random(len(owner)) * (bounds[:, 3] - bounds[:, 1] - 0.4)
    return np.round(x_m, 2), np.round(y_m, 2)


def chromium_path() -> str | None:
    """Return the path of a Chromium or Chrome executable, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def open_in_chromium(page: Path, chromium: str, fragment: str = "") -> tuple[float, int | None, str]:
    """Open ``page`` in headless Chromium with every network request failing.

    Returns the wall time of the whole Chromium run in seconds, the milliseconds from
    navigation start to the end of the page's own script (its ``data-zb-ready``) if found,
    and the page's DOM once loaded.
    """
    with tempfile.TemporaryDirectory() as profile:
        command = [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", f"--user-data-dir={profile}",
            "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--dump-dom",
            page.as_uri() + fragment,
        ]
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        elapsed = time.perf_counter() - start
    return elapsed, _attribute(result.stdout, "data-zb-ready"), result.stdout


def _attribute(dom: str, name: str) -> int | None:
    """Return the first value of the attribute ``name`` in ``dom`` as a whole number, or None."""
    marker = f'{name}="'
    if marker not in dom:
        return None
    return round(float(dom.split(marker, 1)[1].split('"', 1)[0]))


def timed(label: str, work):
    """Run ``work()``, log its time and return (result, seconds)."""
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    logger.info("%s: %.1f s", label, seconds)
    return result, seconds


def run(size: SiteSize, map_samples: int, out_dir: Path) -> list[tuple[str, str, str]]:
    """Measure the PDF, the kit and one level's map; return (measure, value, target) rows."""
    from maps.outputs import SiteRenderer
    from maps.webmap import render_level_map

    analysis, _seconds = timed("synthetic site", lambda: synthetic_site(size))
    rooms = len(analysis.rooms)
    samples = sum(len(level.samples) for level in analysis.levels)
    rows = [("site", f"{size.levels} levels, {rooms} rooms, {samples} samples", "")]

    pdf, pdf_s = timed("PDF report", lambda: SiteRenderer(analysis).pdf())
    rows.append(("PDF report", f"{pdf_s:.1f} s, {len(pdf) / 1e6:.1f} MB", f"< {PDF_TARGET_S:.0f} s"))
    kit, kit_s = timed("crisis kit", lambda: SiteRenderer(analysis).kit())
    rows.append(("crisis kit (ZIP)", f"{kit_s:.1f} s, {len(kit) / 1e6:.1f} MB", f"< {KIT_TARGET_S:.0f} s"))

    level_site = synthetic_site(SiteSize(levels=1, rooms_per_level=size.rooms_per_level, samples=map_samples))
    level = level_site.levels[0]
    page, map_s = timed("level map", lambda: render_level_map(level_site, level))
    path = out_dir / "level_map.html"
    path.write_text(page, encoding="utf-8")
    rows.append(
        (f"level map, {len(level.samples)} samples", f"{len(page.encode()) / 1e6:.2f} MB, rendered in {map_s:.1f} s",
         f"< {MAP_TARGET_BYTES / 1e6:.0f} MB")
    )
    rows.extend(_chromium_rows(path, out_dir))

    dense_site = synthetic_site(SiteSize(levels=1, rooms_per_level=size.rooms_per_level, samples=DENSE_SAMPLES))
    dense = out_dir / "dense_map.html"
    dense.write_text(render_level_map(dense_site, dense_site.levels[0]), encoding="utf-8")
    rows.extend(_points_rows(dense, len(dense_site.levels[0].samples)))

    site_page, site_s = timed("site map", lambda: SiteRenderer(analysis).site_map())
    site_path = out_dir / "site_map.html"
    site_path.write_text(site_page, encoding="utf-8")
    rows.append((f"site map, {size.levels} levels", f"{len(site_page.encode()) / 1e6:.1f} MB, rendered in {site_s:.1f} s", ""))
    chromium = chromium_path()
    if chromium is not None:
        _elapsed, ready, _dom = open_in_chromium(site_path, chromium)
        rows.append(("site map ready in Chromium (page script done)", _seconds_text(ready), ""))
    return rows


def _seconds_text(milliseconds: int | None) -> str:
    return "not found" if milliseconds is None else f"{milliseconds / 1000:.2f} s"


def _points_rows(path: Path, samples: int) -> list[tuple[str, str, str]]:
    """Time drawing every sample point of a level on the map's canvas, in headless Chromium."""
    chromium = chromium_path()
    if chromium is None:
        return [(f"draw {samples} sample points", "not measured: Chromium not found", "")]
    _elapsed, ready, dom = open_in_chromium(path, chromium, "#view=signal_dbm:best&points=1")
    drawn = _attribute(dom, "data-points")
    draw_ms = _attribute(dom, "data-draw-ms")
    return [
        (f"level map, {samples} samples, all points shown: ready in Chromium", _seconds_text(ready), ""),
        (f"one redraw of the {drawn} points (pan or zoom)", "not found" if draw_ms is None else f"{draw_ms} ms", ""),
    ]


def _chromium_rows(path: Path, out_dir: Path) -> list[tuple[str, str, str]]:
    """Time the level map and an empty page in headless Chromium, the network off."""
    chromium = chromium_path()
    if chromium is None:
        return [("open in Chromium", "not measured: Chromium not found", f"< {MAP_OPEN_TARGET_S:.0f} s")]
    empty = out_dir / "empty.html"
    empty.write_text("<!doctype html><title>empty</title>", encoding="utf-8")
    open_in_chromium(empty, chromium)  # warm the disk cache
    baseline, _ready, _dom = open_in_chromium(empty, chromium)
    elapsed, ready, _dom = open_in_chromium(path, chromium)
    return [
        ("level map ready in Chromium (page script done)", _seconds_text(ready), f"< {MAP_OPEN_TARGET_S:.0f} s"),
        ("Chromium run, level map / empty page", f"{elapsed:.2f} s / {baseline:.2f} s", ""),
    ]


def section(rows: list[tuple[str, str, str]], command: str) -> str:
    """Return the "Maps and reports" section of the benchmark page."""
    table = ["| measure | result | target |", "|---|---|---|"]
    table.extend(f"| {measure} | {value} | {target} |" for measure, value, target in rows)
    return "\n".join(
        [
            f"Command: `{command}`. The site is synthetic: its floors come from the simulator's floor",
            "generator, each room's signal is a random level per operator, and the verdicts, shielding and",
            "recommendations come from the analysis's own rules. The PDF and the kit are each timed from a",
            "fresh renderer, so each includes its own gridding and grid tests. The level",
            "map is opened in headless Chromium with every network request failing; \"page script done\" is",
            "`performance.now()` when the map's own script has built the page, and the Chromium run times",
            "include starting the browser.",
            "",
            f"Machine: {machine_description()}.",
            "",
            *table,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the results and write them to ``docs/benchmarks.md``."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, default=SiteSize.levels, help="levels of the site")
    parser.add_argument("--rooms", type=int, default=SiteSize.rooms_per_level, help="rooms per level")
    parser.add_argument("--samples", type=int, default=SiteSize.samples, help="samples in the whole site")
    parser.add_argument("--map-samples", type=int, default=20_000, help="samples of the level map")
    parser.add_argument("--out", type=Path, help="folder for the rendered map (default: a temporary folder)")
    parser.add_argument("--no-docs", action="store_true", help="print only; leave docs/benchmarks.md alone")
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    size = SiteSize(arguments.levels, arguments.rooms, arguments.samples)
    with tempfile.TemporaryDirectory() as temporary:
        out_dir = arguments.out or Path(temporary)
        out_dir.mkdir(parents=True, exist_ok=True)
        rows = run(size, arguments.map_samples, out_dir)
    text = section(rows, " ".join([COMMAND, *(argv if argv is not None else sys.argv[1:])]))
    print(text)
    if not arguments.no_docs and size == SiteSize() and arguments.map_samples == 20_000:
        replace_section(DOCS, SECTION, text)
        print(f"written to {DOCS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
