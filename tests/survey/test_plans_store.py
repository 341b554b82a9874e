"""Importing plans into the store: levels, rooms matched by ref, backgrounds, drawn rooms."""

import io
import json

import pytest
import shapely
from fpdf import FPDF
from PIL import Image
from plans_helpers import new_site, new_store, plans_folder, zipped, english  # noqa: F401 - fixture
from shapely.geometry import box, mapping
from sqlalchemy import select

from survey.errors import ConflictError, FormatError, InputError
from survey.models import Level, LevelBackground, Room, Site
from survey.plans import import_plan
from survey.plans.background import calibrate, level_background, pixel_to_plan
from survey.plans.drawing import delete_room, draw_room, update_room


@pytest.fixture
def store(tmp_path):
    store = new_store(tmp_path)
    yield store
    store.dispose()


def _import(store, site_id: int, data: bytes, filename: str, **options) -> dict:
    with store.session() as session:
        return import_plan(session, session.get(Site, site_id), data, filename, **options)


def _plan(*rooms: tuple[str, object]) -> bytes:
    features = [{"type": "Feature", "properties": {"ref": ref}, "geometry": mapping(geometry)} for ref, geometry in rooms]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def test_imdf_stored_with_georeference(store, realdata):
    site_id = new_site(store)
    data = zipped(plans_folder(realdata) / "imdf" / "ulm-osmtoimdf")

    report = _import(store, site_id, data, "ulm.zip")

    with store.session() as session:
        levels = session.scalars(select(Level).order_by(Level.ordinal)).all()
        assert [level.ordinal for level in levels] == [0, 1, 2, 3, 4, 5]
        assert all(level.georeference["method"] == "projection" for level in levels)
        assert session.query(Room).count() == 554
    assert sum(level["rooms_created"] for level in report["levels"]) == 554
    assert report["format"] == "imdf"


def test_contoso_three_floors(store, realdata):
    site_id = new_site(store)
    folder = plans_folder(realdata) / "dxf" / "contoso"

    for ordinal, name in zip((-1, 0, 1), ("Basement.dxf", "Ground.dxf", "Level_2.dxf")):
        report = _import(store, site_id, (folder / name).read_bytes(), name, layer="UNITS", ordinal=ordinal, rename_duplicates=True)
        assert report["levels"][0]["rooms_created"] == 64

    with store.session() as session:
        levels = {level.name: level.ordinal for level in session.scalars(select(Level))}
        room = session.scalar(select(Room).where(Room.ref == "B36"))
        assert levels == {"Basement": -1, "Ground": 0, "Level_2": 1}
        assert session.query(Room).count() == 192
        assert room.area_m2 == pytest.approx(49.0, abs=0.1)


def test_reimport_updates_and_keeps_registry(store):
    site_id = new_site(store)
    _import(store, site_id, _plan(("R1", box(0, 0, 4, 4)), ("R2", box(4, 0, 8, 4))), "rdc.geojson", level="RDC")
    with store.session() as session:
        room = session.scalar(select(Room).where(Room.ref == "R1"))
        room.criticality = "vital"
        room.analog_line = True

    report = _import(store, site_id, _plan(("R1", box(0, 0, 5, 4))), "rdc.geojson", level="RDC")

    with store.session() as session:
        room = session.scalar(select(Room).where(Room.ref == "R1"))
        assert room.area_m2 == pytest.approx(20)
        assert room.criticality == "vital"
        assert room.analog_line is True
    level = report["levels"][0]
    assert (level["rooms_created"], level["rooms_updated"]) == (0, 1)
    assert any(warning["kind"] == "not_in_file" and "R2" in warning["message"] for warning in level["warnings"])


def test_room_moved_between_levels_reported(store):
    site_id = new_site(store)
    _import(store, site_id, _plan(("R1", box(0, 0, 4, 4))), "a.geojson", level="RDC")

    report = _import(store, site_id, _plan(("R1", box(0, 0, 4, 4)), ("R2", box(4, 0, 8, 4))), "b.geojson", level="R+1", ordinal=1)

    # One warning for the rooms moved from RDC (R2 is new), naming the former level and the way back.
    [warning] = [warning for warning in report["levels"][0]["warnings"] if warning["kind"] == "moved"]
    assert warning["ref"] == "R1"
    assert "'RDC'" in warning["message"]
    assert "--level 'RDC'" in warning["message"]


