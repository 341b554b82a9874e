"""One self-contained offline HTML map per level, drawn with folium in plan metres.

The page loads nothing from the network: Leaflet's JavaScript and CSS are inlined from the
``xstatic-leaflet`` package, its CSS images become data URIs, and the legend is plain HTML.
Every text that comes from a user or a file is HTML-escaped here, and folium writes the
layer data as JSON with ``<``, ``>`` and ``&`` escaped, so a room name cannot inject markup.
"""

from __future__ import annotations

import base64
import functools
import html
import logging
import re
from pathlib import Path

import folium
import shapely
import xstatic.pkg.leaflet
from branca.element import Element, MacroElement
from folium.map import CustomPane, FitBounds
from folium.template import Template
from folium.utilities import JsCode
from shapely.geometry.base import BaseGeometry

from maps.heatmap import TECHNOLOGY_NAMES, label_anchor, grid_rgba
from maps.style import (
    COVERAGE_COLORS,
    LINE_EXISTING_COLOR,
    LINE_PROPOSED_COLOR,
    ROOM_OUTLINE_COLOR,
    VERDICT_COLORS,
    VERDICT_DASHES,
    action_label,
    class_ranges,
    coverage_label,
    format_number,
    format_percent,
    labelled,
    survey_dates_text,
    verdict_label,
    yes_no,
)
from survey.categories import category_label, criticality_label
from survey.gridding import Grid
from survey.i18n import _
from survey.metrics import COVERAGE_LEVELS, display_thresholds
from survey.results import LevelResult, RoomResult, SiteAnalysis

logger = logging.getLogger(__name__)

LEAFLET_DIR = Path(xstatic.pkg.leaflet.BASE_DIR)

# Leaflet's attribution prefix links to its web site. The map hides the attribution control,
# and the link is removed from the inlined code, so the page names no remote host.
LEAFLET_PREFIX_LINK = 'href="https://leafletjs.com"'

# Pane z-indices around Leaflet's overlay pane (400): the coloured layer under the room
# outlines, the analog line markers above them.
FILL_PANE = "zb-fill"
FILL_PANE_Z = 390
LINE_PANE = "zb-lines"
LINE_PANE_Z = 450

# Space in pixels that the initial view leaves for the legend and title on the left and the
# layer control on the right, as (x, y).
FIT_PADDING_TOP_LEFT = (285, 110)
FIT_PADDING_BOTTOM_RIGHT = (250, 30)

