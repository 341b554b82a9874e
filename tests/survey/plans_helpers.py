"""Shared helpers of the floor-plan tests: real sample paths, a fresh store, an IMDF zip."""

from __future__ import annotations

import io
import os
import pathlib
import zipfile

import pytest

from survey.i18n import reset_language, set_language
from survey.sites import create_site
from survey.store import Store


def plans_folder(realdata: pathlib.Path) -> pathlib.Path:
    return realdata / "plans"


def zipped(folder: pathlib.Path, prefix: str = "IMDFData/") -> bytes:
    """Zip a folder in memory, its files under ``prefix`` as an export tool would."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, prefix + path.name)
    return buffer.getvalue()


def new_store(tmp_path: pathlib.Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'plans.db'}")


def new_site(store: Store, name: str = "CHU Test") -> int:
    with store.session() as session:
        return create_site(session, name).id


def require_ifcopenshell() -> None:
    """Skip when ifcopenshell is missing, except on CI (``CI=true``), where the test fails."""
    try:
        import ifcopenshell  # noqa: F401
    except ImportError:
        message = "ifcopenshell is not installed: pip install 'zoneblanche[ifc]'"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def english():
    """Run each test in English, the language the messages are matched in."""
    token = set_language("en")
    yield
    reset_language(token)