def test_multi_level_file_rejects_level_option(store, realdata):
    site_id = new_site(store)
    data = zipped(plans_folder(realdata) / "imdf" / "ulm-osmtoimdf")

    with pytest.raises(InputError, match="6 levels"):
        _import(store, site_id, data, "ulm.zip", level="RDC")


def _png(width: int = 400, height: int = 200) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def _pdf() -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.add_page()
    pdf.rect(20, 20, 200, 100)
    return bytes(pdf.output())


def test_pdf_background_calibrated(store):
    site_id = new_site(store)

    report = _import(store, site_id, _pdf(), "plan-rdc.pdf", dpi=72)

    level_id = report["levels"][0]["level_id"]
    background = report["levels"][0]["background"]
    assert report["format"] == "pdf"
    assert report["levels"][0]["level"] == "plan-rdc"
    assert (background["width_px"], background["height_px"]) == (842, 596)
    with store.session() as session:
        assert level_background(session, level_id) is None
        summary = calibrate(session, level_id, (100, 500), (700, 500), 30.0)
        png, bounds = level_background(session, level_id)
        record = session.scalar(select(LevelBackground))
        corner = pixel_to_plan(record, 0, 0)
    assert summary["metres_per_pixel"] == pytest.approx(0.05)
    assert bounds == pytest.approx((0, 0, 42.1, 29.8))
    assert corner == pytest.approx((0, 29.8))
    assert png.startswith(b"\x89PNG")


def test_image_background_and_drawn_rooms(store):
    site_id = new_site(store)
    report = _import(store, site_id, _png(), "scan.png", level="R+1", ordinal=1)
    level_id = report["levels"][0]["level_id"]

    with store.session() as session:
        calibrate(session, level_id, (0, 0), (400, 0), 20.0)
        created = draw_room(session, level_id, {"ref": "101", "name": "IRM", "geometry": mapping(box(0, 0, 6, 5))})
        overlapping = draw_room(session, level_id, {"ref": "102", "geometry": mapping(box(5, 0, 10, 5))})
        updated = update_room(session, level_id, "102", {"geometry": mapping(box(6, 0, 10, 5)), "criticality": "vital"})
        delete_room(session, level_id, "101")
        remaining = session.scalars(select(Room.ref)).all()

    assert created["category"] == "mri"
    assert created["area_m2"] == 30
    assert overlapping["warnings"][0]["kind"] == "overlap"
    assert updated["warnings"] == []
    assert updated["criticality"] == "vital"
    assert remaining == ["102"]


def test_drawn_room_checks(store):
    site_id = new_site(store)
    level_id = _import(store, site_id, _plan(("R1", box(0, 0, 4, 4))), "a.geojson", level="RDC")["levels"][0]["level_id"]

    with store.session() as session:
        with pytest.raises(ConflictError):
            draw_room(session, level_id, {"ref": "R1", "geometry": mapping(box(5, 5, 6, 6))})
        with pytest.raises(InputError, match="polygon"):
            draw_room(session, level_id, {"ref": "R9", "geometry": {"type": "Point", "coordinates": [1, 1]}})
        with pytest.raises(InputError, match="category"):
            draw_room(session, level_id, {"ref": "R9", "category": "spa", "geometry": mapping(box(5, 5, 6, 6))})


def test_unknown_content_rejected(store):
    site_id = new_site(store)

    with pytest.raises(FormatError, match="not recognised"):
        _import(store, site_id, b"hello", "notes.txt")


def test_levels_sharing_an_ordinal_named_by_name(store, english):
    from survey.errors import InputError
    from survey.store import find_level

    site_id = new_site(store)
    _import(store, site_id, _plan(("R1", box(0, 0, 4, 4))), "a.geojson", level="RDC", ordinal=0)
    _import(store, site_id, _plan(("R2", box(0, 0, 4, 4))), "b.geojson", level="Rez de chaussée", ordinal=0)

    with store.session() as session:
        site = session.get(Site, site_id)
        with pytest.raises(InputError) as raised:
            find_level(session, site, "0")
        assert find_level(session, site, "RDC").name == "RDC"
    assert "several levels have the number 0: 'RDC', 'Rez de chaussée'" in str(raised.value)
    assert "building" not in str(raised.value)
