"""Offline maps read as text: no remote resource, inlined Leaflet, escaped names, layers and data."""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser

import folium
import pytest

from maps.grids import LevelGrids, site_grids
from maps.style import format_percent
from maps.webmap import OfflineMap, leaflet_css, leaflet_js, map_views, render_level_map, render_site_map
from maps.webmap_layers import script_json
from survey.i18n import reset_language, set_language

# A src or href attribute, in markup or inside a script, whose value names a host.
REMOTE_REFERENCE = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.IGNORECASE)
JINJA_NAME = "Salle {{ 7 * 7 }} {% if true %}X{% endif %}"


class _ResourceCollector(HTMLParser):
    """Collect the src and href attributes of every element, the <link> elements and JSON scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.links = 0
        self.json_ids: list[str] = []
        self._json_id: str | None = None
        self.json_texts: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "link":
            self.links += 1
        if tag == "script" and values.get("type") == "application/json":
            self._json_id = values.get("id")
            self.json_ids.append(self._json_id or "")
        self.references.extend(value or "" for name, value in attrs if name in ("src", "href"))

    def handle_data(self, data: str) -> None:
        if self._json_id is not None:
            self.json_texts[self._json_id] = self.json_texts.get(self._json_id, "") + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._json_id = None


def _decoded(page: str) -> str:
    """Return the page with JSON ``\\uXXXX`` escapes decoded, as a browser's script would read it."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda match: chr(int(match.group(1), 16)), page)


def _parsed(page: str) -> _ResourceCollector:
    collector = _ResourceCollector()
    collector.feed(page)
    return collector


@pytest.fixture(scope="module")
def grids(analysis):
    return site_grids(analysis)


@pytest.fixture(scope="module")
def page(analysis, ground_floor, grids):
    token = set_language("en")
    try:
        return render_level_map(analysis, ground_floor, grids[ground_floor.level_id])
    finally:
        reset_language(token)


@pytest.fixture(scope="module")
def site_page(analysis, grids):
    token = set_language("en")
    try:
        return render_site_map(analysis, grids)
    finally:
        reset_language(token)


def _spec(page: str) -> dict:
    return json.loads(_parsed(page).json_texts["zb-spec"])


def test_page_references_no_remote_resource(page, site_page):
    assert REMOTE_REFERENCE.findall(page) == []
    assert REMOTE_REFERENCE.findall(site_page) == []


def test_page_elements_have_no_remote_attribute(site_page):
    collector = _parsed(site_page)
    assert collector.links == 0
    for reference in collector.references:
        assert not re.match(r"^\s*(?:https?:)?//", reference), reference


def test_page_loads_no_library_but_leaflet(site_page):
    lowered = site_page.lower()
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


def test_views_cover_every_operator_and_metric(analysis):
    keys = [view.key for view in map_views(analysis)]
    assert keys == [
        "verdict:all",
        "verdict:208-01",
        "verdict:208-10",
        "signal_dbm:best",
        "signal_dbm:208-01",
        "signal_dbm:208-10",
        "rsrq_db:208-01",
        "rsrq_db:208-10",
        "sinr_db:208-01",
        "sinr_db:208-10",
    ]


def test_one_image_overlay_per_heatmap_view(page):
    spec = _spec(page)
    heatmap_views = [view for view in spec["views"] if view["verdict"] is None]
    assert page.count("L.imageOverlay(") == len(heatmap_views) == 7
    assert page.count('"data:image/png;base64,') >= len(heatmap_views)


def test_spec_names_each_level_layer(site_page, analysis):
    spec = _spec(site_page)
    assert [level["id"] for level in spec["levels"]] == ["1", "2"]
    for level in spec["levels"]:
        for key in ("fill", "rooms", "labels", "lines"):
            assert re.fullmatch(r"feature_group_[0-9a-f]+", level[key]), key
            assert f"var {level[key]} = " in site_page
        assert set(level["views"]) == {view["key"] for view in spec["views"]}


def test_site_map_starts_on_ground_floor(site_page):
    spec = _spec(site_page)
    assert spec["initial"] == {"level": "1", "view": "verdict:all"}


def test_level_bounds_in_y_x_order(site_page, ground_floor):
    x_min, y_min, x_max, y_max = ground_floor.bounds
    level = next(level for level in _spec(site_page)["levels"] if level["id"] == "1")
    assert level["bounds"] == [[y_min, x_min], [y_max, x_max]]


def test_sample_points_are_one_json_array_per_level(site_page, analysis):
    collector = _parsed(site_page)
    assert collector.json_ids == ["zb-points-1", "zb-points-2", "zb-spec"]
    points = json.loads(collector.json_texts["zb-points-1"])
    samples = analysis.levels[0].samples
    assert points["count"] == len(samples)
    assert len(points["x"]) == len(points["y"]) == len(points["classes"]["signal_dbm"]) == len(samples)
    assert set(points["classes"]["signal_dbm"]) <= set("01234-")
    assert site_page.count("L.circleMarker(") <= 40


