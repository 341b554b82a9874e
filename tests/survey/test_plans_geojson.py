"""GeoJSON plans in plan metres and in WGS84, and the checks every importer runs."""

import json

import pytest
from shapely.geometry import Polygon, box, mapping

from plans_helpers import english  # noqa: F401 - fixture
from survey.errors import FormatError
from survey.plans import read_plan
from survey.plans.base import ImportedLevel, ImportedRoom
from survey.plans.validate import check_duplicate_refs, clean_polygon, validate_level


def _collection(features: list[dict], **members) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features, **members}).encode()


def _room(ref: str, geometry, **properties) -> dict:
    return {"type": "Feature", "properties": {"ref": ref, **properties}, "geometry": mapping(geometry)}


def test_metres_kept():
    data = _collection([_room("R1", box(0, 0, 5, 4), name="Bureau"), _room("R2", box(5, 0, 10, 4), category="ward")], level={"name": "RDC", "ordinal": 0})

    [level] = read_plan(data, "rdc.geojson")

    assert level.name == "RDC"
    assert level.georeference is None
    assert [room.geometry.area for room in level.rooms] == [20, 20]
    assert [room.category for room in level.rooms] == ["office", "ward"]


def test_wgs84_projected_to_metres():
    square = box(2.35, 48.85, 2.3501, 48.8501)
    data = _collection([_room("S1", square)])

    [level] = read_plan(data, "paris.geojson")
    room = level.rooms[0]

    assert level.source["coordinates"] == "wgs84"
    assert level.georeference["method"] == "projection"
    assert level.georeference["lon_0"] == pytest.approx(2.35005)
    assert room.geometry.area == pytest.approx(7.33 * 11.12, rel=0.01)
    assert room.geometry.centroid.x == pytest.approx(0, abs=0.01)


def test_projected_crs_member_kept_as_metres():
    data = _collection([_room("R1", box(651000, 6862000, 651005, 6862004))], crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::2154"}})

    [level] = read_plan(data, "lambert.geojson")

    assert level.rooms[0].geometry.area == pytest.approx(20)


def test_bowtie_repaired():
    bowtie = Polygon([(0, 0), (4, 4), (4, 0), (0, 4), (0, 0)])
    data = _collection([_room("B1", bowtie)])

    [level] = read_plan(data, "bowtie.geojson")

    assert level.rooms[0].geometry.is_valid
    assert level.rooms[0].geometry.area == pytest.approx(8)
    assert level.warnings[0]["kind"] == "repaired"


def test_lines_and_missing_refs_skipped():
    features = [
        {"type": "Feature", "properties": {"ref": "L1"}, "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}},
        {"type": "Feature", "properties": {}, "geometry": mapping(box(0, 0, 1, 1))},
        _room("R1", box(0, 0, 3, 3)),
    ]

    [level] = read_plan(_collection(features), "mixed.geojson")

    assert [room.ref for room in level.rooms] == ["R1"]
    assert [skip["ref"] for skip in level.skipped] == ["L1", None]


def test_duplicate_refs_reject_file():
    data = _collection([_room("R1", box(0, 0, 3, 3)), _room("R1", box(3, 0, 6, 3))])

    with pytest.raises(FormatError, match="R1"):
        read_plan(data, "dup.geojson")


def test_duplicate_refs_renamed_on_request():
    data = _collection([_room("R1", box(0, 0, 3, 3)), _room("R1", box(3, 0, 6, 3)), _room("R1-2", box(6, 0, 9, 3))])

    [level] = read_plan(data, "dup.geojson", rename_duplicates=True)

    assert [room.ref for room in level.rooms] == ["R1", "R1-3", "R1-2"]
    assert level.warnings[0]["kind"] == "renamed"


def test_area_overlap_and_outline_warnings():
    level = ImportedLevel(
        name="L",
        ordinal=0,
        building=None,
        rooms=[
            ImportedRoom("TINY", box(0, 0, 0.5, 0.5)),
            ImportedRoom("HUGE", box(0, 0, 200, 100)),
            ImportedRoom("A", box(300, 0, 310, 10)),
            ImportedRoom("B", box(305, 0, 315, 10)),
            ImportedRoom("C", box(315, 0, 320, 10)),
        ],
        outline=box(-1, -1, 316, 11),
    )

    validate_level(level)
    kinds = {(warning["kind"], warning["ref"]) for warning in level.warnings}

    assert ("area", "TINY") in kinds
    assert ("area", "HUGE") in kinds
    assert ("overlap", "A") in kinds
    assert ("overlap", "B") not in kinds
    assert ("outside", "C") in kinds
    assert ("outside", "B") not in kinds


def test_clean_polygon_rejects_collapsed():
    geometry, reason, _repaired = clean_polygon(Polygon([(0, 0), (1, 1), (2, 2), (0, 0)]))

    assert geometry is None
    assert reason


def test_duplicates_across_levels():
    first = ImportedLevel("0", 0, None, [ImportedRoom("X", box(0, 0, 1, 1))])
    second = ImportedLevel("1", 1, None, [ImportedRoom("X", box(0, 0, 1, 1))])

    with pytest.raises(FormatError):
        check_duplicate_refs([first, second], "f", rename=False)
