"""The room table and its exports: CSV in both dialects, XLSX and GeoJSON, formulas kept inert."""

from __future__ import annotations

import io
import json

import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from maps.tables import neutralize_formulas, rooms_csv, rooms_geojson, rooms_table, rooms_xlsx


def _read_en(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), sep=",", encoding="utf-8")


def _read_fr(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")


def _numeric_columns(table: pd.DataFrame) -> list[str]:
    return [column for column in table.columns if pd.api.types.is_numeric_dtype(table[column])]


def test_table_has_one_row_per_room(analysis, english):
    table = rooms_table(analysis)
    assert len(table) == len(analysis.rooms)
    assert list(table["Ref"]) == [room.ref for room in analysis.rooms]


def test_table_has_operator_columns(analysis, english):
    columns = list(rooms_table(analysis).columns)
    for operator in ("Orange", "SFR"):
        assert f"{operator}: verdict" in columns
        assert f"{operator}: pass rate (%)" in columns
        assert f"{operator}: RSRP p10 (dBm)" in columns


def test_table_keeps_numbers_numeric(analysis, english):
    table = rooms_table(analysis)
    dead = table[table["Ref"] == "A0-110"].iloc[0]
    assert dead["Orange: RSRP p10 (dBm)"] == pytest.approx(-140.0)
    assert dead["Orange: pass rate (%)"] == pytest.approx(0.0)
    assert dead["Attenuation (dB)"] == pytest.approx(48.0)
    assert dead["Shielded room"] == "yes"
    assert dead["Recommendation"] == "install an analog line"
    assert "mobile voice is not reliable on any operator" in dead["Reasons"]


def test_table_headers_translated(analysis, french):
    columns = list(rooms_table(analysis).columns)
    assert "Niveau" in columns
    assert "Verdict voix" in columns
    assert "Level" not in columns


def test_english_csv_parses_back(analysis, english):
    table = rooms_table(analysis)
    parsed = _read_en(rooms_csv(analysis, "en"))
    assert list(parsed.columns) == list(table.columns)
    for column in _numeric_columns(table):
        assert np.allclose(parsed[column].to_numpy(float), table[column].to_numpy(float), equal_nan=True), column


def test_english_csv_has_no_bom_and_commas(analysis, english):
    data = rooms_csv(analysis, "en")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.split(b"\r\n")[0].startswith(b"Building,Level,Ref,")


def test_french_csv_parses_back(analysis, french):
    table = rooms_table(analysis)
    parsed = _read_fr(rooms_csv(analysis, "fr"))
    assert list(parsed.columns) == list(table.columns)
    for column in _numeric_columns(table):
        assert np.allclose(parsed[column].to_numpy(float), table[column].to_numpy(float), equal_nan=True), column


def test_french_csv_bom_semicolons_decimal_comma(analysis, french):
    data = rooms_csv(analysis, "fr")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].count(";") == len(rooms_table(analysis).columns) - 1
    assert ";-140,0;" in text or ";-140;" in text
    assert "Consultation œdème" in text


def test_formula_cell_neutralized(analysis, english, formula_name):
    parsed = _read_en(rooms_csv(analysis, "en"))
    names = list(parsed["Name"])
    assert "'" + formula_name in names
    assert formula_name not in names


def test_formula_cell_neutralized_in_french(analysis, french, formula_name):
    parsed = _read_fr(rooms_csv(analysis, "fr"))
    assert "'" + formula_name in list(parsed["Nom"])


def test_negative_numbers_stay_numbers(analysis, english):
    parsed = _read_en(rooms_csv(analysis, "en"))
    column = parsed["Orange: RSRP p10 (dBm)"]
    assert pd.api.types.is_float_dtype(column)
    assert column.min() == pytest.approx(-140.0)


def test_neutralize_formulas_cases():
    table = pd.DataFrame(
        {
            "text": ["=1+2", "+33 4 77 00 00 00", "-x", "@SUM(A1)", "\tTab", "plain", "a=b"],
            "level_dbm": [-101.5, -90.0, -80.0, -70.0, -60.0, -50.0, -40.0],
        }
    )
    neutral = neutralize_formulas(table)
    assert list(neutral["text"]) == ["'=1+2", "'+33 4 77 00 00 00", "'-x", "'@SUM(A1)", "'\tTab", "plain", "a=b"]
    assert list(neutral["level_dbm"]) == list(table["level_dbm"])
    assert list(table["text"])[0] == "=1+2"


def test_neutralize_formulas_in_headers():
    neutral = neutralize_formulas(pd.DataFrame({"=Operator: verdict": ["ok"]}))
    assert list(neutral.columns) == ["'=Operator: verdict"]


def test_invalid_dialect_raises(analysis):
    with pytest.raises(ValueError, match="de"):
        rooms_csv(analysis, "de")


def test_xlsx_reads_back_with_numbers(analysis, english, formula_name):
    table = rooms_table(analysis)
    parsed = pd.read_excel(io.BytesIO(rooms_xlsx(analysis)), engine="openpyxl")
    assert list(parsed.columns) == list(table.columns)
    assert pd.api.types.is_float_dtype(parsed["Orange: RSRP p10 (dBm)"])
    assert parsed["Orange: RSRP p10 (dBm)"].min() == pytest.approx(-140.0)
    assert formula_name in list(parsed["Name"])


def test_xlsx_stores_formula_text_as_string(analysis, formula_name):
    workbook = openpyxl.load_workbook(io.BytesIO(rooms_xlsx(analysis)))
    cells = [cell for row in workbook.active.iter_rows() for cell in row if cell.value == formula_name]
    assert len(cells) == 1
    assert cells[0].data_type == "s"


def test_geojson_has_every_room_in_plan_metres(analysis):
    collection = json.loads(rooms_geojson(analysis))
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == len(analysis.rooms)
    dead = next(feature for feature in collection["features"] if feature["properties"]["ref"] == "A0-110")
    assert dead["geometry"]["type"] == "Polygon"
    assert shapely.geometry.shape(dead["geometry"]).bounds == (0.0, 0.0, 10.0, 6.0)
    assert dead["properties"]["shielded"] is True
    assert dead["properties"]["building"] == "Bâtiment A"
    assert dead["properties"]["verdicts"][0]["operator"] == "Orange"


def test_xlsx_lines_sheet_numbers_lines_as_on_plans(analysis, english):
    workbook = openpyxl.load_workbook(io.BytesIO(rooms_xlsx(analysis)))
    assert workbook.sheetnames == ["Rooms", "Analog lines"]
    rows = list(workbook["Analog lines"].iter_rows(values_only=True))
    assert rows[0][:7] == ("Building", "Level", "Line on the plan", "Ref", "Name", "Criticality", "Status")
    assert [row[1:4] for row in rows[1:5]] == [
        ("Rez-de-chaussée", 1, "A0-101"),
        ("Rez-de-chaussée", 2, "A0-102"),
        ("Rez-de-chaussée", 3, "A0-110"),
        ("Rez-de-chaussée", 4, "A0-113"),
    ]
    assert rows[2][6] == "to install"
    assert isinstance(rows[1][2], int)


def test_geojson_room_has_combined_voice_verdict(analysis):
    collection = json.loads(rooms_geojson(analysis))
    verdicts = {feature["properties"]["ref"]: feature["properties"]["voice"] for feature in collection["features"]}
    assert verdicts["A0-110"] == "unreliable"
    assert verdicts["A0-100"] == "reliable"
    assert verdicts["A0-112"] == "insufficient_data"
