"""Self-contained offline HTML maps of a site, drawn with folium in plan metres.

:func:`render_site_map` draws every level of a site in one page with a level switcher;
:func:`render_level_map` draws one level. Both show, per level, the rooms coloured by voice
verdict (all operators combined, or one operator), and heatmaps of the signal (RSRP), RSRQ and
SINR per operator, with the room outlines and their evidence in popups, the numbered fixed
lines, the room refs and the sample points. The page's own script (see
:mod:`maps.webmap_script`) switches levels, views and legends.

The page loads nothing from the network: Leaflet's JavaScript and CSS are inlined from the
``xstatic-leaflet`` package, its CSS images become data URIs, and the legend is plain HTML.
Every text that comes from a user or a file is HTML-escaped, and JSON inside the page has
``<``, ``>`` and ``&`` escaped, so a room name cannot inject markup.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import html
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import folium
import xstatic.pkg.leaflet
from branca.element import Element, MacroElement
from folium.map import CustomPane
from folium.template import Template
from folium.utilities import JsCode

from maps.grids import MAP_METRICS, LevelGrids, display_technology, operator_label, site_grids
from maps.heatmap import TECHNOLOGY_NAMES, legend_entries, metric_title
from maps.points import TECHNOLOGIES
from maps.webmap_layers import HeatmapOverlay, LevelContent, level_content, script_json
from maps.style import (
    COVERAGE_COLORS,
    VERDICT_COLORS,
    VERDICT_DASHES,
    coverage_label,
    labelled,
    survey_dates_text,
    verdict_label,
)
from maps.webmap_script import PAGE_CSS, PAGE_SCRIPT
from survey.i18n import _, current_language
from survey.metrics import COVERAGE_LEVELS, METRIC_LABELS, METRIC_UNITS
from survey.results import LevelResult, SiteAnalysis

logger = logging.getLogger(__name__)

LEAFLET_DIR = Path(xstatic.pkg.leaflet.BASE_DIR)

# Leaflet's attribution prefix links to its web site. The map hides the attribution control,
# and the link is removed from the inlined code, so the page names no remote host.
LEAFLET_PREFIX_LINK = 'href="https://leafletjs.com"'

# Pane z-indices around Leaflet's overlay pane (400): the plan image and the coloured layer
# under the room outlines, the sample points over them, the fixed lines on top.
BACKGROUND_PANE, BACKGROUND_PANE_Z = "zb-background", 380
FILL_PANE, FILL_PANE_Z = "zb-fill", 390
POINT_PANE, POINT_PANE_Z = "zb-points", 420
LINE_PANE, LINE_PANE_Z = "zb-lines", 450

# Space in pixels that the view leaves for the title and legend on the left and the switcher
# on the right, as (x, y).
FIT_PADDING_TOP_LEFT = (280, 110)
FIT_PADDING_BOTTOM_RIGHT = (255, 30)

HEATMAP_OPACITY = 0.85
VERDICT_FILL_OPACITY = 0.6
# Width of one character of a room ref label (bold 11 px sans-serif), an estimate in pixels.
LABEL_CHAR_PX = 7
LINE_ICON_PX = 24

# Binds each feature's popup, hover tooltip and permanent label, all given as escaped HTML in
# the feature's properties. A label moves up when a line marker sits on its anchor.
BIND_FEATURE_TEXT = JsCode(
    """
    function (feature, layer) {
        var properties = feature.properties || {};
        if (properties.popup) {
            layer.bindPopup(properties.popup, {maxWidth: 420});
        }
        if (properties.tooltip) {
            layer.bindTooltip(properties.tooltip, {sticky: true});
        }
        if (properties.label) {
            layer.bindTooltip(properties.label, {
                permanent: true, direction: "center", className: "zb-room-label", interactive: false,
                offset: properties.has_line ? [0, 19] : [0, 0]
            });
        }
    }
    """
)

# Draws each fixed line as a numbered disc: black for an existing line, white and dashed to install.
BIND_LINE_MARKER = JsCode(
    """
    function (feature, layer) {
        var properties = feature.properties;
        var size = %d;
        layer.setIcon(L.divIcon({
            html: String(properties.number),
            className: "zb-line-icon " + (properties.proposed ? "zb-proposed" : "zb-existing"),
            iconSize: [size, size]
        }));
        layer.bindTooltip(properties.tooltip);
        layer.bindPopup(properties.popup, {maxWidth: 420});
    }
    """
    % LINE_ICON_PX
)


@dataclass(frozen=True)
class PlanBackground:
    """A floor plan image drawn under the rooms: PNG bytes and (x_min, y_min, x_max, y_max) in metres."""

    png: bytes
    bounds: tuple[float, float, float, float]


@dataclass(frozen=True)
class MapView:
    """One choice of the view switcher: what colours the rooms or the heatmap."""

    key: str
    group: str
    label: str
    kind: str
    metric: str
    plmn: str | None = None
    verdict: str | None = None


class RawElement(Element):
    """A piece of HTML inserted as it is.

    branca's ``Element(text)`` compiles ``text`` as a Jinja template, so a site or room name
    holding ``{{`` would be evaluated; this element returns its text without reading it.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: object) -> str:
        return self.text


class OfflineMap(folium.Map):
    """A folium map whose page links no JavaScript or CSS file: Leaflet is added inline.

    The resource lists are the map's own, so a link added to one map reaches neither folium's
    class lists, which every other map in the process reads, nor another offline map.
    """

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.default_js = []
        self.default_css = []
        header = self.get_root().header
        header.add_child(RawElement(f"<style>{leaflet_css()}</style>"), name="leaflet_css")
        header.add_child(RawElement(f"<script>{leaflet_js()}</script>"), name="leaflet_js")
        header.add_child(RawElement(f"<style>{PAGE_CSS}</style>"), name="zoneblanche_css")


@functools.cache
def leaflet_js() -> str:
    """Return Leaflet's minified JavaScript, safe to place inside a ``<script>`` element."""
    code = (LEAFLET_DIR / "leaflet.js").read_text(encoding="utf-8")
    if LEAFLET_PREFIX_LINK in code:
        code = code.replace(LEAFLET_PREFIX_LINK, 'href="#"')
    else:
        logger.warning("Leaflet attribution link not found in %s; check the page for remote links", LEAFLET_DIR)
    return code.replace("</", "<\\/")


@functools.cache
def leaflet_css() -> str:
    """Return Leaflet's CSS with its images embedded as data URIs."""
    css = (LEAFLET_DIR / "leaflet.css").read_text(encoding="utf-8")

    def embed(match: re.Match) -> str:
        image = LEAFLET_DIR / match.group(1)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", embed, css)


class MetricScaleControl(MacroElement):
    """Leaflet's scale bar in metres only; in CRS.Simple one map unit is one plan metre."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.control.scale({imperial: false, maxWidth: 150, position: "bottomright"})
                .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class PageScript(MacroElement):
    """The page's switcher and point layer script, run after every layer is defined."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.code }}
        {% endmacro %}
        """
    )

    def __init__(self, code: str) -> None:
        super().__init__()
        self._name = "ZoneblanchePageScript"
        self.code = code


def render_site_map(
    analysis: SiteAnalysis,
    grids_by_level: dict[int, LevelGrids] | None = None,
    *,
    backgrounds: dict[int, PlanBackground] | None = None,
    contents: dict[int, LevelContent] | None = None,
) -> str:
    """Render every level of a site with rooms as one offline HTML page with a level switcher.

    Parameters
    ----------
    analysis
        The site analysis; levels without rooms are left out.
    grids_by_level
        Heatmap grids per level id (see :func:`maps.grids.site_grids`); computed when missing.
    backgrounds
        Floor plan images per level id, drawn under the rooms.
    contents
        A cache of the levels' layer data, filled as levels are drawn, to share with other maps.
    """
    levels = [level for level in analysis.levels if level.rooms]
    for level in analysis.levels:
        if not level.rooms:
            logger.warning("level %s (%s) has no rooms and is left out of the map", level.level_id, level.name)
    grids_by_level = grids_by_level or site_grids(analysis)
    return _render(analysis, levels, grids_by_level, backgrounds or {}, {} if contents is None else contents)


def render_level_map(
    analysis: SiteAnalysis,
    level: LevelResult,
    grids: LevelGrids | None = None,
    *,
    background: PlanBackground | None = None,
    contents: dict[int, LevelContent] | None = None,
) -> str:
    """Render one level as a self-contained offline HTML page.

    Parameters
    ----------
    analysis
        The site analysis the level belongs to (site name, operators, survey dates).
    level
        The level to draw; room geometries are in plan metres.
    grids
        The level's heatmap grids (see :class:`maps.grids.LevelGrids`); computed when missing.
    background
        A floor plan image drawn under the rooms.
    contents
        A cache of the levels' layer data, shared with other maps.
    """
    if grids is None:
        grids = LevelGrids(level, [plmn for plmn, _name in analysis.operators])
    backgrounds = {level.level_id: background} if background else {}
    return _render(analysis, [level], {level.level_id: grids}, backgrounds, {} if contents is None else contents)


def _render(
    analysis: SiteAnalysis,
    levels: list[LevelResult],
    grids_by_level: dict[int, LevelGrids],
    backgrounds: dict[int, PlanBackground],
    contents: dict[int, LevelContent],
) -> str:
    """Build the page of ``levels``: layers, switcher, title, legend and scale."""
    bounds = [_level_bounds(level) for level in levels] or [(0.0, 0.0, 10.0, 10.0)]
    x_min, y_min, x_max, y_max = bounds[0]
    site_map = OfflineMap(
        location=[(y_min + y_max) / 2, (x_min + x_max) / 2],
        crs="Simple",
        tiles=None,
        zoom_start=2,
        min_zoom=-5,
        max_zoom=7,
        zoom_snap=0.25,
        attribution_control=False,
        font_size="13px",
    )
    for name, z_index, events in (
        (BACKGROUND_PANE, BACKGROUND_PANE_Z, False),
        (FILL_PANE, FILL_PANE_Z, False),
        (POINT_PANE, POINT_PANE_Z, False),
        (LINE_PANE, LINE_PANE_Z, True),
    ):
        CustomPane(name, z_index=z_index, pointer_events=events).add_to(site_map)

    views = map_views(analysis)
    heatmap_keys = [(view.plmn, view.metric) for view in views if view.verdict is None]
    level_specs = []
    root = site_map.get_root()
    for level, level_bounds in zip(levels, bounds):
        if level.level_id not in contents:
            grids = grids_by_level.get(level.level_id) or LevelGrids(level, [plmn for plmn, _ in analysis.operators])
            contents[level.level_id] = level_content(analysis, level, grids, heatmap_keys)
        content = contents[level.level_id]
        level_specs.append(_LevelLayers(site_map, content, views).build(level_bounds, backgrounds.get(level.level_id)))
        if content.point_count:
            root.html.add_child(RawElement(_json_script(f"zb-points-{level.level_id}", content.points_json)))

    spec = _page_spec(analysis, site_map, levels, level_specs, views)
    root.html.add_child(RawElement(_json_script("zb-spec", script_json(spec))))
    root.html.add_child(RawElement(_title_html(analysis)))
    root.html.add_child(RawElement(_legend_html()))
    root.html.add_child(RawElement('<div id="zb-control" class="zb-panel zb-control"></div>'))
    MetricScaleControl().add_to(site_map)
    site_map.add_child(PageScript(PAGE_SCRIPT))
    return root.render()


def _json_script(element_id: str, text: str) -> str:
    """Return a JSON data element; ``text`` is JSON already escaped by :func:`script_json`."""
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def _level_bounds(level: LevelResult) -> tuple[float, float, float, float]:
    """Return (x_min, y_min, x_max, y_max) of the level's rooms, or a 10 m square without rooms."""
    if level.rooms:
        return level.bounds
    logger.warning("level %s has no rooms; the map shows an empty 10 m square", level.level_id)
    return 0.0, 0.0, 10.0, 10.0


def map_views(analysis: SiteAnalysis) -> list[MapView]:
    """Return the view switcher's choices: voice verdicts, then each metric by operator."""
    operators = [(plmn, operator_label(analysis, plmn)) for plmn, _name in analysis.operators]
    combined = _("any operator") if "any" in analysis.policy.required_operators else _("required operators")
    views = [MapView("verdict:all", "verdict", combined, "verdict", "signal_dbm", verdict="all")]
    views.extend(MapView(f"verdict:{plmn}", "verdict", name, "verdict", "signal_dbm", plmn, plmn) for plmn, name in operators)
    for metric in MAP_METRICS:
        if metric == "signal_dbm":
            views.append(MapView("signal_dbm:best", metric, operator_label(analysis, None), metric, metric))
        views.extend(MapView(f"{metric}:{plmn}", metric, name, metric, metric, plmn) for plmn, name in operators)
    return views


def _group_titles() -> list[dict[str, str]]:
    """Return the view groups with their translated titles, in switcher order."""
    return [
        {"key": "verdict", "title": _("Voice verdict")},
        {"key": "signal_dbm", "title": _("Signal (RSRP)")},
        {"key": "rsrq_db", "title": _("Signal quality (RSRQ)")},
        {"key": "sinr_db", "title": _("Interference (SINR)")},
    ]


@dataclass
class _LevelLayers:
    """Adds one level's layers to the map from its content and returns their names for the page script."""

    site_map: folium.Map
    content: LevelContent
    views: list[MapView]

    def build(self, bounds: tuple[float, float, float, float], background: PlanBackground | None) -> dict:
        """Add the layers and return the level's entry of the page specification."""
        level = self.content.level
        x_min, y_min, x_max, y_max = bounds
        fill = self._verdict_fill()
        level_views = {view.key: fill for view in self.views if view.verdict}
        for view in self.views:
            if view.verdict is None:
                level_views[view.key] = self._heatmap(self.content.heatmaps.get((view.plmn, view.metric)))
        return {
            "id": str(level.level_id),
            "ordinal": level.ordinal,
            "title": " \u2013 ".join(part for part in (level.building, level.name) if part),
            "bounds": [[y_min, x_min], [y_max, x_max]],
            "fill": fill,
            "views": level_views,
            "rooms": self._rooms(),
            "labels": self._labels(),
            "lines": self._lines(),
            "doors": self._doors(),
            "background": self._background(background),
            "points": f"zb-points-{level.level_id}" if self.content.point_count else None,
        }

    def _group(self) -> folium.FeatureGroup:
        group = folium.FeatureGroup(control=False, show=False)
        group.add_to(self.site_map)
        return group

    def _verdict_fill(self) -> str:
        """Add the rooms filled by voice verdict; the script sets the fill of the chosen view."""
        group = self._group()
        folium.GeoJson(
            _collection(self.content.fill_features),
            pane=FILL_PANE,
            interactive=False,
            style_function=_verdict_fill_style,
        ).add_to(group)
        return group.get_name()

    def _heatmap(self, overlay: HeatmapOverlay | None) -> str | None:
        """Add one heatmap image and return its group's name, or None without a grid."""
        if overlay is None:
            return None
        group = self._group()
        folium.raster_layers.ImageOverlay(
            overlay.url, bounds=overlay.bounds, opacity=HEATMAP_OPACITY, pixelated=True, pane=FILL_PANE
        ).add_to(group)
        return group.get_name()

    def _rooms(self) -> str:
        """Add the room outlines with a popup of each room's evidence."""
        group = self._group()
        folium.GeoJson(
            _collection(self.content.room_features),
            style_function=_outline_style,
            highlight_function=lambda feature: {"weight": 3},
            on_each_feature=BIND_FEATURE_TEXT,
        ).add_to(group)
        return group.get_name()

    def _labels(self) -> str:
        """Add the room refs as permanent labels."""
        group = self._group()
        folium.GeoJson(
            _collection(self.content.label_features),
            marker=folium.CircleMarker(radius=0, stroke=False, fill=False, interactive=False),
            on_each_feature=BIND_FEATURE_TEXT,
        ).add_to(group)
        return group.get_name()

    def _lines(self) -> str | None:
        """Add the numbered markers of the existing lines and the lines to install."""
        if not self.content.line_features:
            return None
        group = self._group()
        folium.GeoJson(
            _collection(self.content.line_features),
            marker=folium.Marker(pane=LINE_PANE),
            on_each_feature=BIND_LINE_MARKER,
        ).add_to(group)
        return group.get_name()

    def _doors(self) -> str | None:
        """Add the plan's doors as white gaps in the walls, or small white discs for points."""
        if not self.content.door_features:
            return None
        group = self._group()
        folium.GeoJson(
            _collection(self.content.door_features),
            style_function=lambda _feature: {"color": "#ffffff", "weight": 4, "opacity": 1, "fillColor": "#ffffff", "fillOpacity": 1},
            marker=folium.CircleMarker(radius=3, color="#303030", weight=1, fill=True, fill_color="#ffffff", fill_opacity=1),
            interactive=False,
        ).add_to(group)
        return group.get_name()

    def _background(self, background: PlanBackground | None) -> str | None:
        """Add the floor plan image under the rooms, when there is one."""
        if background is None:
            return None
        group = self._group()
        x_min, y_min, x_max, y_max = background.bounds
        folium.raster_layers.ImageOverlay(
            "data:image/png;base64," + base64.b64encode(background.png).decode("ascii"),
            bounds=[[y_min, x_min], [y_max, x_max]],
            pixelated=False,
            pane=BACKGROUND_PANE,
        ).add_to(group)
        return group.get_name()


def _collection(features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features}


def _verdict_fill_style(feature: dict) -> dict:
    verdict = feature["properties"]["verdicts"]["all"]
    return {
        "fillColor": VERDICT_COLORS.get(verdict, VERDICT_COLORS["insufficient_data"]),
        "fillOpacity": VERDICT_FILL_OPACITY,
        "stroke": False,
    }


def _outline_style(feature: dict) -> dict:
    verdict = feature["properties"]["verdict"]
    return {
        "color": "#303030",
        "weight": 1.2,
        "dashArray": VERDICT_DASHES.get(verdict, ""),
        "fill": True,
        "fillOpacity": 0,
    }


def _initial_level(levels: list[LevelResult]) -> str:
    """Return the id of the level shown first: the ground floor, else the level nearest to it."""
    if not levels:
        return ""
    return str(min(levels, key=lambda level: (abs(level.ordinal), -level.ordinal)).level_id)


def _page_spec(
    analysis: SiteAnalysis, site_map: folium.Map, levels: list[LevelResult], level_specs: list[dict], views: list[MapView]
) -> dict:
    """Return the JSON specification the page script reads: layers, views, colours and texts."""
    ordered = sorted(level_specs, key=lambda spec: -spec["ordinal"])
    plmns = [plmn for plmn, _name in analysis.operators]
    return {
        "map": site_map.get_name(),
        "language": current_language(),
        "timezone": analysis.timezone,
        "levels": ordered,
        "groups": _group_titles(),
        "views": [dataclasses.asdict(view) for view in views],
        "initial": {"level": _initial_level(levels), "view": views[0].key},
        "operators": [{"plmn": plmn, "name": operator_label(analysis, plmn)} for plmn in plmns],
        "operatorIndex": {plmn: index for index, plmn in enumerate(plmns)},
        "technologies": [TECHNOLOGY_NAMES.get(name, name) for name in TECHNOLOGIES],
        "classColors": [COVERAGE_COLORS[level] for level in COVERAGE_LEVELS],
        "classLabels": [coverage_label(level) for level in COVERAGE_LEVELS],
        "metrics": {
            metric: {"name": _(METRIC_LABELS.get(metric, metric)), "unit": METRIC_UNITS.get(metric, "")}
            for metric in MAP_METRICS
        },
        "verdictColors": VERDICT_COLORS,
        "verdictOpacity": VERDICT_FILL_OPACITY,
        "labelCharPx": LABEL_CHAR_PX,
        "fitPadding": [FIT_PADDING_TOP_LEFT, FIT_PADDING_BOTTOM_RIGHT],
        "text": {
            "level": _("Level"),
            "show": _("Show"),
            "also": _("Also show"),
            "labels": _("Room refs"),
            "lines": _("Analog lines"),
            "points": _("Sample points"),
            "noService": _("no service"),
            "noLevel": _("No level has rooms yet: import a floor plan."),
        },
    }


def _title_html(analysis: SiteAnalysis) -> str:
    """Return the title panel: site, current level (set by the script) and survey dates."""
    dates = html.escape(_("Survey dates: {dates}").format(dates=survey_dates_text(analysis)))
    note = html.escape(_("Click a room for its evidence. Works offline."))
    return (
        f'<div class="zb-panel zb-title"><h1>{html.escape(analysis.site_name)}</h1>'
        f'<p id="zb-level-name" class="zb-level-name"></p><p>{dates}</p><p>{note}</p></div>'
    )


def _legend_html() -> str:
    """Return the legend panel: one section per kind of view, the lines and the points."""
    sections = [_verdict_legend()]
    sections.extend(_class_legend(metric) for metric in MAP_METRICS)
    sections.append(_lines_legend())
    return f'<div id="zb-legend" class="zb-panel zb-legend">{"".join(sections)}</div>'


def _verdict_legend() -> str:
    items = "".join(
        f'<li><span class="zb-swatch{" zb-dashed" if VERDICT_DASHES[verdict] else ""}" '
        f'style="background:{VERDICT_COLORS[verdict]}"></span>{html.escape(verdict_label(verdict))}</li>'
        for verdict in VERDICT_COLORS
    )
    return f'<div data-kind="verdict"><h2>{html.escape(_("Voice verdict"))}</h2><ul>{items}</ul></div>'


def _class_legend(metric: str) -> str:
    """Return the display classes of ``metric`` with their ranges, best first."""
    items = "".join(
        f'<li><span class="zb-swatch" style="background:{COVERAGE_COLORS[level]}"></span>'
        f"{html.escape(labelled(name, text))}</li>"
        for level, name, text in legend_entries(display_technology(metric), metric)
    )
    title = html.escape(metric_title(display_technology(metric), metric))
    unmeasured = html.escape(_("Rooms without colour were not measured."))
    return f'<div data-kind="{metric}"><h2>{title}</h2><ul>{items}</ul><p>{unmeasured}</p></div>'


def _lines_legend() -> str:
    existing, proposed = html.escape(_("existing analog line")), html.escape(_("analog line to install"))
    doors = html.escape(_("White gaps in the walls are the plan's doors, through which walks to the lines go."))
    points = html.escape(_("Sample points use the colours of the signal classes; hover over one for its value and time."))
    return (
        f'<div data-kind="all"><h2>{html.escape(_("Analog lines"))}</h2><ul>'
        f'<li><span class="zb-dot zb-existing">1</span>{existing}</li>'
        f'<li><span class="zb-dot zb-proposed">2</span>{proposed}</li></ul>'
        f"<p>{doors}</p><p>{points}</p></div>"
    )