HEATMAP_OPACITY = 0.85
VERDICT_FILL_OPACITY = 0.6

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
                offset: properties.has_line ? [0, -17] : [0, 0]
            });
        }
    }
    """
)

PAGE_CSS = """
.zb-panel { position: absolute; z-index: 1000; background: rgba(255, 255, 255, 0.95);
  border: 1px solid #777; border-radius: 4px; padding: 6px 9px; font: 12px/1.35 sans-serif;
  color: #111; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); }
.zb-title { top: 10px; left: 50px; max-width: 55%; }
.zb-title h1 { font-size: 15px; margin: 0; }
.zb-title p { margin: 2px 0 0 0; }
.zb-legend { bottom: 12px; left: 10px; width: 250px; }
.zb-legend h2 { font-size: 12px; margin: 6px 0 3px 0; }
.zb-legend h2:first-child { margin-top: 0; }
.zb-legend ul { list-style: none; margin: 0; padding: 0; }
.zb-legend li { display: flex; align-items: center; margin: 2px 0; }
.zb-swatch { display: inline-block; width: 18px; height: 12px; margin-right: 6px;
  border: 1px solid #333; flex: none; }
.zb-swatch.zb-dashed { border-style: dashed; }
.zb-dot { display: inline-block; width: 12px; height: 12px; margin: 0 9px 0 3px;
  border-radius: 50%; border: 2px solid #000; flex: none; }
.zb-dot.zb-proposed { border-style: dashed; }
.zb-popup { font-size: 12px; }
.zb-popup h3 { font-size: 14px; margin: 0 0 4px 0; }
.zb-popup p { margin: 6px 0 2px 0; }
.zb-popup table { border-collapse: collapse; margin: 4px 0; font-size: 12px; }
.zb-popup th, .zb-popup td { text-align: left; padding: 1px 6px 1px 0; vertical-align: top; }
.zb-popup td.zb-number { text-align: right; }
.zb-popup ul { margin: 2px 0 0 16px; padding: 0; }
.zb-popup p.zb-note { margin: 0 0 4px 0; font-size: 11px; color: #333; }
.leaflet-tooltip.zb-room-label { background: transparent; border: none; box-shadow: none;
  padding: 0; font: bold 11px sans-serif; color: #000;
  text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff; }
.leaflet-tooltip.zb-room-label::before { display: none; }
@media print { .leaflet-control-zoom, .leaflet-control-layers { display: none; } }
"""


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
        header.add_child(Element(f"<style>{leaflet_css()}</style>"), name="leaflet_css")
        header.add_child(Element(f"<script>{leaflet_js()}</script>"), name="leaflet_js")
        header.add_child(Element(f"<style>{PAGE_CSS}</style>"), name="zoneblanche_css")


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


def render_level_map(analysis: SiteAnalysis, level: LevelResult, grids: dict[str, Grid]) -> str:
    """Render one level as a self-contained offline HTML page.

    Parameters
    ----------
    analysis
        The site analysis the level belongs to (site name, survey dates).
    level
        The level to draw; room geometries are in plan metres.
    grids
        Heatmap grids keyed by their display name, such as ``"Orange"`` or
        ``"best operator"``; each becomes one choice of the base layer.
    """
    x_min, y_min, x_max, y_max = _level_bounds(level, grids)
    level_map = OfflineMap(
        location=[(y_min + y_max) / 2, (x_min + x_max) / 2],
        crs="Simple",
        tiles=None,
        zoom_start=2,
        min_zoom=-4,
        max_zoom=7,
        zoom_snap=0.25,
        attribution_control=False,
        font_size="13px",
    )
    CustomPane(FILL_PANE, z_index=FILL_PANE_Z, pointer_events=False).add_to(level_map)
    CustomPane(LINE_PANE, z_index=LINE_PANE_Z, pointer_events=True).add_to(level_map)

    _add_verdict_layer(level_map, level)
    for name, grid in grids.items():
        _add_heatmap_layer(level_map, name, grid)
    _add_room_layer(level_map, level)
    _add_label_layer(level_map, level)
    _add_line_layer(level_map, level)

    folium.LayerControl(position="topright", collapsed=False).add_to(level_map)
    level_map.get_root().html.add_child(Element(_title_html(analysis, level)))
    level_map.get_root().html.add_child(Element(_legend_html()))
    MetricScaleControl().add_to(level_map)
    _fit_without_animation(level_map, [[y_min, x_min], [y_max, x_max]])
    return level_map.get_root().render()


def _fit_without_animation(level_map: folium.Map, bounds: list[list[float]]) -> None:
    """Fit the view to ``bounds`` ([[y_min, x_min], [y_max, x_max]]) with no zoom animation.

    The animation would leave the page scaled by a CSS transform for a moment after loading,
    which is what a screenshot or a print taken at once would show.
    """
    fit = FitBounds(bounds, padding_top_left=FIT_PADDING_TOP_LEFT, padding_bottom_right=FIT_PADDING_BOTTOM_RIGHT)
    fit.options["animate"] = False
    level_map.add_child(fit)


def _level_bounds(level: LevelResult, grids: dict[str, Grid]) -> tuple[float, float, float, float]:
    """Return (x_min, y_min, x_max, y_max) of the level's rooms, or of its grids without rooms."""
    if level.rooms:
        return level.bounds
    for grid in grids.values():
        x_min, x_max, y_min, y_max = grid.extent
        return x_min, y_min, x_max, y_max
    logger.warning("level %s has no rooms and no grid; the map shows an empty 10 m square", level.level_id)
    return 0.0, 0.0, 10.0, 10.0


def _add_verdict_layer(level_map: folium.Map, level: LevelResult) -> None:
    """Add the rooms filled by their combined voice verdict, as the default base layer."""
    group = folium.FeatureGroup(name=html.escape(_("Voice verdict by room")), overlay=False, show=True)
    features = [_feature(room.geometry, room.room_id, {"verdict": room.voice}) for room in level.rooms]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=_verdict_style,
        pane=FILL_PANE,
        interactive=False,
    ).add_to(group)
    group.add_to(level_map)


def _verdict_style(feature: dict) -> dict:
    verdict = feature["properties"]["verdict"]
    return {
        "fillColor": VERDICT_COLORS.get(verdict, VERDICT_COLORS["insufficient_data"]),
        "fillOpacity": VERDICT_FILL_OPACITY,
        "stroke": False,
    }


def _add_heatmap_layer(level_map: folium.Map, name: str, grid: Grid) -> None:
    """Add one grid as an image overlay, a choice of the base layer."""
    x_min, x_max, y_min, y_max = grid.extent
    label = _("Signal: {operator}").format(operator=name)
    group = folium.FeatureGroup(name=html.escape(label), overlay=False, show=False)
    folium.raster_layers.ImageOverlay(
        grid_rgba(grid),
        bounds=[[y_min, x_min], [y_max, x_max]],
        origin="upper",
        opacity=HEATMAP_OPACITY,
        pixelated=True,
        pane=FILL_PANE,
    ).add_to(group)
    group.add_to(level_map)


def _add_room_layer(level_map: folium.Map, level: LevelResult) -> None:
    """Add the room outlines, always shown, with a popup of each room's evidence."""
    features = [
        _feature(
            room.geometry,
            room.room_id,
            {
                "verdict": room.voice,
                "popup": room_popup_html(room),
                "tooltip": _room_tooltip_html(room),
            },
        )
        for room in level.rooms
    ]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=html.escape(_("Rooms")),
        control=False,
        style_function=_outline_style,
        highlight_function=lambda feature: {"weight": 3},
        on_each_feature=BIND_FEATURE_TEXT,
    ).add_to(level_map)


def _outline_style(feature: dict) -> dict:
    verdict = feature["properties"]["verdict"]
    return {
        "color": ROOM_OUTLINE_COLOR,
        "weight": 1.2,
        "dashArray": VERDICT_DASHES.get(verdict, ""),
        "fill": True,
        "fillOpacity": 0,
    }


def _add_label_layer(level_map: folium.Map, level: LevelResult) -> None:
    """Add the room refs as permanent labels, in an overlay that can be hidden."""
    features = []
    for room in level.rooms:
        if not room.ref or room.geometry.is_empty:
            continue
        properties = {"label": html.escape(room.ref), "has_line": _has_line_marker(room)}
        features.append(_feature(label_anchor(room.geometry), room.room_id, properties))
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=html.escape(_("Room refs")),
        marker=folium.CircleMarker(radius=0, stroke=False, fill=False, interactive=False),
        on_each_feature=BIND_FEATURE_TEXT,
        show=True,
    ).add_to(level_map)


def _add_line_layer(level_map: folium.Map, level: LevelResult) -> None:
    """Add markers on rooms with an analog line and on rooms where one should be installed."""
    features = []
    for room in level.rooms:
        if not _has_line_marker(room):
            continue
        proposed = not room.analog_line
        if proposed:
            tooltip = _("Install an analog line: {room}").format(room=_room_title(room))
        else:
            tooltip = _("Analog line: {room}").format(room=_room_title(room))
        properties = {"proposed": proposed, "tooltip": tooltip, "popup": room_popup_html(room)}
        features.append(_feature(label_anchor(room.geometry), room.room_id, properties))

    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=html.escape(_("Analog lines")),
        marker=folium.CircleMarker(radius=7, fill=True, pane=LINE_PANE),
        style_function=_line_style,
        on_each_feature=BIND_FEATURE_TEXT,
        show=True,
    ).add_to(level_map)


