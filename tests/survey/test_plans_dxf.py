"""DXF drawings: the Contoso floors (mm, UNITS layer, UNITLABELS) and drawings made here."""

import io
from collections import Counter

import ezdxf
import pytest
from plans_helpers import plans_folder, english  # noqa: F401 - fixture

from survey.errors import FormatError
from survey.plans import detect_format, read_plan

FLOORS = ("Basement.dxf", "Ground.dxf", "Level_2.dxf")
# Refs that the Contoso drawings give to two rooms each: a room outline drawn twice over
# (two overlapping outlines, one label) and one label copied into a second room.
CONTOSO_DUPLICATES = {"Basement.dxf": {"B27", "B36"}, "Ground.dxf": {"127", "136"}, "Level_2.dxf": {"227", "236"}}


@pytest.fixture(params=FLOORS)
def floor(request, realdata):
    return request.param, (plans_folder(realdata) / "dxf" / "contoso" / request.param).read_bytes()


def test_contoso_detected_as_dxf(floor):
    name, data = floor
    assert detect_format(data, name) == "dxf"


def test_contoso_without_layer_lists_candidates(floor):
    name, data = floor

    with pytest.raises(FormatError) as raised:
        read_plan(data, name)

    assert "UNITS (64 closed shapes)" in raised.value.message
    assert "--layer" in raised.value.fix


def test_contoso_duplicate_refs_rejected(floor):
    name, data = floor

    with pytest.raises(FormatError) as raised:
        read_plan(data, name, layer="UNITS")

    assert {error.value for error in raised.value.errors} == CONTOSO_DUPLICATES[name]


def test_contoso_rooms_and_labels(floor):
    name, data = floor

    [level] = read_plan(data, name, layer="UNITS", rename_duplicates=True)

    assert len(level.rooms) == 64
    assert level.source["labelled"] == 64
    assert level.source["label_layer"] == "UNITLABELS"
    assert level.source["units"] == "mm"
    assert sum(room.geometry.area for room in level.rooms) == pytest.approx(4946.17, abs=0.1)


def test_contoso_in_metres_not_millimetres(floor):
    name, data = floor
    [level] = read_plan(data, name, layer="UNITS", rename_duplicates=True)
    min_x, min_y, max_x, max_y = (min(room.geometry.bounds[i] for room in level.rooms) if i < 2 else max(room.geometry.bounds[i] for room in level.rooms) for i in range(4))

    assert (min_x, min_y) == pytest.approx((0, 0), abs=0.1)
    assert (max_x, max_y) == pytest.approx((70, 70), abs=0.1)


def test_contoso_ground_labels_and_areas(realdata):
    data = (plans_folder(realdata) / "dxf" / "contoso" / "Ground.dxf").read_bytes()
    [level] = read_plan(data, "Ground.dxf", layer="UNITS", rename_duplicates=True)
    rooms = {room.ref: room for room in level.rooms}

    assert {"101", "157", "CIRC101", "ELV101", "STR101"} <= set(rooms)
    assert rooms["136"].geometry.area == pytest.approx(49.0, abs=0.1)
    assert rooms["CIRC101"].category == "corridor"
    assert rooms["ELV101"].category == "lift"
    assert rooms["STR101"].category == "stairwell"
    assert Counter(warning["kind"] for warning in level.warnings) == {"renamed": 2, "overlap": 1}


def test_contoso_wrong_insunits_corrected(realdata):
    """Converters often write $INSUNITS = 6 (metres) for drawings in millimetres."""
    document = ezdxf.readfile(plans_folder(realdata) / "dxf" / "contoso" / "Ground.dxf")
    document.header["$INSUNITS"] = 6

    [level] = read_plan(_dxf_bytes(document), "Ground.dxf", layer="UNITS", rename_duplicates=True)

    assert level.source["units"] == "mm"
    assert any(warning["kind"] == "units" for warning in level.warnings)
    assert max(room.geometry.area for room in level.rooms) < 1000


