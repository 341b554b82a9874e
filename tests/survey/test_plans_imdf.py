"""IMDF archives: the Ulm set converted from OpenStreetMap (6 levels, 554 units)."""

import io
import json
import zipfile
from collections import Counter

import pytest
from plans_helpers import plans_folder, zipped, english  # noqa: F401 - fixture

from survey.errors import FormatError
from survey.i18n import reset_language, set_language
from survey.plans import detect_format, read_plan
from survey.plans import imdf


@pytest.fixture
def ulm_zip(realdata):
    return zipped(plans_folder(realdata) / "imdf" / "ulm-osmtoimdf")


def test_ulm_detected_as_imdf(ulm_zip):
    assert detect_format(ulm_zip, "ulm.zip") == "imdf"


def test_ulm_every_unit_resolves(ulm_zip):
    levels = read_plan(ulm_zip, "ulm.zip")

    assert len(levels) == 6
    assert sum(len(level.rooms) for level in levels) == 554
    assert all(not level.skipped for level in levels)


def test_ulm_ordinals_and_names(ulm_zip):
    levels = read_plan(ulm_zip, "ulm.zip")
    by_ordinal = {level.ordinal: level for level in levels}

    assert sorted(by_ordinal) == [0, 1, 2, 3, 4, 5]
    assert by_ordinal[0].name == "EG"
    assert by_ordinal[1].name == "1. OG"
    assert {len(level.rooms) for level in levels} == {27, 150, 120, 92, 89, 76}


def test_ulm_categories(ulm_zip):
    counts = Counter(room.category for level in read_plan(ulm_zip, "ulm.zip") for room in level.rooms)

    assert counts["corridor"] == 51
    assert counts["stairwell"] == 47
    assert counts["lift"] == 36
    assert counts["toilet"] == 26


def test_ulm_area_matches_source(realdata, ulm_zip):
    """The projected area of a unit matches the converter's own ``_area`` within 0.5 %."""
    units = json.loads((plans_folder(realdata) / "imdf" / "ulm-osmtoimdf" / "unit.json").read_text())["features"]
    expected = {unit["id"]: unit["properties"]["_area"] for unit in units}
    rooms = {room.ref: room for level in read_plan(ulm_zip, "ulm.zip") for room in level.rooms}

    corridor = rooms["0cc78bc7-00a2-4f96-9c96-4b1c2cf3678c"]

    assert corridor.geometry.area == pytest.approx(expected[corridor.ref], rel=0.005)
    assert corridor.geometry.area == pytest.approx(174.3, abs=1.0)


def test_ulm_levels_share_projection(ulm_zip):
    levels = read_plan(ulm_zip, "ulm.zip")
    centres = {(level.georeference["lon_0"], level.georeference["lat_0"]) for level in levels}

    assert len(centres) == 1
    lon_0, lat_0 = centres.pop()
    assert 9.94 < lon_0 < 9.97
    assert 48.41 < lat_0 < 48.43


def test_ulm_outlines_reported(ulm_zip):
    levels = read_plan(ulm_zip, "ulm.zip")

    assert all(level.outline is not None for level in levels)
    assert any(warning["kind"] == "outside" for level in levels for warning in level.warnings)


def test_labels_follow_language():
    labels = {"en": "Radiology", "fr": "Radiologie", "de": "Radiologie"}
    token = set_language("fr")
    try:
        assert imdf._label(labels, imdf._language_order("en-US")) == "Radiologie"
    finally:
        reset_language(token)
    token = set_language("en")
    try:
        assert imdf._label(labels, imdf._language_order("fr")) == "Radiology"
        assert imdf._label({"de": "Treppe"}, imdf._language_order("en")) == "Treppe"
    finally:
        reset_language(token)


def _archive(files: dict[str, object]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, document in files.items():
            archive.writestr(name, json.dumps(document))
    return buffer.getvalue()


def _square(x: float, y: float, size: float = 0.0001) -> dict:
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_geojson_names_and_orphan_unit():
    level = {"type": "Feature", "id": "L0", "feature_type": "level", "geometry": _square(2.35, 48.85, 0.001), "properties": {"ordinal": -1, "name": {"fr": "Sous-sol"}}}
    units = [
        {"type": "Feature", "id": "U1", "feature_type": "unit", "geometry": _square(2.3501, 48.8501), "properties": {"category": "room", "name": {"fr": "IRM 1"}, "level_id": "L0"}},
        {"type": "Feature", "id": "U2", "feature_type": "unit", "geometry": _square(2.3503, 48.8503), "properties": {"category": "room", "name": None, "level_id": "missing"}},
    ]
    data = _archive({"venue/level.geojson": {"type": "FeatureCollection", "features": [level]}, "venue/unit.geojson": {"type": "FeatureCollection", "features": units}, "venue/manifest.json": {"version": "1.0.0", "language": "fr"}})

    levels = read_plan(data, "venue.zip")

    assert [(level.name, level.ordinal) for level in levels] == [("Sous-sol", -1)]
    assert [(room.ref, room.name, room.category) for room in levels[0].rooms] == [("U1", "IRM 1", "mri")]
    assert levels[0].skipped[0]["ref"] == "U2"
    assert "missing" in levels[0].skipped[0]["reason"]
    assert levels[0].rooms[0].geometry.area == pytest.approx(7.4 * 11.1, rel=0.02)


def test_non_integer_ordinal_rejected():
    level = {"type": "Feature", "id": "L0", "geometry": None, "properties": {"ordinal": "1", "name": {"en": "One"}}}
    data = _archive({"level.json": {"type": "FeatureCollection", "features": [level]}, "unit.json": {"type": "FeatureCollection", "features": []}})

    with pytest.raises(FormatError, match="ordinal"):
        read_plan(data, "venue.zip")


def test_zip_without_units_rejected():
    data = _archive({"level.json": {"type": "FeatureCollection", "features": []}})

    with pytest.raises(FormatError, match="IMDF"):
        read_plan(data, "other.zip")
