"""Posters for the crisis binder read back with pdfium: one landscape page per level, large print."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pypdfium2 as pdfium
import pytest

from maps.lines import level_lines
from maps.posters import render_posters, zone_label_text
from maps.zones import ALL_OPERATORS, LINE, OPERATOR, UNKNOWN, level_zones
from survey.i18n import reset_language, set_language

GENERATED_AT = datetime(2025, 3, 20, 9, 0, tzinfo=timezone.utc)
A3_LANDSCAPE_PT = (1191, 842)
A4_LANDSCAPE_PT = (842, 595)


def _render(analysis, language: str, paper: str = "A3") -> pdfium.PdfDocument:
    token = set_language(language)
    try:
        return pdfium.PdfDocument(render_posters(analysis, paper=paper, generated_at=GENERATED_AT))
    finally:
        reset_language(token)


def _text(page: pdfium.PdfPage) -> str:
    return " ".join(page.get_textpage().get_text_range().split())


@pytest.fixture(scope="module")
def french_posters(analysis):
    return _render(analysis, "fr")


def test_one_a3_landscape_page_per_level(french_posters, analysis):
    assert len(french_posters) == len(analysis.levels)
    for page in french_posters:
        assert tuple(round(side) for side in page.get_size()) == A3_LANDSCAPE_PT


def test_a4_on_request(analysis):
    document = _render(analysis, "en", paper="A4")
    assert tuple(round(side) for side in document[0].get_size()) == A4_LANDSCAPE_PT


def test_unknown_paper_raises(analysis):
    with pytest.raises(ValueError, match="A5"):
        render_posters(analysis, paper="A5")


def test_french_outage_instruction(french_posters):
    text = _text(french_posters[0])
    assert "Bâtiment A – Rez-de-chaussée" in text
    assert "En cas de panne" in text
    assert "utilisez la ligne fixe la plus proche / l’opérateur indiqué" in text
    assert "Lignes fixes de ce niveau" in text
    assert "Document interne" in text


def test_english_outage_instruction(analysis):
    text = _text(_render(analysis, "en")[0])
    assert "In an outage" in text
    assert "use the nearest fixed line / the operator shown" in text


def test_line_list_gives_number_room_and_phone(french_posters):
    text = _text(french_posters[0])
    assert "☎ 1 – A0-101 Accueil des urgences – 04 77 00 00 00" in text
    assert "☎ 2 – A0-102 Salle de déchocage (à installer)" in text
    assert "☎ 3 – A0-110 IRM (à installer)" in text


def test_zone_legend_names_the_kinds_present(french_posters):
    text = _text(french_posters[0])
    assert "SFR fonctionne ici" in text
    assert "tous les opérateurs fonctionnent ici" in text
    assert "pas de réseau mobile fiable" in text
    assert "non mesuré : utilisez la ligne fixe la plus proche" in text


def test_zone_label_texts(analysis):
    token = set_language("en")
    try:
        zones = level_zones(analysis, analysis.levels[0].rooms, level_lines(analysis.levels[0]))
        labels = {zone_label_text(analysis, zone.guidance) for zone in zones}
    finally:
        reset_language(token)
    assert {"All operators", "SFR", "☎ 2", "☎ 3", "? ☎ 4"} <= labels


def test_level_without_rooms_is_left_out(analysis):
    empty = dataclasses.replace(analysis.levels[1], rooms=[])
    site = dataclasses.replace(analysis, levels=[analysis.levels[0], empty])
    assert len(_render(site, "en")) == 1


def test_site_without_rooms_has_one_page(analysis):
    site = dataclasses.replace(analysis, levels=[dataclasses.replace(analysis.levels[0], rooms=[])])
    document = _render(site, "en")
    assert len(document) == 1
    assert "no level with rooms yet" in _text(document[0])


def test_zone_kinds_of_ground_floor(analysis):
    ground_floor = analysis.levels[0]
    zones = level_zones(analysis, ground_floor.rooms, level_lines(ground_floor))
    by_room = {room.ref: zone.guidance for zone in zones for room in zone.rooms}
    assert by_room["A0-100"].kind == ALL_OPERATORS
    assert by_room["A0-111"] == dataclasses.replace(by_room["A0-111"], kind=OPERATOR, plmn="208-10")
    assert by_room["A0-110"].kind == LINE
    assert by_room["A0-110"].line.room.ref == "A0-110"
    assert by_room["A0-112"].kind == UNKNOWN


def test_hatches_survive_pdf_output():
    # matplotlib's PDF output drops the hatch of a patch without an edge colour.
    import io

    import numpy as np
    import pypdfium2 as pdfium
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure
    from shapely.geometry import box

    from maps.plan import fill_geometries

    figure = Figure(figsize=(2, 2))
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, 10)
    axes.set_ylim(0, 10)
    axes.set_axis_off()
    fill_geometries(axes, [box(0, 0, 10, 10)], facecolor="#303030", edgecolor="none", hatch="xx", hatchcolor="#ffffff")
    buffer = io.BytesIO()
    with PdfPages(buffer) as pages:
        pages.savefig(figure)

    document = pdfium.PdfDocument(buffer.getvalue())
    pixels = np.asarray(document[0].render(scale=2).to_pil().convert("L"))[20:-20, 20:-20]
    document.close()
    assert (pixels < 80).mean() > 0.3
    assert (pixels > 170).mean() > 0.05
