"""Report downloads: every format served by the API, the same files as ``zoneblanche report``."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pypdfium2 as pdfium
import pytest
from api_test_data import EXTERNAL_REFERENCE, SITE_NAME

REPOSITORY = Path(__file__).resolve().parents[2]
ENGLISH = {"Accept-Language": "en"}


def run_report(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    """Run ``zoneblanche report`` in English on the API test database (the ``client`` fixture's file)."""
    database = f"sqlite:///{tmp_path / 'zoneblanche.db'}"
    command = [sys.executable, "-c", "from api.cli import main; main()", "--db", database, "--lang", "en", "report",
               *arguments]
    return subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True, timeout=300)


def download(client, site_id: int, name: str, **params) -> bytes:
    response = client.get(f"/api/v1/sites/{site_id}/{name}", params=params, headers=ENGLISH)
    assert response.status_code == 200, response.text
    return response.content


def pdf_pages(data: bytes) -> list[str]:
    return [" ".join(page.get_textpage().get_text_range().split()) for page in pdfium.PdfDocument(data)]


def test_xlsx_report(client, surveyed):
    response = client.get(f"/api/v1/sites/{surveyed['site_id']}/report.xlsx", headers=ENGLISH)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "rooms-report.xlsx" in response.headers["content-disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(workbook["Rooms"].iter_rows(values_only=True))
    assert {row[2] for row in rows[1:]} == {"C-001", "R-101", "R-102", "R-103", "R-104", "R-105"}
    assert [row[3] for row in workbook["Analog lines"].iter_rows(min_row=2, values_only=True)] == ["R-102", "R-103", "R-104"]


def test_geojson_report(client, surveyed):
    response = client.get(f"/api/v1/sites/{surveyed['site_id']}/report.geojson", headers=ENGLISH)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/geo+json"
    collection = json.loads(response.content)
    verdicts = {feature["properties"]["ref"]: feature["properties"]["voice"] for feature in collection["features"]}
    assert verdicts["R-103"] == "unreliable"
    assert verdicts["R-101"] == "reliable"


def test_zip_report_is_the_crisis_kit(client, surveyed):
    response = client.get(f"/api/v1/sites/{surveyed['site_id']}/report.zip", headers=ENGLISH)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as kit:
        names = {name.split("/", 1)[1] for name in kit.namelist()}
        readme = next(name for name in kit.namelist() if name.endswith("/LISEZMOI.txt"))
        assert "DONNÉES SENSIBLES" in kit.read(readme).decode("utf-8-sig")
    assert {"LISEZMOI.txt", "README.txt", "report.pdf", "posters.pdf", "map_site.html", "maps/map_rdc.html",
            "rooms.csv", "rooms.xlsx", "rooms.geojson", "heatmaps/heatmap_rdc_best.png"} <= names


def test_site_map_offline(client, surveyed):
    response = client.get(f"/api/v1/sites/{surveyed['site_id']}/map.html", headers=ENGLISH)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert EXTERNAL_REFERENCE.findall(response.text) == []
    assert '"title":"A – RDC"' in response.text


def test_posters_pdf(client, surveyed):
    data = download(client, surveyed["site_id"], "posters.pdf")
    pages = pdf_pages(data)

    assert len(pages) == 1
    assert "In an outage" in pages[0]
    assert "☎ 1" in pages[0]
    size = pdfium.PdfDocument(data)[0].get_size()
    assert (round(size[0]), round(size[1])) == (1191, 842)


def test_posters_a4(client, surveyed):
    data = download(client, surveyed["site_id"], "posters.pdf", paper="A4")
    size = pdfium.PdfDocument(data)[0].get_size()
    assert (round(size[0]), round(size[1])) == (842, 595)


def test_posters_unknown_paper_422(client, surveyed):
    response = client.get(f"/api/v1/sites/{surveyed['site_id']}/posters.pdf", params={"paper": "A0"})
    assert response.status_code == 422


def test_heatmap_svg(client, surveyed):
    response = client.get(f"/api/v1/levels/{surveyed['level_id']}/heatmap.svg", params={"metric": "sinr_db"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml")


def test_report_pdf_compares_two_surveys(client, surveyed):
    data = download(client, surveyed["site_id"], "report.pdf", before="Campagne mars", after="Campagne mars")
    text = " ".join(pdf_pages(data))

    assert "Comparison of surveys" in text
    assert "Verdicts that changed (0)" in text


def test_report_pdf_unknown_survey_404(client, surveyed):
    response = client.get(
        f"/api/v1/sites/{surveyed['site_id']}/report.pdf", params={"before": "Campagne mars", "after": "Absente"}
    )
    assert response.status_code == 404


def test_unknown_site_404(client):
    for name in ("report.pdf", "report.xlsx", "report.geojson", "report.zip", "map.html", "posters.pdf"):
        response = client.get(f"/api/v1/sites/9999/{name}")
        assert response.status_code == 404, name


@pytest.mark.parametrize(("fmt", "route"), [("xlsx", "report.xlsx"), ("geojson", "report.geojson"), ("csv", "report.csv")])
def test_cli_writes_the_api_file(client, surveyed, tmp_path, fmt, route):
    served = download(client, surveyed["site_id"], route)
    output = tmp_path / f"site.{fmt}"

    result = run_report(tmp_path, "--site", SITE_NAME, "--format", fmt, "-o", str(output))

    assert result.returncode == 0, result.stderr
    if fmt == "xlsx":
        assert pd.read_excel(io.BytesIO(served)).equals(pd.read_excel(output))
    else:
        assert output.read_bytes() == served


def test_cli_pdf_matches_the_api_pdf(client, surveyed, tmp_path):
    served = pdf_pages(download(client, surveyed["site_id"], "report.pdf"))
    output = tmp_path / "report.pdf"

    result = run_report(tmp_path, "--site", SITE_NAME, "--format", "pdf", "-o", str(output))

    assert result.returncode == 0, result.stderr
    written = pdf_pages(output.read_bytes())
    assert len(written) == len(served)
    # Only the cover's generation time may differ.
    assert written[1:] == served[1:]


def test_cli_kit_and_html(client, surveyed, tmp_path):
    kit, page = tmp_path / "kit.zip", tmp_path / "site.html"

    for fmt, output in (("kit", kit), ("html", page)):
        result = run_report(tmp_path, "--site", SITE_NAME, "--format", fmt, "-o", str(output))
        assert result.returncode == 0, result.stderr

    served = {name.split("/", 1)[1] for name in zipfile.ZipFile(io.BytesIO(download(client, surveyed["site_id"], "report.zip"))).namelist()}
    assert {name.split("/", 1)[1] for name in zipfile.ZipFile(kit).namelist()} == served
    assert 'id="zb-spec"' in page.read_text(encoding="utf-8")


def test_cli_rejects_unknown_format(client, site, tmp_path):
    result = run_report(tmp_path, "--site", SITE_NAME, "--format", "docx", "-o", str(tmp_path / "x.docx"))

    assert result.returncode == 1
    assert "unknown report format" in result.stderr
