"""Offline level maps: no remote resource, inlined Leaflet, escaped text, layers and evidence."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from html.parser import HTMLParser

import folium
import pytest

from maps.style import format_percent
from maps.webmap import OfflineMap, leaflet_css, leaflet_js, render_level_map
from survey.gridding import grid_level
from survey.i18n import reset_language, set_language

# A src or href attribute, in markup or inside a script, whose value names a host.
REMOTE_REFERENCE = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.IGNORECASE)


class _ResourceCollector(HTMLParser):
    """Collect the src and href attributes of every element, and the <link> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.links = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "link":
            self.links += 1
        self.references.extend(value or "" for name, value in attrs if name in ("src", "href"))


def _decoded(page: str) -> str:
    """Return the page with JSON ``\\uXXXX`` escapes decoded, as a browser's script would read it."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda match: chr(int(match.group(1), 16)), page)


@pytest.fixture(scope="module")
def grids(ground_floor):
    return {
        "Orange": grid_level(ground_floor, "208-01"),
        "SFR": grid_level(ground_floor, "208-10"),
        "best operator": grid_level(ground_floor, None),
    }


@pytest.fixture(scope="module")
def page(analysis, ground_floor, grids):
    token = set_language("en")
    try:
        return render_level_map(analysis, ground_floor, grids)
    finally:
        reset_language(token)


def test_page_references_no_remote_resource(page):
    assert REMOTE_REFERENCE.findall(page) == []


def test_page_elements_have_no_remote_attribute(page):
    collector = _ResourceCollector()
    collector.feed(page)
    assert collector.links == 0
    for reference in collector.references:
        assert not re.match(r"^\s*(?:https?:)?//", reference), reference


def test_page_loads_no_library_but_leaflet(page):
    lowered = page.lower()
    for name in ("jquery", "bootstrap", "font-awesome", "fontawesome", "d3.min.js", "awesome-markers"):
        assert name not in lowered, name


def test_leaflet_is_inlined(page):
    assert leaflet_js()[:5000] in page
    assert "Leaflet 1.9.3" in page
    assert leaflet_css()[:2000] in page
    assert "L.CRS.Simple" in page


def test_leaflet_css_images_are_data_uris():
    css = leaflet_css()
    assert "images/" not in css
    assert "url(data:image/png;base64," in css


def test_folium_resource_lists_stay_untouched(page):
    assert OfflineMap.default_js == []
    assert OfflineMap.default_css == []
    assert any("leaflet" in url for _name, url in folium.Map.default_js)
    assert folium.Map.default_js is not OfflineMap.default_js


def test_plain_folium_map_keeps_cdn_links(page):
    plain = folium.Map(tiles=None).get_root().render()
    assert "cdn.jsdelivr.net/npm/leaflet@" in plain
    assert REMOTE_REFERENCE.findall(plain), "the remote reference pattern must catch folium's CDN links"


def test_every_layer_name_is_present(page, grids):
    text = _decoded(page)
    for name in grids:
        assert f"Signal: {name}" in text
    for name in ("Voice verdict by room", "Room refs", "Analog lines"):
        assert name in text


def test_one_image_overlay_per_grid(page, grids):
    assert page.count("L.imageOverlay(") == len(grids)
    assert page.count("data:image/png;base64,") >= len(grids)


def test_view_fits_level_bounds_in_y_x_order(page, ground_floor):
    x_min, y_min, x_max, y_max = ground_floor.bounds
    bounds = f"[[{y_min}, {x_min}], [{y_max}, {x_max}]]"
    assert re.search(r"fitBounds\(\s*" + re.escape(bounds), page)


def test_script_room_name_is_escaped(page, script_name):
    text = _decoded(page)
    assert script_name not in page
    assert script_name not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_popup_gives_room_evidence(page, analysis):
    text = _decoded(page)
    dead = next(room for room in analysis.rooms if room.ref == "A0-110")
    assert "A0-110 \u2013 IRM" in text
    assert "MRI suite" in text
    assert "yes, attenuation 48 dB" in text
    assert "install an analog line" in text
    assert "mobile voice is not reliable on any operator" in text
    assert dead.verdicts[0].verdict == "unreliable"


def test_popup_gives_operator_pass_rates(page, analysis, english):
    text = _decoded(page)
    room = next(room for room in analysis.rooms if room.ref == "A0-102")
    expected = [format_percent(verdict.pass_rate) for verdict in room.verdicts]
    assert expected == ["33.3%", "0.0%"]
    for rate in expected:
        assert rate in text
    assert "RSRP p10" in text


def test_line_markers_for_existing_and_proposed_lines(page, ground_floor):
    text = _decoded(page)
    for room in ground_floor.rooms:
        to_install = room.recommendation.action == "install_analog_line" and not room.analog_line
        assert (f"Analog line: {room.ref}" in text) == room.analog_line, room.ref
        assert (f"Install an analog line: {room.ref}" in text) == to_install, room.ref


def test_legend_is_plain_html(page):
    assert 'class="zb-panel zb-legend"' in page
    assert "insufficient data" in page
    assert "\u2212128" in page


def test_level_without_rooms_renders(analysis, ground_floor, grids):
    empty = dataclasses.replace(ground_floor, rooms=[])
    page = render_level_map(analysis, empty, {"best operator": grids["best operator"]})
    assert "L.imageOverlay(" in page
    assert REMOTE_REFERENCE.findall(page) == []


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_map_runs_in_headless_chromium(page, ground_floor, tmp_path):
    map_path = tmp_path / "map.html"
    map_path.write_text(page, encoding="utf-8")
    command = [
        "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--virtual-time-budget=3000",
        "--dump-dom",
        map_path.as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    dom = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "leaflet-control-layers" in dom
    assert dom.count('class="leaflet-tooltip zb-room-label') == len(ground_floor.rooms)
    assert dom.count("leaflet-interactive") >= len(ground_floor.rooms)
