"""Headless Chromium for the map tests, with every network request failing.

Host names resolve to nothing and every connection goes to a closed local port, so a page
that needed the network would miss a script or a style and fail its checks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium_or_skip() -> str:
    """Return the Chromium executable; skip the test when it is missing, fail on CI."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    message = "headless Chromium not found (looked for chromium, chromium-browser, google-chrome)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def offline_command(chromium: str, profile: Path) -> list[str]:
    """Return the Chromium options of every test run: headless, no network, a fresh profile."""
    return [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
    ]


def dump_dom(page: Path, fragment: str = "", budget_ms: int = 5000) -> str:
    """Return the DOM of ``page`` after its scripts ran, the network off."""
    chromium = chromium_or_skip()
    with tempfile.TemporaryDirectory() as profile:
        command = [
            *offline_command(chromium, Path(profile)),
            f"--virtual-time-budget={budget_ms}",
            "--dump-dom",
            page.as_uri() + fragment,
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def screenshot(page: Path, output: Path, fragment: str = "", size: str = "1400,900") -> Path:
    """Write a PNG screenshot of ``page`` after its scripts ran, the network off."""
    chromium = chromium_or_skip()
    with tempfile.TemporaryDirectory() as profile:
        command = [
            *offline_command(chromium, Path(profile)),
            f"--window-size={size}",
            "--virtual-time-budget=5000",
            f"--screenshot={output}",
            page.as_uri() + fragment,
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return output
