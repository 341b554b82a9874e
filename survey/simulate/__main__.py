"""Command line: ``python -m survey.simulate OUT_DIR [--seed N]`` writes the sample hospital."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from survey.simulate.sample_hospital import write_sample_hospital


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m survey.simulate",
        description="Write the simulated sample hospital: plans, room registry, phone logs and ground truth.",
    )
    parser.add_argument("out_dir", type=Path, help="folder to write into; created when missing")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default: 2026)")
    args = parser.parse_args(argv)

    summary = write_sample_hospital(args.out_dir, seed=args.seed)
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
