"""The offline maps in headless Chromium with the network off: layers, switchers, labels and points."""

from __future__ import annotations

import dataclasses
import re

import pytest
from browser import dump_dom, screenshot
from PIL import Image

from maps.grids import site_grids
from maps.webmap import render_level_map, render_site_map
from survey.i18n import reset_language, set_language

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def map_files(analysis, tmp_path_factory):
    folder = tmp_path_factory.mktemp("maps")
    grids = site_grids(analysis)
    token = set_language("en")
    try:
        site = folder / "site.html"
        site.write_text(render_site_map(analysis, grids), encoding="utf-8")
        level = folder / "level.html"
        level.write_text(render_level_map(analysis, analysis.levels[0], grids[1]), encoding="utf-8")
    finally:
        reset_language(token)
    return {"site": site, "level": level, "folder": folder}


@pytest.fixture(scope="module")
def site_dom(map_files):
    return dump_dom(map_files["site"])


def _labels(dom: str) -> list[str]:
    return re.findall(r'class="leaflet-tooltip zb-room-label[^"]*"[^>]*>([^<]+)<', dom)


def test_page_script_ran(site_dom):
    assert re.search(r'<html[^>]* data-zb-ready="\d+"', site_dom)


def test_switcher_lists_levels_and_layers(site_dom):
    for text in ("Bâtiment A – Rez-de-chaussée", "Bâtiment A – Sous-sol", "Voice verdict", "Signal (RSRP)",
                 "Signal quality (RSRQ)", "Interference (SINR)", "best operator", "any operator",
                 "Room refs", "Analog lines", "Sample points"):
        assert text in site_dom, text
    assert site_dom.count('name="zb-level"') == 2
    assert site_dom.count('name="zb-view"') == 10


def test_first_level_rooms_and_labels_are_drawn(site_dom, analysis):
    ground_floor = analysis.levels[0]
    assert "Bâtiment A – Rez-de-chaussée</p>" in site_dom
    assert set(_labels(site_dom)) == {room.ref for room in ground_floor.rooms}
    assert site_dom.count("leaflet-interactive") >= len(ground_floor.rooms)


def test_line_markers_are_numbered(site_dom):
    numbers = re.findall(r'class="leaflet-marker-icon zb-line-icon (zb-existing|zb-proposed)[^"]*"[^>]*>(\d+)<', site_dom)
    assert sorted(numbers, key=lambda item: int(item[1])) == [
        ("zb-existing", "1"), ("zb-proposed", "2"), ("zb-proposed", "3"), ("zb-existing", "4")
    ]


def test_verdict_legend_shown_first(site_dom):
    assert re.search(r'<div data-kind="verdict" class="zb-shown">', site_dom)
    assert not re.search(r'<div data-kind="signal_dbm" class="zb-shown">', site_dom)


def test_fragment_switches_level(map_files, analysis):
    dom = dump_dom(map_files["site"], "#level=2")
    assert set(_labels(dom)) == {room.ref for room in analysis.levels[1].rooms}
    assert "Bâtiment A – Sous-sol</p>" in dom


def test_heatmap_view_shows_image_and_signal_legend(map_files):
    dom = dump_dom(map_files["site"], "#view=signal_dbm:208-01")
    assert dom.count('class="leaflet-image-layer') == 1
    assert re.search(r'<div data-kind="signal_dbm" class="zb-shown">', dom)
    assert not re.search(r'<div data-kind="verdict" class="zb-shown">', dom)


def test_sample_points_drawn_on_one_canvas(map_files, analysis):
    dom = dump_dom(map_files["site"], "#view=signal_dbm:best&points=1")
    drawn = re.findall(r'<canvas class="zb-points[^"]*"[^>]*data-points="(\d+)"', dom)
    assert len(drawn) == 1
    assert int(drawn[0]) == len(analysis.levels[0].samples)


def test_sample_points_follow_the_operator(map_files, analysis):
    dom = dump_dom(map_files["site"], "#view=sinr_db:208-10&points=1")
    drawn = int(re.findall(r'data-points="(\d+)"', dom)[0])
    samples = analysis.levels[0].samples
    sfr_with_sinr = ((samples["plmn"] == "208-10") & samples["sinr_db"].notna()).sum()
    assert 0 < drawn == sfr_with_sinr < len(samples)


def test_level_map_works_alone(map_files, analysis):
    dom = dump_dom(map_files["level"])
    assert re.search(r'data-zb-ready="\d+"', dom)
    assert 'name="zb-level"' not in dom
    assert set(_labels(dom)) == {room.ref for room in analysis.levels[0].rooms}


def test_screenshot_shows_the_plan(map_files):
    path = screenshot(map_files["site"], map_files["folder"] / "site.png")
    with Image.open(path) as image:
        colors = image.convert("RGB").resize((140, 90)).getcolors(maxcolors=100_000)
    assert len(colors) > 20


def test_site_without_rooms_still_loads(analysis, tmp_path):
    site = dataclasses.replace(analysis, levels=[dataclasses.replace(analysis.levels[0], rooms=[])])
    token = set_language("en")
    try:
        path = tmp_path / "empty.html"
        path.write_text(render_site_map(site), encoding="utf-8")
    finally:
        reset_language(token)
    dom = dump_dom(path)
    assert re.search(r'data-zb-ready="\d+"', dom)
    assert "No level has rooms yet: import a floor plan." in dom
