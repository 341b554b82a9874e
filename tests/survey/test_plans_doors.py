"""Doors read from every plan format, stored with their level and used by the analysis."""

import io
import json
import zipfile
from pathlib import Path

import ezdxf
import pytest
import shapely
from plans_helpers import new_site, new_store, plans_folder, require_ifcopenshell, english  # noqa: F401 - fixture
from shapely.geometry import box, mapping
from sqlalchemy import select

from survey.errors import FormatError
from survey.models import Level, Site
from survey.plans import import_plan, read_plan


def _collection(*features: dict, **members) -> bytes:
    return json.dumps({"type": "FeatureCollection", **members, "features": list(features)}).encode()


def _room(ref: str, geometry) -> dict:
    return {"type": "Feature", "properties": {"ref": ref}, "geometry": mapping(geometry)}


def _door(geometry, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": mapping(geometry)}


def test_geojson_door_features():
    data = _collection(
        _room("A", box(0, 2, 5, 6)),
        _room("C", box(0, 0, 20, 2)),
        _door(shapely.LineString([(1.9, 2.0), (3.1, 2.0)]), category="door"),
        _door(shapely.Point(4.0, 2.0), door="yes"),
        _door(shapely.Point(9.0, 2.0), category="Door", ref="D9"),
    )

    [level] = read_plan(data, "plan.geojson")

    assert [room.ref for room in level.rooms] == ["A", "C"]
    assert [door.geom_type for door in level.doors] == ["LineString", "Point", "Point"]
    assert level.skipped == []


def test_geojson_doors_projected_with_rooms():
    lon, lat = 2.35, 48.85
    room = box(lon, lat, lon + 0.0001, lat + 0.0001)
    door = shapely.Point(lon + 0.00005, lat)

    [level] = read_plan(_collection(_room("A", room), _door(door, category="door")), "plan.geojson")

    # The door sits on the room's south wall, about 3.7 m east of its south-west corner.
    projected = level.rooms[0].geometry
    assert level.doors[0].distance(projected.boundary) < 1e-3
    assert level.doors[0].x - projected.bounds[0] == pytest.approx(3.7, abs=0.1)


def test_sample_hospital_doors():
    plans = Path(__file__).parents[2] / "data" / "samples" / "hospital" / "plans"
    [level] = read_plan((plans / "level_0.geojson").read_bytes(), "level_0.geojson")
    assert len(level.doors) == 51
    # Every drawn door lies on the wall between its room and a corridor.
    rooms = shapely.STRtree([room.geometry for room in level.rooms])
    for door in level.doors:
        assert len(rooms.query(door, predicate="dwithin", distance=0.01)) >= 2


def _imdf(openings: list[dict]) -> bytes:
    def square(x, y, size=0.0001):
        return {"type": "Polygon", "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]}

    level = {"type": "Feature", "id": "L0", "geometry": square(2.35, 48.85, 0.001), "properties": {"ordinal": 0, "name": {"en": "Ground"}}}
    units = [
        {"type": "Feature", "id": "U1", "geometry": square(2.3501, 48.8501), "properties": {"category": "room", "level_id": "L0"}},
        {"type": "Feature", "id": "U2", "geometry": square(2.3502, 48.8501), "properties": {"category": "room", "level_id": "L0"}},
    ]
    files = {
        "level.geojson": {"type": "FeatureCollection", "features": [level]},
        "unit.geojson": {"type": "FeatureCollection", "features": units},
        "opening.geojson": {"type": "FeatureCollection", "features": openings},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, document in files.items():
            archive.writestr(name, json.dumps(document))
    return buffer.getvalue()


def test_imdf_openings_become_doors():
    wall = {"type": "LineString", "coordinates": [[2.3502, 48.85013], [2.3502, 48.85017]]}
    openings = [
        {"type": "Feature", "id": "O1", "geometry": wall, "properties": {"category": "pedestrian", "level_id": "L0"}},
        {"type": "Feature", "id": "O2", "geometry": wall, "properties": {"category": "pedestrian", "level_id": "L9"}},
    ]

    [level] = read_plan(_imdf(openings), "venue.zip")

    assert len(level.doors) == 1
    assert level.source["openings"] == 1
    # Projected with the units: the opening lies on the wall the two units share.
    first, second = (room.geometry for room in level.rooms)
    assert level.doors[0].distance(first) < 0.01
    assert level.doors[0].distance(second) < 0.01
    assert [skip["ref"] for skip in level.skipped] == ["O2"]


OSM_XML = """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
  <node id="1" lat="48.85" lon="2.35"/>
  <node id="2" lat="48.85" lon="2.3501"/>
  <node id="3" lat="48.8501" lon="2.3501"/>
  <node id="4" lat="48.8501" lon="2.35"/>
  <node id="5" lat="48.85" lon="2.35005"><tag k="door" v="hinged"/></node>
  <node id="6" lat="48.8501" lon="2.35005"><tag k="door" v="no"/></node>
  <node id="7" lat="48.85005" lon="2.3501"><tag k="door" v="yes"/><tag k="level" v="1"/></node>
  <node id="8" lat="48.8502" lon="2.3502"><tag k="door" v="yes"/></node>
  <way id="10">
    <nd ref="1"/><nd ref="5"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="indoor" v="room"/><tag k="level" v="0"/><tag k="ref" v="R1"/>
  </way>
  <way id="11">
    <nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/><nd ref="1"/>
    <tag k="indoor" v="room"/><tag k="level" v="1"/><tag k="ref" v="R2"/>
  </way>
</osm>
"""


def test_osm_door_nodes_take_levels():
    levels = {level.name: level for level in read_plan(OSM_XML.encode(), "campus.osm")}

    # Node 5 has no level tag and lies on R1's outline: level 0. Node 6 is door=no. Node 7 is
    # tagged level 1. Node 8 has no level and is on no space: reported, not placed.
    assert len(levels["0"].doors) == 1
    assert len(levels["1"].doors) == 1
    assert levels["0"].doors[0].distance(levels["0"].rooms[0].geometry.boundary) < 0.01
    assert any(skip["reason"] == "door without a level tag" for skip in levels["?"].skipped)


def test_osm_geojson_door_points():
    ring = [[2.35, 48.85], [2.3502, 48.85], [2.3502, 48.8501], [2.35, 48.8501], [2.35, 48.85]]
    data = _collection(
        {"type": "Feature", "properties": {"@id": "way/1", "indoor": "room", "level": "0", "ref": "S1"}, "geometry": {"type": "Polygon", "coordinates": [ring]}},
        {"type": "Feature", "properties": {"@id": "node/5", "door": "hinged", "level": "0"}, "geometry": {"type": "Point", "coordinates": [2.3501, 48.85]}},
    )

    [level] = read_plan(data, "export.geojson")

    assert len(level.doors) == 1
    assert level.doors[0].distance(level.rooms[0].geometry.boundary) < 0.01


def test_contoso_doors_layer_found(realdata):
    data = (plans_folder(realdata) / "dxf" / "contoso" / "Ground.dxf").read_bytes()

    [level] = read_plan(data, "Ground.dxf", layer="UNITS", rename_duplicates=True)

    assert level.source["door_layers"] == ["DOORS"]
    assert len(level.doors) == 16
    # In metres like the rooms, each between a room and the corridor it opens onto.
    rooms = shapely.STRtree([room.geometry for room in level.rooms])
    for door in level.doors:
        assert 5.0 < door.length < 15.0
        assert len(rooms.query(door, predicate="dwithin", distance=0.3)) >= 2


def _door_drawing() -> bytes:
    document = ezdxf.new("R2010", units=6)
    modelspace = document.modelspace()
    modelspace.add_lwpolyline([(0, 0), (5, 0), (5, 4), (0, 4)], close=True, dxfattribs={"layer": "ROOMS"})
    modelspace.add_lwpolyline([(5, 0), (10, 0), (10, 4), (5, 4)], close=True, dxfattribs={"layer": "ROOMS"})
    modelspace.add_text("R1", dxfattribs={"layer": "TEXT", "insert": (1, 1)})
    modelspace.add_text("R2", dxfattribs={"layer": "TEXT", "insert": (6, 1)})
    # A door leaf and its swing on a French door layer, and a door block on the wall layer.
    modelspace.add_line((5, 1), (5, 2), dxfattribs={"layer": "A-PORTES"})
    modelspace.add_arc((5, 1), 1.0, 0, 90, dxfattribs={"layer": "A-PORTES"})
    block = document.blocks.new("DOOR_90")
    block.add_line((0, 0), (0.9, 0))
    modelspace.add_blockref("DOOR_90", (5, 3), dxfattribs={"layer": "WALLS"})
    modelspace.add_line((0, 10), (3, 10), dxfattribs={"layer": "MY-OPENINGS"})
    stream = io.StringIO()
    document.write(stream)
    return stream.getvalue().encode()


def test_dxf_door_layers_and_blocks():
    [level] = read_plan(_door_drawing(), "doors.dxf", layer="ROOMS")

    assert level.source["door_layers"] == ["A-PORTES"]
    assert sorted(door.geom_type for door in level.doors) == ["LineString", "LineString", "Point"]
    assert any(door.equals(shapely.Point(5, 3)) for door in level.doors)


def test_dxf_door_layer_option():
    [level] = read_plan(_door_drawing(), "doors.dxf", layer="ROOMS", door_layer="MY-OPENINGS")

    assert level.source["door_layers"] == ["MY-OPENINGS"]
    # The chosen layer's line, and the door block, which is found on any layer.
    assert sorted(door.geom_type for door in level.doors) == ["LineString", "Point"]
    with pytest.raises(FormatError, match="A-PORTES"):
        read_plan(_door_drawing(), "doors.dxf", layer="ROOMS", door_layer="DOORZ")


def test_ifc_duplex_doors(realdata):
    require_ifcopenshell()
    data = (plans_folder(realdata) / "ifc" / "duplex" / "Duplex_A_20110907.ifc.gz").read_bytes()

    levels = read_plan(data, "duplex.ifc.gz")

    assert sum(len(level.doors) for level in levels) == 14
    for level in levels:
        rooms = shapely.STRtree([room.geometry for room in level.rooms])
        for door in level.doors:
            # A door is a few tenths of a metre deep and up to about 1.5 m wide.
            assert 0.5 < door.minimum_rotated_rectangle.length < 5.0
            assert len(rooms.query(door, predicate="dwithin", distance=0.5)) >= 1


def test_doors_stored_and_kept(tmp_path):
    store = new_store(tmp_path)
    site_id = new_site(store)
    rooms = [_room("A", box(0, 2, 5, 6)), _room("C", box(0, 0, 20, 2))]
    with_doors = _collection(*rooms, _door(shapely.Point(2.5, 2.0), category="door"), level={"name": "RDC", "ordinal": 0})
    without = _collection(*rooms, level={"name": "RDC", "ordinal": 0})

    with store.session() as session:
        first = import_plan(session, session.get(Site, site_id), with_doors, "plan.geojson")
        second = import_plan(session, session.get(Site, site_id), without, "plan.geojson")
    with store.session() as session:
        [level] = session.scalars(select(Level)).all()
        doors = level.doors
    store.dispose()

    assert first["levels"][0]["doors"] == 1
    # A file without doors keeps the level's doors.
    assert second["levels"][0]["doors"] == 1
    assert doors == [{"type": "Point", "coordinates": [2.5, 2.0]}]


def test_doors_between_fewer_than_two_rooms_reported(english):
    data = _collection(
        _room("A", box(0, 2, 5, 6)),
        _room("C", box(0, 0, 20, 2)),
        _door(shapely.Point(2.5, 2.0), category="door"),
        _door(shapely.Point(2.5, 4.0), category="door"),
        _door(shapely.Point(50.0, 50.0), category="door"),
    )

    [level] = read_plan(data, "plan.geojson")

    assert len(level.doors) == 3
    [warning] = [warning for warning in level.warnings if warning["kind"] == "door"]
    assert warning["message"].startswith("2 doors are not between two rooms")
    assert "(2.5, 4.0), (50.0, 50.0)" in warning["message"]
