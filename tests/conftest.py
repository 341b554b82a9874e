"""Shared pytest fixtures."""

from __future__ import annotations

import os
import pathlib

import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parent.parent


@pytest.fixture
def realdata() -> pathlib.Path:
    """Folder of the real third-party sample files (logs, plans), outside the repository.

    Set ``ZONEBLANCHE_REALDATA`` to point elsewhere. A missing folder skips the test, except
    on CI (``CI=true``), where it fails.
    """
    path = pathlib.Path(os.environ.get("ZONEBLANCHE_REALDATA", REPOSITORY / ".." / "shared" / "realdata"))
    if not path.is_dir():
        message = f"real data folder not found: {path}; set ZONEBLANCHE_REALDATA"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path