def _has_line_marker(room: RoomResult) -> bool:
    """Return whether the room has an analog line or is recommended one."""
    return room.analog_line or room.recommendation.action == "install_analog_line"


def _line_style(feature: dict) -> dict:
    proposed = feature["properties"]["proposed"]
    return {
        "color": "#000000",
        "weight": 2.5,
        "dashArray": "3 3" if proposed else "",
        "fillColor": LINE_PROPOSED_COLOR if proposed else LINE_EXISTING_COLOR,
        "fillOpacity": 1,
    }


def _feature(geometry: BaseGeometry, room_id: int, properties: dict) -> dict:
    """Return a GeoJSON feature in plan metres, which Leaflet's CRS.Simple draws as it is."""
    return {
        "type": "Feature",
        "id": str(room_id),
        "geometry": shapely.geometry.mapping(geometry),
        "properties": properties,
    }


def _room_title(room: RoomResult) -> str:
    """Return "ref – name" as escaped HTML."""
    if room.name:
        return f"{html.escape(room.ref)} \u2013 {html.escape(room.name)}"
    return html.escape(room.ref)


def _room_tooltip_html(room: RoomResult) -> str:
    verdict = _("Voice verdict: {verdict}").format(verdict=verdict_label(room.voice))
    return f"<b>{_room_title(room)}</b><br>{html.escape(verdict)}"


