"""The machine a benchmark ran on: cores, CPU model, Python and numpy versions."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import numpy as np
import scipy


def machine_description() -> str:
    """Return one line naming the cores, CPU model, OS, Python, numpy and SciPy versions."""
    return (
        f"{os.cpu_count()} cores ({_cpu_model()}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}, SciPy {scipy.__version__}"
    )


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def replace_section(path: Path, heading: str, body: str) -> None:
    """Write ``body`` under the ``## heading`` of a Markdown file, leaving other sections alone.

    The section runs to the next level-2 heading. The file and the section are created when
    missing.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    lines = text.splitlines()
    title = f"## {heading}"
    if title in lines:
        start = lines.index(title)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines[start:end] = [title, "", *body.strip("\n").splitlines(), ""]
    else:
        lines += ["", title, "", *body.strip("\n").splitlines()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")
