"""Run every benchmark module of ``bench/``: ``python -m bench [NAME ...]``.

Each module runs in its own process, as ``python -m bench.<name>`` with no arguments, so that
one benchmark's memory and imports do not weigh on the next.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import bench

# Modules of the package that are helpers, not benchmarks.
HELPERS = {"baselines", "machine"}


def benchmark_names() -> list[str]:
    """Return the benchmark modules of the package, by name."""
    modules = pkgutil.iter_modules(bench.__path__)
    return sorted(module.name for module in modules if module.name not in HELPERS and not module.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmark modules, or all of them; return the number that failed."""
    names = list(sys.argv[1:] if argv is None else argv) or benchmark_names()
    failed = []
    for name in names:
        print(f"== python -m bench.{name}", flush=True)
        if subprocess.run([sys.executable, "-m", f"bench.{name}"], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return len(failed)


if __name__ == "__main__":
    raise SystemExit(main())