def test_no_service_points_are_in_the_lowest_class(analysis, site_page):
    points = json.loads(_parsed(site_page).json_texts["zb-points-1"])
    for flag, signal_class in zip(points["ns"], points["classes"]["signal_dbm"]):
        if flag == "1":
            assert signal_class == "0"


def test_script_room_name_is_escaped(page, site_page, script_name):
    for text in (page, site_page):
        assert script_name not in text
        assert script_name not in _decoded(text)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _decoded(text)


def test_template_syntax_in_names_is_not_evaluated(analysis, ground_floor):
    room = dataclasses.replace(ground_floor.rooms[0], name=JINJA_NAME)
    level = dataclasses.replace(ground_floor, rooms=[room, *ground_floor.rooms[1:]])
    site = dataclasses.replace(analysis, site_name=JINJA_NAME, levels=[level])
    page = _decoded(render_site_map(site))
    assert "Salle 49" not in page
    assert "Salle &#123;&#123; 7 * 7 &#125;&#125;" in page
    assert "<h1>Salle {{ 7 * 7 }} {% if true %}X{% endif %}</h1>" in page


def test_script_json_escapes_markup():
    text = script_json({"name": "</script><b>&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><b>&"}


def test_popup_gives_room_evidence(page, analysis):
    text = _decoded(page)
    dead = next(room for room in analysis.rooms if room.ref == "A0-110")
    assert "A0-110 \u2013 IRM" in text
    assert "MRI suite" in text
    assert "yes, attenuation 48 dB" in text
    assert "install an analog line" in text
    assert "mobile voice is not reliable on any operator" in text
    assert "no (line 3 to install)" in text
    assert dead.verdicts[0].verdict == "unreliable"


def test_popup_gives_operator_pass_rates(page, analysis, english):
    text = _decoded(page)
    room = next(room for room in analysis.rooms if room.ref == "A0-102")
    expected = [format_percent(verdict.pass_rate) for verdict in room.verdicts]
    assert expected == ["33.3%", "0.0%"]
    for rate in expected:
        assert rate in text
    assert "RSRP p10" in text


def test_line_markers_are_numbered(page, ground_floor):
    text = _decoded(page)
    assert "Line 1: A0-101 \u2013 Accueil des urgences" in text
    assert "Line 2 to install: A0-102 \u2013 Salle de déchocage" in text
    assert "Line 3 to install: A0-110 \u2013 IRM" in text
    assert "Line 4: A0-113 \u2013 Poste de soins" in text
    assert "L.divIcon" in page


def test_legend_is_plain_html(page):
    assert 'id="zb-legend"' in page
    assert "insufficient data" in page
    assert "\u2212128" in page
    for kind in ("verdict", "signal_dbm", "rsrq_db", "sinr_db"):
        assert f'data-kind="{kind}"' in page


def test_french_map_texts(analysis, ground_floor, grids, french):
    page = _decoded(render_level_map(analysis, ground_floor, grids[ground_floor.level_id]))
    for words in ("Verdict voix", "Qualité du signal (RSRQ)", "Points de mesure", "meilleur opérateur"):
        assert words in page, words


def test_level_without_samples_renders(analysis, ground_floor):
    level = dataclasses.replace(ground_floor, samples=ground_floor.samples.iloc[0:0])
    site = dataclasses.replace(analysis, levels=[level])
    page = render_level_map(site, level, LevelGrids(level, ["208-01", "208-10"]))
    assert "zb-points-" not in page
    assert REMOTE_REFERENCE.findall(page) == []


def test_site_map_leaves_out_levels_without_rooms(analysis):
    empty = dataclasses.replace(analysis.levels[1], rooms=[])
    site = dataclasses.replace(analysis, levels=[analysis.levels[0], empty])
    spec = _spec(render_site_map(site))
    assert [level["id"] for level in spec["levels"]] == ["1"]


def test_plan_doors_get_their_own_layer(analysis, ground_floor, grids, site_page):
    import dataclasses

    import shapely

    room = ground_floor.rooms[0]
    x_min, y_min, _x_max, _y_max = room.geometry.bounds
    doors = [shapely.LineString([(x_min + 0.5, y_min), (x_min + 1.5, y_min)]), shapely.Point(x_min, y_min + 1.25)]
    with_doors = dataclasses.replace(ground_floor, doors=doors)
    page = render_level_map(analysis, with_doors, grids[ground_floor.level_id])

    [level] = _spec(page)["levels"]
    assert re.fullmatch(r"feature_group_[0-9a-f]+", level["doors"])
    assert f"var {level['doors']} = " in page
    assert f"[{x_min + 0.5}, {y_min}], [{x_min + 1.5}, {y_min}]" in page
    # Levels without doors have no door layer.
    assert all(level["doors"] is None for level in _spec(site_page)["levels"])