def room_popup_html(room: RoomResult) -> str:
    """Return the evidence of one room as an escaped HTML fragment for a map popup."""
    return "".join(
        [
            '<div class="zb-popup">',
            f"<h3>{_room_title(room)}</h3>",
            _room_facts_html(room),
            _operator_table_html(room),
            _recommendation_html(room),
            "</div>",
        ]
    )


def _room_facts_html(room: RoomResult) -> str:
    """Return the room's category, criticality, line and shielding as table rows."""
    line = yes_no(room.analog_line)
    if room.analog_line and room.line_number:
        line = f"{line} ({room.line_number})"
    shielded = yes_no(room.shielded)
    if room.shielded and room.attenuation_db is not None:
        shielded = _("yes, attenuation {value} dB").format(value=format_number(room.attenuation_db))
    facts = [
        (_("Category"), category_label(room.category)),
        (_("Criticality"), criticality_label(room.criticality)),
        (_("Area"), f"{format_number(room.area_m2)} m²"),
        (_("Analog line"), line),
        (_("Shielded room"), shielded),
        (_("Samples"), format_number(room.samples, 0)),
        (_("Voice verdict"), verdict_label(room.voice)),
    ]
    rows = "".join(f"<tr><th>{html.escape(name)}</th><td>{html.escape(value)}</td></tr>" for name, value in facts)
    return f"<table>{rows}</table>"


