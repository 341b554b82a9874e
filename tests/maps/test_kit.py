"""The crisis kit: one ZIP archive with every output and read-mes in French and English."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

import openpyxl
import pandas as pd
import pypdfium2 as pdfium
import pytest

from maps.kit import render_kit
from survey.i18n import reset_language, set_language

GENERATED_AT = datetime(2025, 3, 20, 9, 0, tzinfo=timezone.utc)
ROOT = "zoneblanche-centre-hospitalier-de-montbrison-sur-loire"


@pytest.fixture(scope="module")
def kit(analysis):
    token = set_language("fr")
    try:
        return zipfile.ZipFile(io.BytesIO(render_kit(analysis, generated_at=GENERATED_AT)))
    finally:
        reset_language(token)


def _read(kit: zipfile.ZipFile, name: str) -> bytes:
    return kit.read(f"{ROOT}/{name}")


def test_members(kit):
    names = sorted(name.removeprefix(f"{ROOT}/") for name in kit.namelist())
    assert names == [
        "LISEZMOI.txt",
        "README.txt",
        "heatmaps/heatmap_rez-de-chaussee_best.png",
        "heatmaps/heatmap_rez-de-chaussee_orange.png",
        "heatmaps/heatmap_rez-de-chaussee_sfr.png",
        "heatmaps/heatmap_sous-sol_best.png",
        "heatmaps/heatmap_sous-sol_orange.png",
        "heatmaps/heatmap_sous-sol_sfr.png",
        "map_site.html",
        "maps/map_rez-de-chaussee.html",
        "maps/map_sous-sol.html",
        "posters.pdf",
        "report.pdf",
        "rooms.csv",
        "rooms.geojson",
        "rooms.xlsx",
    ]
    assert kit.testzip() is None


def test_french_readme(kit):
    text = _read(kit, "LISEZMOI.txt").decode("utf-8-sig")
    assert "Kit de crise zoneblanche : Centre hospitalier de Montbrison-sur-Loire" in text
    assert "Dates de la campagne : du 12 mars 2025 au 13 mars 2025" in text
    assert "DONNÉES SENSIBLES" in text
    assert "sans réseau" in text
    for name in ("report.pdf", "posters.pdf", "map_site.html", "maps/", "rooms.csv", "rooms.xlsx", "rooms.geojson",
                 "heatmaps/"):
        assert f"- {name}:" in text, name
    assert "\r\n" in text


def test_english_readme(kit):
    text = _read(kit, "README.txt").decode("utf-8-sig")
    assert "zoneblanche crisis kit: Centre hospitalier de Montbrison-sur-Loire" in text
    assert "Survey dates: March 12, 2025 to March 13, 2025" in text
    assert "SENSITIVE DATA" in text
    assert "without a network" in text
    assert max(len(line) for line in text.splitlines()) <= 78


def test_report_and_posters_are_pdfs_in_the_current_language(kit, analysis):
    report = pdfium.PdfDocument(_read(kit, "report.pdf"))
    assert "Synthèse" in " ".join(page.get_textpage().get_text_range() for page in report)
    posters = pdfium.PdfDocument(_read(kit, "posters.pdf"))
    assert len(posters) == len(analysis.levels)


def test_csv_is_french_dialect(kit, analysis):
    data = _read(kit, "rooms.csv")
    assert data.startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig")
    assert len(table) == len(analysis.rooms)


def test_xlsx_opens_with_both_sheets(kit, analysis):
    workbook = openpyxl.load_workbook(io.BytesIO(_read(kit, "rooms.xlsx")))
    assert workbook.sheetnames == ["Locaux", "Lignes analogiques"]
    assert workbook["Locaux"].max_row == len(analysis.rooms) + 1


def test_maps_are_self_contained(kit):
    for name in ("map_site.html", "maps/map_rez-de-chaussee.html"):
        page = _read(kit, name).decode("utf-8")
        assert "cdn." not in page
        assert 'src="http' not in page and 'href="http' not in page
