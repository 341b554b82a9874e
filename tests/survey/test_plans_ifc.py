"""IFC models: the Duplex apartment (IFC2X3, 4 storeys, 21 spaces). Needs the ifc extra."""

import pytest
from plans_helpers import plans_folder, require_ifcopenshell, english  # noqa: F401 - fixture

from survey.errors import FormatError
from survey.plans import detect_format, read_plan
from survey.plans import ifc


@pytest.fixture
def duplex(realdata):
    return (plans_folder(realdata) / "ifc" / "duplex" / "Duplex_A_20110907.ifc.gz").read_bytes()


def test_duplex_detected_as_ifc(duplex):
    assert detect_format(duplex, "duplex.ifc.gz") == "ifc"


def test_duplex_spaces_and_storeys(duplex):
    require_ifcopenshell()

    levels = read_plan(duplex, "duplex.ifc.gz")

    assert sum(len(level.rooms) for level in levels) == 21
    assert [(level.name, level.ordinal, len(level.rooms)) for level in levels] == [("Level 1", 0, 10), ("Level 2", 1, 10), ("Roof", 2, 1)]
    assert levels[1].elevation_m == pytest.approx(3.1)
    assert "T/FDN" in levels[0].warnings[0]["message"]


def test_duplex_names_and_areas(duplex):
    require_ifcopenshell()
    rooms = {room.ref: room for level in read_plan(duplex, "duplex.ifc.gz") for room in level.rooms}

    assert rooms["A102"].name == "Living Room"
    assert rooms["A102"].geometry.area == pytest.approx(27.66, abs=0.05)
    assert rooms["A104"].category == "toilet"
    assert rooms["A201"].category == "corridor"
    assert all(room.geometry.geom_type == "Polygon" for room in rooms.values())


def test_missing_ifcopenshell_message(duplex, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_ifcopenshell(name, *args, **kwargs):
        if name.startswith("ifcopenshell"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ifcopenshell)

    with pytest.raises(FormatError) as raised:
        ifc.read(duplex, "duplex.ifc.gz")

    assert "zoneblanche[ifc]" in raised.value.fix