def test_units_override_kept_and_warned(realdata):
    data = (plans_folder(realdata) / "dxf" / "contoso" / "Ground.dxf").read_bytes()

    [level] = read_plan(data, "Ground.dxf", layer="UNITS", units="m", rename_duplicates=True)

    assert level.source["units"] == "m"
    assert any(warning["kind"] == "units" for warning in level.warnings)
    assert any(warning["kind"] == "area" for warning in level.warnings)


def _dxf_bytes(document) -> bytes:
    stream = io.StringIO()
    document.write(stream)
    return stream.getvalue().encode("utf-8")


def _drawing() -> ezdxf.document.Drawing:
    """Build a drawing in metres: a hatch with a hole, a polyline with a bulge, labels of each kind."""
    document = ezdxf.new("R2010", units=6)
    modelspace = document.modelspace()
    document.layers.add("A-AREA")

    hatch = modelspace.add_hatch(dxfattribs={"layer": "A-AREA"})
    hatch.paths.add_polyline_path([(0, 0), (10, 0), (10, 8), (0, 8)], is_closed=True, flags=1)
    hatch.paths.add_polyline_path([(4, 3), (6, 3), (6, 5), (4, 5)], is_closed=True, flags=16)
    modelspace.add_text("IRM 1", dxfattribs={"layer": "A-TEXT", "insert": (1, 1)})

    modelspace.add_lwpolyline([(12, 0, 0), (20, 0, 1.0), (20, 8, 0), (12, 8, 0)], format="xyb", close=True, dxfattribs={"layer": "A-AREA"})
    modelspace.add_mtext("\\fArial|b1;Bloc 2", dxfattribs={"layer": "A-TEXT", "insert": (13, 4)})

    modelspace.add_lwpolyline([(0, 10), (6, 10), (6, 14), (0, 14)], close=True, dxfattribs={"layer": "A-AREA"})
    stamp = document.blocks.new("ROOMSTAMP")
    stamp.add_attdef("NUMBER", (0, 0))
    stamp.add_attdef("NAME", (0, -0.5))
    insert = modelspace.add_blockref("ROOMSTAMP", (1, 12), dxfattribs={"layer": "A-TEXT"})
    insert.add_auto_attribs({"NUMBER": "R-103", "NAME": "Réa chambre 3"})

    modelspace.add_lwpolyline([(30, 0), (34, 0), (34, 4)], close=False, dxfattribs={"layer": "A-AREA"})
    modelspace.add_lwpolyline([(40, 0), (44, 0), (44, 4), (40, 4)], close=True, dxfattribs={"layer": "A-AREA"})
    return document


def test_hatch_bulge_mtext_and_room_stamp():
    [level] = read_plan(_dxf_bytes(_drawing()), "synthetic.dxf", layer="A-AREA")
    rooms = {room.ref: room for room in level.rooms}

    assert rooms["IRM 1"].geometry.area == pytest.approx(80 - 4)
    assert len(rooms["IRM 1"].geometry.interiors) == 1
    assert rooms["IRM 1"].category == "mri"
    assert rooms["Bloc 2"].category == "operating_theatre"
    assert rooms["Bloc 2"].geometry.area == pytest.approx(64 + 3.14159 * 16 / 2, rel=0.005)
    assert rooms["R-103"].name == "Réa chambre 3"
    assert rooms["R-103"].category == "icu"


def test_unlabelled_room_and_open_polyline():
    [level] = read_plan(_dxf_bytes(_drawing()), "synthetic.dxf", layer="A-AREA")
    generated = [room for room in level.rooms if room.ref.startswith("A-AREA-")]

    assert len(generated) == 1
    assert generated[0].geometry.area == pytest.approx(16)
    assert any(warning["kind"] == "label" for warning in level.warnings)
    assert level.source["closed_shapes"] == 4


def test_unknown_layer_rejected():
    with pytest.raises(FormatError, match="A-AREA"):
        read_plan(_dxf_bytes(_drawing()), "synthetic.dxf", layer="ROOMS")
