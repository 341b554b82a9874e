"""The data of one level's web map layers, built once and shared by the site map and the level map.

A :class:`LevelContent` contains GeoJSON features with their escaped popups and labels, the
heatmaps as PNG data URLs and the sample points as JSON. Building it is most of the work of a
map, so :class:`maps.outputs.SiteRenderer` keeps it for every map it draws.
"""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass

import shapely
from PIL import Image
from shapely.geometry.base import BaseGeometry

from maps.geometry import label_anchor
from maps.grids import LevelGrids, display_technology
from maps.heatmap import grid_rgba
from maps.lines import FixedLine, level_lines, line_by_room
from maps.points import level_points
from maps.popups import escape, room_popup_html, room_title_html, room_tooltip_html
from survey.i18n import _
from survey.results import LevelResult, SiteAnalysis


@dataclass(frozen=True)
class HeatmapOverlay:
    """A heatmap image as a PNG data URL and its bounds [[y_min, x_min], [y_max, x_max]] in metres."""

    url: str
    bounds: list[list[float]]


@dataclass
class LevelContent:
    """The layers' data of one level: features, heatmaps by (PLMN, metric) and sample points."""

    level: LevelResult
    lines: list[FixedLine]
    fill_features: list[dict]
    room_features: list[dict]
    label_features: list[dict]
    line_features: list[dict]
    door_features: list[dict]
    heatmaps: dict[tuple[str | None, str], HeatmapOverlay | None]
    points_json: str
    point_count: int


def script_json(value: object) -> str:
    """Return ``value`` as JSON that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


def level_content(
    analysis: SiteAnalysis, level: LevelResult, grids: LevelGrids, heatmap_keys: list[tuple[str | None, str]]
) -> LevelContent:
    """Build the layers' data of one level; ``heatmap_keys`` are the (PLMN, metric) pairs drawn."""
    lines = level_lines(level)
    points = level_points(level, [plmn for plmn, _name in analysis.operators])
    content = LevelContent(
        level=level,
        lines=lines,
        fill_features=_fill_features(level),
        room_features=_room_features(level, lines),
        label_features=_label_features(level, lines),
        line_features=_line_features(lines),
        door_features=[feature(door, index, {}) for index, door in enumerate(level.doors) if not door.is_empty],
        heatmaps={key: _heatmap_overlay(grids, *key) for key in heatmap_keys},
        points_json=script_json(points),
        point_count=points["count"],
    )
    _check_template_safe(content)
    return content


def _check_template_safe(content: LevelContent) -> None:
    """Raise ValueError when a feature contains Jinja syntax, which folium would evaluate."""
    for features in (content.fill_features, content.room_features, content.label_features, content.line_features):
        text = json.dumps(features, ensure_ascii=False)
        for token in ("{{", "{%", "{#"):
            if token in text:
                raise ValueError(
                    f"map layer data of level {content.level.level_id} contains {token!r}, which folium would "
                    "evaluate as a template; escape the text with maps.popups.escape"
                )


def feature(geometry: BaseGeometry, room_id: int, properties: dict) -> dict:
    """Return a GeoJSON feature in plan metres, which Leaflet's CRS.Simple draws as it is."""
    return {
        "type": "Feature",
        "id": str(room_id),
        "geometry": shapely.geometry.mapping(geometry),
        "properties": properties,
    }


def _fill_features(level: LevelResult) -> list[dict]:
    """Return the rooms with their combined (``all``) and per-operator verdicts."""
    features = []
    for room in level.rooms:
        verdicts = {"all": room.voice}
        verdicts.update({verdict.plmn: verdict.verdict for verdict in room.verdicts})
        features.append(feature(room.geometry, room.room_id, {"verdicts": verdicts}))
    return features


def _room_features(level: LevelResult, lines: list[FixedLine]) -> list[dict]:
    """Return the room outlines with each room's popup of evidence and hover text."""
    own_lines = line_by_room(lines)
    return [
        feature(
            room.geometry,
            room.room_id,
            {
                "verdict": room.voice,
                "popup": room_popup_html(room, own_lines.get(room.ref)),
                "tooltip": room_tooltip_html(room),
            },
        )
        for room in level.rooms
    ]


def _label_features(level: LevelResult, lines: list[FixedLine]) -> list[dict]:
    """Return one point per room ref, with the room's size so the page can hide refs that overflow."""
    with_line = {line.room.ref for line in lines}
    features = []
    for room in level.rooms:
        if not room.ref or room.geometry.is_empty:
            continue
        x_min, y_min, x_max, y_max = room.geometry.bounds
        properties = {
            "label": escape(room.ref),
            "has_line": room.ref in with_line,
            "chars": len(room.ref),
            "size_m": [round(x_max - x_min, 2), round(y_max - y_min, 2)],
        }
        features.append(feature(label_anchor(room.geometry), room.room_id, properties))
    return features


def _line_features(lines: list[FixedLine]) -> list[dict]:
    """Return one point per fixed line with its number, status, hover text and popup."""
    features = []
    for line in lines:
        room = line.room
        if line.proposed:
            tooltip = _("Line {number} to install: {room}").format(number=line.number, room=room_title_html(room))
        else:
            tooltip = _("Line {number}: {room}").format(number=line.number, room=room_title_html(room))
        properties = {
            "number": line.number,
            "proposed": line.proposed,
            "tooltip": tooltip,
            "popup": room_popup_html(room, line),
        }
        features.append(feature(shapely.Point(line.x_m, line.y_m), room.room_id, properties))
    return features


def _heatmap_overlay(grids: LevelGrids, plmn: str | None, metric: str) -> HeatmapOverlay | None:
    """Return one grid as a PNG data URL with its bounds, or None for a level without rooms."""
    grid = grids.grid(plmn, metric)
    if grid is None:
        return None
    buffer = io.BytesIO()
    Image.fromarray(grid_rgba(grid, display_technology(metric), metric), mode="RGBA").save(buffer, format="PNG")
    x_min, x_max, y_min, y_max = grid.extent
    url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return HeatmapOverlay(url, [[float(y_min), float(x_min)], [float(y_max), float(x_max)]])
