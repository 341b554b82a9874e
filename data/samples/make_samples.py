"""Regenerate the sample hospital in ``data/samples/hospital/``.

Run from anywhere: ``python data/samples/make_samples.py``. Generated files that the
simulator no longer writes are deleted, and other files in the folder (such as the demo's
README) are left alone. The same seed gives byte-identical files.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]

# Let the script run from a checkout where the package is not installed.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from survey.simulate import write_sample_hospital  # noqa: E402

SEED = 2026
OUT_DIR = HERE / "hospital"
GENERATED_PATTERNS = ["*.txt", "*.csv", "*.json", "*.toml", "plans/*.geojson"]


def main() -> int:
    summary = write_sample_hospital(OUT_DIR, seed=SEED)
    _delete_stale_files(set(summary["files"]))

    total = 0
    for name, info in summary["files"].items():
        rows = f"{info['rows']:>6} rows" if "rows" in info else " " * 11
        print(f"{name:<40} {rows} {info['bytes']:>9} bytes")
        total += info["bytes"]
    print(f"{summary['rooms']} rooms, {summary['shielded_rooms']} shielded, seed {SEED}, "
          f"{total} bytes in {summary['seconds']} s")
    return 0


def _delete_stale_files(written: set[str]) -> None:
    # Files of the kinds the simulator writes, left over from an earlier version of it.
    for pattern in GENERATED_PATTERNS:
        for path in OUT_DIR.glob(pattern):
            if path.relative_to(OUT_DIR).as_posix() not in written:
                print(f"deleted stale {path.relative_to(OUT_DIR)}")
                path.unlink()


if __name__ == "__main__":
    raise SystemExit(main())
