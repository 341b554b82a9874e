"""The room registry as CSV and XLSX: matched by ref, dry run, nothing erased, no formulas."""

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from plans_helpers import new_site, new_store, english  # noqa: F401 - fixture
from shapely.geometry import box, mapping
from sqlalchemy import select

from survey.errors import InputError
from survey.models import Room, Site
from survey.plans import import_plan
from survey.registry import REGISTRY_COLUMNS, export_registry, import_registry


@pytest.fixture
def site(tmp_path):
    store = new_store(tmp_path)
    site_id = new_site(store)
    features = [
        {"type": "Feature", "properties": {"ref": ref, "name": name}, "geometry": mapping(box(i * 5, 0, i * 5 + 5, 4))}
        for i, (ref, name) in enumerate([("R1", "=HYPERLINK(\"http://x\")"), ("R2", "Bureau"), ("R3", "-chambre")])
    ]
    data = ('{"type": "FeatureCollection", "features": ' + __import__("json").dumps(features) + "}").encode()
    with store.session() as session:
        import_plan(session, session.get(Site, site_id), data, "rdc.geojson", level="RDC")
    yield store, site_id
    store.dispose()


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _import(store, site_id, data, filename, **options):
    with store.session() as session:
        return import_registry(session, session.get(Site, site_id), data, filename, **options)


def test_xlsx_import_dry_run_then_apply(site):
    store, site_id = site
    data = _xlsx([["ref", "criticality", "analog_line", "line_number", "department"], ["R2", "vital", True, 4421, "Réanimation"], ["R9", "low", "no", None, None]])

    dry = _import(store, site_id, data, "rooms.xlsx", dry_run=True)
    with store.session() as session:
        unchanged = session.scalar(select(Room).where(Room.ref == "R2")).criticality
    applied = _import(store, site_id, data, "rooms.xlsx")

    assert unchanged == "normal"
    assert dry["dry_run"] is True
    assert {(change["column"], change["new"]) for change in dry["changes"]} == {("criticality", "vital"), ("analog_line", True), ("line_number", "4421"), ("department", "Réanimation")}
    assert applied["changes"] == dry["changes"]
    assert applied["unknown_refs"] == ["R9"]
    with store.session() as session:
        room = session.scalar(select(Room).where(Room.ref == "R2"))
        assert (room.criticality, room.analog_line, room.line_number) == ("vital", True, "4421")


def test_blank_cells_change_nothing(site):
    store, site_id = site
    _import(store, site_id, b"ref,notes\nR2,ligne testee\n", "a.csv")

    report = _import(store, site_id, b"ref,name,notes\nR2,,\n", "b.csv")

    assert report["changes"] == []


def test_invalid_row_rejects_everything(site):
    store, site_id = site
    data = _xlsx([["ref", "criticality"], ["R1", "high"], ["R2", "urgent"]])

    with pytest.raises(InputError) as raised:
        _import(store, site_id, data, "rooms.xlsx")

    assert raised.value.errors[0].line == 3
    with store.session() as session:
        assert session.scalar(select(Room).where(Room.ref == "R1")).criticality == "normal"


def test_xlsx_export_has_no_formulas(site):
    store, site_id = site
    with store.session() as session:
        data = export_registry(session, session.get(Site, site_id), "xlsx")

    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))

    assert "<f>" not in sheet_xml
    assert list(rows[0]) == REGISTRY_COLUMNS
    assert rows[1][1] == '=HYPERLINK("http://x")'
    assert sheet["B2"].data_type == "s"
    assert sheet["B4"].value == "-chambre"


def test_xlsx_round_trip_changes_nothing(site):
    store, site_id = site
    with store.session() as session:
        data = export_registry(session, session.get(Site, site_id), "xlsx")

    report = _import(store, site_id, data, "rooms.xlsx")

    assert report["changes"] == []
    assert report["unknown_refs"] == []


def test_workbook_without_ref_column(site):
    store, site_id = site

    with pytest.raises(InputError, match="ref"):
        _import(store, site_id, _xlsx([["room", "criticality"], ["R1", "high"]]), "rooms.xlsx")
