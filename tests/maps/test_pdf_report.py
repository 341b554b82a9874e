"""The PDF report read back with pdfium: pages, outline, sections, text in French and in English."""

from __future__ import annotations

import copy
import dataclasses
from datetime import datetime, timezone

import pypdfium2 as pdfium
import pytest
from gridpages import grid_test_plans

from maps.outputs import SiteRenderer
from maps.pdf import render_pdf
from survey.compare import compare_analyses
from survey.i18n import reset_language, set_language

GENERATED_AT = datetime(2025, 3, 20, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def level_images(analysis):
    return SiteRenderer(analysis).level_images()


def _render(analysis, level_images, language: str) -> bytes:
    token = set_language(language)
    try:
        return render_pdf(analysis, level_images, generated_at=GENERATED_AT)
    finally:
        reset_language(token)


@pytest.fixture(scope="module")
def french_pdf(analysis, level_images):
    return pdfium.PdfDocument(_render(analysis, level_images, "fr"))


@pytest.fixture(scope="module")
def english_pdf(analysis, level_images):
    return pdfium.PdfDocument(_render(analysis, level_images, "en"))


def _page_texts(document: pdfium.PdfDocument) -> list[str]:
    """Return each page's text with every run of whitespace, line breaks included, as one space."""
    return [" ".join(page.get_textpage().get_text_range().split()) for page in document]


def _outline(document: pdfium.PdfDocument) -> list[tuple[str, int]]:
    return [(item.get_title(), item.get_dest().get_index()) for item in document.get_toc()]


def _section_text(document: pdfium.PdfDocument, title: str) -> str:
    """Return the text of the pages from section ``title`` up to the next section."""
    outline = _outline(document)
    titles = [name for name, _page in outline]
    start = dict(outline)[title]
    following = titles.index(title) + 1
    end = outline[following][1] if following < len(outline) else len(document)
    return " ".join(_page_texts(document)[start:max(end, start + 1)])


def test_pdf_is_a4(english_pdf):
    width, height = english_pdf[0].get_size()
    assert (round(width), round(height)) == (595, 842)
    for page in english_pdf:
        assert sorted(round(side) for side in page.get_size()) == [595, 842]


def test_page_count(english_pdf, analysis):
    # Cover, summary on two pages, two pages per level (verdict plan, heatmap), the room table
    # on two landscape pages, the recommendations, the data quality, the grid test with a page
    # per grid plan, and the method.
    assert grid_test_plans(analysis) >= len(analysis.levels)
    assert len(english_pdf) == 13 + grid_test_plans(analysis)


def test_outline_lists_sections_in_order(english_pdf):
    titles = [title for title, _page in _outline(english_pdf)]
    assert titles == [
        "Summary",
        "Level: Bâtiment A – Rez-de-chaussée",
        "Level: Bâtiment A – Sous-sol",
        "Rooms",
        "Recommendations",
        "Data quality",
        "Grid test of the public-safety codes",
        "Method and thresholds",
    ]


def test_each_level_has_its_plan_and_heatmap(english_pdf, analysis):
    pages = dict(_outline(english_pdf))
    for level in analysis.levels:
        first = pages[f"Level: {level.building} – {level.name}"]
        for index in (first, first + 1):
            page = english_pdf[index]
            images = list(page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]))
            assert len(images) == 1
            assert level.name in " ".join(page.get_textpage().get_text_range().split())


def test_level_page_lists_its_numbered_lines(english_pdf):
    text = _section_text(english_pdf, "Level: Bâtiment A – Rez-de-chaussée")
    assert "Analog lines of this level" in text
    for row in ("1 A0-101 – Accueil des urgences existing", "2 A0-102 – Salle de déchocage to install",
                "3 A0-110 – IRM to install", "4 A0-113 – Poste de soins existing"):
        assert row in text, row


def test_summary_lists_lines_to_keep_install_and_optional(english_pdf):
    text = _section_text(english_pdf, "Summary")
    assert "Analog lines to keep (1)" in text
    assert "Analog lines to install (3)" in text
    assert "Optional analog lines (mobile voice is reliable) (3)" in text
    assert "Shielded rooms (2)" in text
    assert "Rooms to survey again (5)" in text


def test_text_has_site_levels_and_rooms(english_pdf, analysis):
    text = "\n".join(_page_texts(english_pdf))
    assert analysis.site_name in text
    for level in analysis.levels:
        assert level.name in text
    for room in analysis.rooms:
        assert room.ref in text


def test_english_words(english_pdf):
    text = "\n".join(_page_texts(english_pdf))
    for words in ("Summary", "Rooms by voice verdict", "install an analog line", "Survey dates", "insufficient data"):
        assert words in text


def test_french_words_by_default(analysis, level_images):
    document = pdfium.PdfDocument(render_pdf(analysis, level_images, generated_at=GENERATED_AT))
    text = "\n".join(_page_texts(document))
    for words in ("Synthèse", "Niveau", "ligne analogique", "verdict voix", "données insuffisantes", "mars 2025",
                  "Qualité des données"):
        assert words in text, words
    assert "Summary" not in text


def test_french_characters_render(french_pdf):
    text = "\n".join(_page_texts(french_pdf))
    for characters in ("é", "è", "à", "œ", "«", "»"):
        assert characters in text, characters


