"""The PDF report read back with pdfium: pages, outline, text in French and in English."""

from __future__ import annotations

from datetime import datetime, timezone

import pypdfium2 as pdfium
import pytest

from maps.heatmap import render_heatmap
from maps.pdf import render_pdf
from survey.gridding import grid_level
from survey.i18n import reset_language, set_language

GENERATED_AT = datetime(2025, 3, 20, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def level_images(analysis):
    return {
        level.level_id: render_heatmap(level, grid_level(level, None), title=level.name) for level in analysis.levels
    }


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


def test_pdf_is_a4(english_pdf):
    width, height = english_pdf[0].get_size()
    assert (round(width), round(height)) == (595, 842)


def test_page_count(english_pdf):
    # Cover, summary, two level pages, the room table on two landscape pages, the
    # recommendations on one page and the method on two.
    assert len(english_pdf) == 9


def test_outline_lists_sections_in_order(english_pdf):
    titles = [title for title, _page in _outline(english_pdf)]
    assert titles == [
        "Summary",
        "Level: Bâtiment A – Rez-de-chaussée",
        "Level: Bâtiment A – Sous-sol",
        "Rooms",
        "Recommendations",
        "Method and thresholds",
    ]


def test_each_level_has_its_page_and_image(english_pdf, analysis):
    pages = dict(_outline(english_pdf))
    for level in analysis.levels:
        page = english_pdf[pages[f"Level: {level.building} – {level.name}"]]
        images = list(page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_IMAGE]))
        assert len(images) == 1
        assert level.name in " ".join(page.get_textpage().get_text_range().split())


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
    for words in ("Synthèse", "Niveau", "ligne analogique", "verdict voix", "données insuffisantes", "mars 2025"):
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
    pages = dict(_outline(english_pdf))
    text = _page_texts(english_pdf)[pages["Recommendations"]]
    assert text.index("Criticality: vital") < text.index("Criticality: high") < text.index("Criticality: low")
    assert text.index("A0-102") < text.index("A0-110") < text.index("B1-001")


def test_method_prints_policy_thresholds(english_pdf, analysis):
    pages = dict(_outline(english_pdf))
    text = " ".join(_page_texts(english_pdf)[pages["Method and thresholds"] :])
    assert "at least -110 dBm" in text
    assert "99.0%" in text
    assert "95.0%" in text
    assert "at least 10 samples" in text
    assert "15 dB below" in text
    assert "30 m away" in text
    assert "from -128" in text


def test_missing_level_image_is_stated(analysis, english):
    document = pdfium.PdfDocument(render_pdf(analysis, {}, generated_at=GENERATED_AT))
    text = "\n".join(_page_texts(document))
    assert text.count("No heatmap was rendered for this level.") == len(analysis.levels)


def test_long_room_name_is_wrapped_not_cut(english_pdf):
    text = " ".join(_page_texts(english_pdf))
    assert "Réserve de matériel de soins et de linge propre" in text