def _operator_table_html(room: RoomResult) -> str:
    """Return the per-operator verdicts as a small table."""
    if not room.verdicts:
        return ""
    headers = [_("Operator"), _("Verdict"), _("Samples"), _("Pass rate"), _("RSRP p10")]
    head = "".join(f"<th>{html.escape(header)}</th>" for header in headers)
    rows = []
    for verdict in room.verdicts:
        p10 = "\u2013" if verdict.rsrp_p10_dbm is None else f"{format_number(verdict.rsrp_p10_dbm)} dBm"
        cells = [
            f"<td>{html.escape(verdict.operator or verdict.plmn)}</td>",
            f"<td>{html.escape(verdict_label(verdict.verdict))}</td>",
            f'<td class="zb-number">{html.escape(format_number(verdict.samples, 0))}</td>',
            f'<td class="zb-number">{html.escape(format_percent(verdict.pass_rate))}</td>',
            f'<td class="zb-number">{html.escape(p10)}</td>',
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    first = room.verdicts[0]
    requirement = _("Reliable needs a pass rate of at least {rate} and at least {samples} samples.").format(
        rate=format_percent(first.required_pass_rate), samples=first.required_samples
    )
    return (
        f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p class="zb-note">{html.escape(requirement)}</p>'
    )


def _recommendation_html(room: RoomResult) -> str:
    """Return the room's recommendation and its reasons."""
    recommendation = room.recommendation
    action = _("Recommendation: {action}").format(action=action_label(recommendation.action))
    text = f"<p><b>{html.escape(action)}</b>"
    if recommendation.line_room_ref:
        nearest = _("nearest line in {room}").format(room=recommendation.line_room_ref)
        if recommendation.distance_m is not None:
            nearest += f", {format_number(recommendation.distance_m)} m"
        text += f" ({html.escape(nearest)})"
    text += "</p>"
    if recommendation.reasons:
        items = "".join(f"<li>{html.escape(reason)}</li>" for reason in recommendation.reasons)
        text += f"<ul>{items}</ul>"
    return text


def _title_html(analysis: SiteAnalysis, level: LevelResult) -> str:
    """Return the title panel: site, building, level and survey dates."""
    place = " \u2013 ".join(html.escape(part) for part in (level.building, level.name) if part)
    dates = html.escape(_("Survey dates: {dates}").format(dates=survey_dates_text(analysis)))
    note = html.escape(_("Click a room for its evidence. Works offline."))
    return (
        f'<div class="zb-panel zb-title"><h1>{html.escape(analysis.site_name)}</h1>'
        f"<p>{place}</p><p>{dates}</p><p>{note}</p></div>"
    )


def _legend_html(technology: str = "lte", metric: str = "signal_dbm") -> str:
    """Return the legend panel: verdict colours, signal classes and line markers."""
    verdicts = "".join(
        f'<li><span class="zb-swatch{" zb-dashed" if VERDICT_DASHES[verdict] else ""}" '
        f'style="background:{VERDICT_COLORS[verdict]}"></span>{html.escape(verdict_label(verdict))}</li>'
        for verdict in VERDICT_COLORS
    )
    ranges = dict(class_ranges(display_thresholds(technology, metric), "dBm"))
    ranges["none"] = _("{range} or no service").format(range=ranges["none"])
    classes = "".join(
        f'<li><span class="zb-swatch" style="background:{COVERAGE_COLORS[level]}"></span>'
        f"{html.escape(labelled(coverage_label(level), ranges[level]))}</li>"
        for level in reversed(COVERAGE_LEVELS)
    )
    existing, proposed = html.escape(_("existing analog line")), html.escape(_("analog line to install"))
    lines = (
        f'<li><span class="zb-dot" style="background:{LINE_EXISTING_COLOR}"></span>{existing}</li>'
        f'<li><span class="zb-dot zb-proposed" style="background:{LINE_PROPOSED_COLOR}"></span>{proposed}</li>'
    )
    titles = {
        "verdict": html.escape(_("Voice verdict")),
        "signal": html.escape(
            _("Signal ({technology} thresholds, dBm)").format(technology=TECHNOLOGY_NAMES[technology])
        ),
        "lines": html.escape(_("Analog lines")),
    }
    unmeasured = html.escape(_("Rooms without colour were not measured."))
    return (
        '<div class="zb-panel zb-legend">'
        f"<h2>{titles['verdict']}</h2><ul>{verdicts}</ul>"
        f"<h2>{titles['signal']}</h2><ul>{classes}</ul>"
        f"<p>{unmeasured}</p>"
        f"<h2>{titles['lines']}</h2><ul>{lines}</ul>"
        "</div>"
    )
