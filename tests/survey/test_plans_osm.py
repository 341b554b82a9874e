"""OpenStreetMap indoor plans: the Ulm campus extract (Overpass ``out geom``) and OSM GeoJSON."""

import json
from collections import Counter

import osm2geojson
import pytest
from plans_helpers import plans_folder, english  # noqa: F401 - fixture

from survey.errors import FormatError
from survey.plans import detect_format, read_plan
from survey.plans.osm import parse_levels


@pytest.fixture
def unit_xml(realdata):
    return (plans_folder(realdata) / "osm" / "ulm-university-campus" / "unit.xml").read_bytes()


@pytest.mark.parametrize(
    ("value", "levels"),
    [
        ("0", ["0"]),
        ("0;1", ["0", "1"]),
        ("-1-2", ["-1", "0", "1", "2"]),
        ("-3--1", ["-3", "-2", "-1"]),
        ("1-3;5", ["1", "2", "3", "5"]),
        ("0.5", ["0.5"]),
        ("", []),
        (None, []),
    ],
)
def test_level_values(value, levels):
    assert parse_levels(value) == levels


def test_ulm_detected_as_osm(unit_xml):
    assert detect_format(unit_xml, "unit.xml") == "osm"


def test_ulm_duplicate_refs_rejected(unit_xml):
    with pytest.raises(FormatError) as raised:
        read_plan(unit_xml, "unit.xml")

    assert "V101" in raised.value.message
    assert len(raised.value.errors) == 9


def test_ulm_levels_and_rooms(unit_xml):
    levels = read_plan(unit_xml, "unit.xml", rename_duplicates=True)

    assert [level.ordinal for level in levels] == [0, 1, 2, 3, 4, 5]
    assert [len(level.rooms) for level in levels] == [27, 150, 120, 92, 89, 76]


def test_ulm_corridors_are_polygons(unit_xml):
    rooms = [room for level in read_plan(unit_xml, "unit.xml", rename_duplicates=True) for room in level.rooms]
    corridors = {room.source_id for room in rooms if room.category == "corridor"}

    assert len(corridors) == 51
    assert all(room.geometry.geom_type == "Polygon" for room in rooms if room.category == "corridor")


def test_ulm_multi_level_features(unit_xml):
    rooms = [room for level in read_plan(unit_xml, "unit.xml", rename_duplicates=True) for room in level.rooms]
    copies = Counter(room.source_id for room in rooms)

    assert sum(1 for count in copies.values() if count == 6) == 23
    assert all("@" in room.ref for room in rooms if copies[room.source_id] > 1)


def test_ulm_room_area(unit_xml):
    rooms = {room.ref: room for level in read_plan(unit_xml, "unit.xml", rename_duplicates=True) for room in level.rooms}

    assert rooms["osm-w372022910"].geometry.area == pytest.approx(174.3, abs=1.0)


def test_ulm_level_outline_and_names(realdata):
    folder = plans_folder(realdata) / "osm" / "ulm-university-campus"
    data = _merged_xml(folder / "unit.xml", folder / "level.xml")

    levels = read_plan(data, "ulm.osm", rename_duplicates=True)

    assert [level.name for level in levels] == ["EG", "1. OG", "2. OG", "3. OG", "4. OG", "5. OG"]
    assert all(level.outline is not None and level.outline.area > 1000 for level in levels)


def _merged_xml(*paths) -> bytes:
    bodies = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        bodies.append(text[text.index("<meta") :].split("\n", 1)[1].rsplit("</osm>", 1)[0])
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n' + "".join(bodies) + "</osm>\n").encode()


def test_osm2geojson_lines_become_polygons(unit_xml):
    """osm2geojson writes closed corridors as LineStrings with its default area rules."""
    collection = osm2geojson.xml2geojson(unit_xml.decode("utf-8"))
    lines = sum(1 for feature in collection["features"] if feature["geometry"]["type"] == "LineString")
    data = json.dumps(collection).encode()

    levels = read_plan(data, "ulm.geojson", rename_duplicates=True)
    corridors = [room for level in levels for room in level.rooms if room.category == "corridor"]

    assert lines >= 51
    assert detect_format(data) == "geojson"
    assert sum(len(level.rooms) for level in levels) == 554
    assert len({room.source_id for room in corridors}) == 51
    assert all(room.geometry.geom_type == "Polygon" for room in corridors)


def test_overpass_turbo_geojson():
    ring = [[2.35, 48.85], [2.3502, 48.85], [2.3502, 48.8501], [2.35, 48.8501], [2.35, 48.85]]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": "way/1", "properties": {"@id": "way/1", "indoor": "room", "level": "-1", "ref": "S12", "name": "IRM"}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
            {"type": "Feature", "id": "way/2", "properties": {"@id": "way/2", "indoor": "corridor", "level": "-1;0"}, "geometry": {"type": "LineString", "coordinates": ring}},
            {"type": "Feature", "id": "way/3", "properties": {"@id": "way/3", "indoor": "room"}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
        ],
    }

    levels = read_plan(json.dumps(collection).encode(), "export.geojson")
    rooms = {room.ref: room for level in levels for room in level.rooms}

    assert sorted(rooms) == ["S12", "osm-w2@-1", "osm-w2@0"]
    assert rooms["S12"].category == "mri"
    assert rooms["osm-w2@0"].geometry.geom_type == "Polygon"
    assert any(skip["reason"] == "no level tag" for level in levels for skip in level.skipped)
