"""Writing every output of a site into a folder, with ASCII slugs in the file names."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import pandas as pd
import pypdfium2 as pdfium
import pytest
from gridpages import grid_test_plans
from PIL import Image

from maps.outputs import level_slugs, operator_slugs, render_report, slugify, write_outputs
from survey.errors import InputError
from survey.i18n import reset_language, set_language


@pytest.fixture(scope="module")
def written(analysis, tmp_path_factory):
    out_dir = tmp_path_factory.mktemp("outputs")
    token = set_language("fr")
    try:
        return out_dir, write_outputs(analysis, out_dir / "site")
    finally:
        reset_language(token)


def test_written_file_names(written):
    out_dir, paths = written
    names = {kind: sorted(path.name for path in files) for kind, files in paths.items()}
    assert names == {
        "heatmaps": [
            "heatmap_rez-de-chaussee_best.png",
            "heatmap_rez-de-chaussee_orange.png",
            "heatmap_rez-de-chaussee_sfr.png",
            "heatmap_sous-sol_best.png",
            "heatmap_sous-sol_orange.png",
            "heatmap_sous-sol_sfr.png",
        ],
        "maps": ["map_rez-de-chaussee.html", "map_site.html", "map_sous-sol.html"],
        "tables": ["rooms.csv", "rooms.geojson", "rooms.xlsx"],
        "reports": ["posters.pdf", "report.pdf"],
        "kit": ["crisis_kit.zip"],
    }


def test_folder_holds_only_the_returned_files(written):
    out_dir, paths = written
    returned = {path for files in paths.values() for path in files}
    assert set((out_dir / "site").iterdir()) == returned


def test_heatmaps_are_png(written):
    _out_dir, paths = written
    for path in paths["heatmaps"]:
        with Image.open(path) as image:
            assert image.format == "PNG"


def test_map_names_operators_in_french(written):
    _out_dir, paths = written
    page = paths["maps"][0].read_text(encoding="utf-8")
    assert "Qualité du signal (RSRQ)" in page
    assert "meilleur opérateur" in page
    assert '"name":"Orange"' in page


def test_csv_follows_language(written):
    _out_dir, paths = written
    data = paths["tables"][0].read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    assert len(table) == 19


def test_report_has_level_plans_and_heatmaps(written, analysis):
    _out_dir, paths = written
    report = next(path for path in paths["reports"] if path.name == "report.pdf")
    document = pdfium.PdfDocument(report.read_bytes())
    images = sum(len(list(page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]))) for page in document)
    assert images == 2 * len(analysis.levels) + grid_test_plans(analysis)


def test_kit_holds_the_written_files(written):
    _out_dir, paths = written
    with zipfile.ZipFile(paths["kit"][0]) as kit:
        names = {name.split("/", 1)[1] for name in kit.namelist()}
    for path in [*paths["heatmaps"], *paths["tables"], *paths["reports"]]:
        folder = "heatmaps/" if path.name.startswith("heatmap_") else ""
        assert folder + path.name in names, path.name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bâtiment A – Rez-de-chaussée", "batiment-a-rez-de-chaussee"),
        ("Niveau -1", "niveau-1"),
        ("  Bouygues Telecom ", "bouygues-telecom"),
        ("Œuvre / Étage 2", "oeuvre-etage-2"),
        ("日本", "fallback"),
        ("", "fallback"),
    ],
)
def test_slugify(text, expected):
    assert slugify(text, "fallback") == expected


def test_level_slugs_name_buildings_and_stay_unique(analysis):
    other_building = dataclasses.replace(analysis.levels[0], level_id=7, building="Bâtiment B")
    same_name = dataclasses.replace(analysis.levels[1], level_id=8)
    site = dataclasses.replace(analysis, levels=[*analysis.levels, other_building, same_name])
    slugs = level_slugs(site)
    assert slugs[1] == "batiment-a-rez-de-chaussee"
    assert slugs[7] == "batiment-b-rez-de-chaussee"
    assert slugs[2] == "batiment-a-sous-sol-2"
    assert slugs[8] == "batiment-a-sous-sol-8"


def test_operator_slugs_stay_unique(analysis):
    site = dataclasses.replace(analysis, operators=[("208-01", "Orange"), ("208-02", "orange"), ("208-99", "Best")])
    assert operator_slugs(site) == {"208-01": "orange", "208-02": "orange-208-02", "208-99": "best-208-99"}


def test_level_without_rooms_is_skipped(analysis, tmp_path):
    empty = dataclasses.replace(analysis.levels[1], rooms=[])
    site = dataclasses.replace(analysis, levels=[analysis.levels[0], empty])
    paths = write_outputs(site, tmp_path)
    assert [path.name for path in paths["maps"]] == ["map_rez-de-chaussee.html", "map_site.html"]
    assert len(paths["heatmaps"]) == 3


@pytest.mark.parametrize(
    ("fmt", "magic"),
    [
        ("pdf", b"%PDF-"),
        ("posters", b"%PDF-"),
        ("csv", b"\xef\xbb\xbf"),
        ("xlsx", b"PK"),
        ("geojson", b'{\n "type": "FeatureCollection"'),
        ("html", b"<!DOCTYPE html>"),
        ("kit", b"PK"),
    ],
)
def test_render_report_writes_one_file(analysis, tmp_path, fmt, magic, french):
    output = tmp_path / "reports" / f"site.{fmt}"
    paths = render_report(analysis, fmt, output)
    assert paths == [output]
    assert output.read_bytes().startswith(magic)


def test_render_report_html_is_the_site_map(analysis, tmp_path):
    output = tmp_path / "site.html"
    render_report(analysis, "html", output)
    page = output.read_text(encoding="utf-8")
    assert page.count('<script type="application/json" id="zb-points-') == len(analysis.levels)


def test_render_report_english_csv_dialect(analysis, tmp_path):
    output = tmp_path / "rooms.csv"
    render_report(analysis, "csv", output, dialect="en")
    assert not output.read_bytes().startswith(b"\xef\xbb\xbf")


def test_render_report_unknown_dialect_raises(analysis, tmp_path):
    with pytest.raises(InputError) as raised:
        render_report(analysis, "csv", tmp_path / "rooms.csv", dialect="de")
    assert raised.value.detail["value"] == "de"


def test_render_report_unknown_format_raises(analysis, tmp_path):
    with pytest.raises(InputError) as raised:
        render_report(analysis, "docx", tmp_path / "site.docx")
    assert raised.value.detail["value"] == "docx"
    assert "pdf" in raised.value.detail["fix"]
