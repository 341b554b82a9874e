"""Benchmark of ingest: a million G-NetTrack rows detected, parsed, placed on a track, stored.

Run ``python -m bench.ingest [--rows N]``. Each measurement runs in its own child process, so
that its peak memory (``ru_maxrss``) is its own. The log is made from a log of the sample
hospital, repeated with new times; the track walks the ground floor's corridor back and forth.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "hospital"
TEMPLATE = SAMPLES / "Orange_2026.11.03_09.00.00.txt"
LEVEL = "Rez-de-chaussée"
START = pd.Timestamp("2026-11-10 08:00:00")


def make_log(path: Path, rows: int) -> None:
    """Write a G-NetTrack log of ``rows`` rows, one a second, from the template's rows."""
    lines = TEMPLATE.read_bytes().split(b"\r\n")
    header, template = lines[0], [line for line in lines[1:] if line]
    times = (START + pd.to_timedelta(np.arange(rows), unit="s")).strftime("%Y.%m.%d_%H.%M.%S")
    with path.open("wb") as log:
        log.write(header + b"\r\n")
        for index, stamp in enumerate(times):
            row = template[index % len(template)]
            log.write(stamp.encode() + row[row.index(b"\t") :] + b"\r\n")


def make_track(path: Path, rows: int) -> None:
    """Write a track along the corridor (y = 7.2 m), turning every minute."""
    times = START + pd.to_timedelta(np.arange(0, rows + 60, 60), unit="s")
    x_m = np.where(np.arange(len(times)) % 2 == 0, 1.2, 68.8)
    frame = pd.DataFrame({"time": times.strftime("%Y-%m-%dT%H:%M:%S") + "+01:00", "x_m": x_m, "y_m": 7.2})
    frame.to_csv(path, index=False)


def child(task: str, log: Path, track: Path, database: Path) -> dict:
    """Run one measurement in this process and return its time and peak memory."""
    data = log.read_bytes()
    started = time.perf_counter()
    if task == "read_csv":
        frame = pd.read_csv(log, sep="\t", dtype=str)
        rows = len(frame)
    elif task == "parse":
        from survey import parsers

        result = parsers.parse(data, log.name, format=parsers.detect_format(data, log.name))
        rows = len(result.samples)
    else:
        rows = _ingest(data, log, track, database, started)
    seconds = time.perf_counter() - started
    return {"task": task, "rows": rows, "seconds": round(seconds, 2), "peak_mb": round(_peak_mb(), 0)}


def _ingest(data: bytes, log: Path, track: Path, database: Path, started: float) -> int:
    from survey.ingest import Attachment, IngestOptions, ingest_upload
    from survey.plans import import_plan
    from survey.sites import create_site
    from survey.store import Store, find_survey

    store = Store(f"sqlite:///{database}")
    with store.session() as session:
        site = create_site(session, "Benchmark")
        plan = SAMPLES / "plans" / "level_0.geojson"
        import_plan(session, site, plan.read_bytes(), plan.name)
        survey = find_survey(session, site, "benchmark", create=True)
        options = IngestOptions(level=LEVEL, track=Attachment(track.read_bytes(), track.name))
        [report] = ingest_upload(session, survey, data, log.name, options)
    assert report["rows"] == report["accepted"], report["errors"][:3]
    assert report["unplaced"] == 0
    return report["accepted"]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(rows: int) -> list[dict]:
    """Measure bare read_csv, parse and full ingest of the same ``rows``-row log."""
    with tempfile.TemporaryDirectory() as folder:
        log, track, database = Path(folder) / "gnettrack.txt", Path(folder) / "track.csv", Path(folder) / "bench.db"
        make_log(log, rows)
        make_track(track, rows)
        results = []
        for task in ("read_csv", "parse", "ingest"):
            command = [sys.executable, "-m", "bench.ingest", "--child", task, str(log), str(track), str(database)]
            output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
            results.append(json.loads(output.strip().splitlines()[-1]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", nargs=4, metavar=("TASK", "LOG", "TRACK", "DB"))
    arguments = parser.parse_args()
    if arguments.child:
        task, log, track, database = arguments.child
        print(json.dumps(child(task, Path(log), Path(track), Path(database))))
        return

    results = run(arguments.rows)
    by_task = {result["task"]: result for result in results}
    print(f"{'step':<10} {'rows':>10} {'seconds':>8} {'peak MB':>8}")
    for result in results:
        print(f"{result['task']:<10} {result['rows']:>10} {result['seconds']:>8} {result['peak_mb']:>8}")
    ratio = by_task["parse"]["seconds"] / by_task["read_csv"]["seconds"]
    print(f"parse / read_csv: {ratio:.2f} (target at most 3)")
    print(f"ingest: {by_task['ingest']['seconds']} s (target at most 60 s), peak {by_task['ingest']['peak_mb']} MB (target under 1500 MB)")


if __name__ == "__main__":
    main()