def test_footer_on_every_page(english_pdf):
    texts = _page_texts(english_pdf)
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in text
        assert "March 12, 2025 to March 13, 2025" in text


def test_room_table_header_repeats(english_pdf):
    pages = dict(_outline(english_pdf))
    first = pages["Rooms"]
    texts = _page_texts(english_pdf)
    for index in (first, first + 1):
        assert "Voice verdict" in texts[index]
        assert "Orange: verdict, pass rate, RSRP p10" in texts[index]


def test_recommendations_put_vital_rooms_first(english_pdf):
    text = _section_text(english_pdf, "Recommendations")
    assert text.index("vital") < text.index("high") < text.index("low")
    assert text.index("A0-102") < text.index("A0-110") < text.index("B1-001")
    assert "mobile voice is not reliable on any operator" in text


def test_data_quality_gives_phones_samples_and_unmeasured_rooms(english_pdf, analysis):
    text = _section_text(english_pdf, "Data quality")
    assert "Orange (208-01) Pixel 7" in text
    assert "SFR (208-10) Pixel 7" in text
    assert "Unmeasured rooms (3)" in text
    for ref in ("A0-106", "A0-112", "B1-003"):
        assert ref in text
    assert f"{analysis.unplaced_samples} samples could not be placed" in text


def test_grid_test_per_level_and_operator(english_pdf, analysis):
    from survey.gridtest import run_gridtest

    text = _section_text(english_pdf, "Grid test of the public-safety codes")
    assert "about 20 cells" in text
    for level in ("Bâtiment A – Rez-de-chaussée", "Bâtiment A – Sous-sol"):
        for operator in ("best operator", "Orange", "SFR"):
            assert f"{level} {operator}" in text, (level, operator)
    assert "pass" in text or "fail" in text
    # Each level's grid plan, then every room below the threshold inside a cell, by cell.
    for level in analysis.levels:
        assert f"Grid test: {level.building} – {level.name}" in text
        result = run_gridtest(level, analysis.policy)
        hidden = [cell for cell in result.first.cells if cell.rooms_below]
        assert hidden, level.name
        for cell in hidden:
            assert f"{cell.row + 1}.{cell.column + 1} ({cell.status}): {', '.join(cell.rooms_below)}" in text


def test_survey_comparison_section(analysis, level_images, english):
    later = copy.deepcopy(analysis)
    room = next(room for room in later.rooms if room.ref == "A0-102")
    room.verdicts[0].verdict = "reliable"
    room.verdicts[0].pass_rate = 0.99
    later.surveys = ["Campagne après antennes"]
    comparison = compare_analyses(analysis, later)
    document = pdfium.PdfDocument(
        render_pdf(analysis, level_images, generated_at=GENERATED_AT, comparison=comparison)
    )
    text = _section_text(document, "Comparison of surveys")
    assert "Before: Campagne mars 2025. After: Campagne après antennes." in text
    assert "1 improved" in text
    assert "Verdicts that changed (1)" in text
    assert "A0-102 – Salle de déchocage Rez-de-chaussée Orange unreliable → reliable +65.7%" in text


def test_method_prints_policy_thresholds(english_pdf):
    text = _section_text(english_pdf, "Method and thresholds")
    assert "at least -110 dBm" in text
    assert "99.0%" in text
    assert "95.0%" in text
    assert "at least 10 samples" in text
    assert "15 dB below" in text
    assert "30 m away" in text
    assert "from -128" in text


def test_missing_level_images_are_stated(analysis, english):
    document = pdfium.PdfDocument(render_pdf(analysis, {}, generated_at=GENERATED_AT))
    text = "\n".join(_page_texts(document))
    assert text.count("No heatmap was rendered for this level.") == len(analysis.levels)


def test_images_rendered_when_not_given(analysis, english):
    document = pdfium.PdfDocument(render_pdf(analysis, generated_at=GENERATED_AT))
    images = sum(len(list(page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]))) for page in document)
    assert images == 2 * len(analysis.levels) + grid_test_plans(analysis)


def test_level_without_rooms_is_stated(analysis, english):
    empty = dataclasses.replace(analysis.levels[1], rooms=[])
    site = dataclasses.replace(analysis, levels=[analysis.levels[0], empty])
    text = "\n".join(_page_texts(pdfium.PdfDocument(render_pdf(site, generated_at=GENERATED_AT))))
    assert "No plan was rendered for this level: it has no rooms." in text


def test_long_room_name_is_wrapped_not_cut(english_pdf):
    text = " ".join(_page_texts(english_pdf))
    assert "Réserve de matériel de soins et de linge propre" in text


def test_grid_test_skips_levels_without_positions(analysis, level_images, english):
    samples = analysis.levels[1].samples.copy()
    samples[["x_m", "y_m"]] = float("nan")
    basement = dataclasses.replace(analysis.levels[1], samples=samples)
    site = dataclasses.replace(analysis, levels=[analysis.levels[0], basement])
    document = pdfium.PdfDocument(render_pdf(site, level_images, generated_at=GENERATED_AT))
    text = _section_text(document, "Grid test of the public-safety codes")
    assert "cannot be divided into cells: Bâtiment A – Sous-sol." in text
    assert "Bâtiment A – Sous-sol best operator" not in text
    assert "Bâtiment A – Rez-de-chaussée best operator" in text
