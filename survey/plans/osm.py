"""OpenStreetMap indoor plans (Simple Indoor Tagging): OSM XML and OSM GeoJSON.

Read: closed ways and multipolygon relations tagged ``indoor=room``, ``indoor=corridor`` or
``indoor=area`` (corridors stay polygons), and closed elevator shafts tagged ``highway=elevator``
or ``room=elevator``; ``indoor=level`` features give each level's outline and name. Doors are
nodes or ways tagged ``door=*`` (other than ``no``) or ``indoor=door``; in OSM XML, a door node
without a ``level`` tag takes the levels of the indoor spaces whose outlines pass through it. XML from
Overpass ``out geom`` carries node coordinates in each way; plain OSM XML with ``<node>``
elements works too. GeoJSON may come from osm2geojson (``properties.tags``) or overpass turbo
(tags as properties); closed LineStrings of indoor spaces are turned back into polygons, since
converters that follow iD's area rules write corridors as lines.

``level`` and ``repeat_on`` may list levels (``0;1``) and ranges (``-1-2``, ``-3--1``); a
feature is filed under every level it lists. Its ref is its ``ref`` tag, else ``osm-w<id>`` or
``osm-r<id>``, with ``@<level>`` added when it lies on several levels.
"""

from __future__ import annotations

import json
import logging
import math
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

import shapely
from shapely.geometry import LineString, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from survey.categories import category_from_osm
from survey.errors import FormatError
from survey.i18n import _
from survey.plans.base import ImportedLevel, ImportedRoom
from survey.plans.geojson import GEOMETRY_ERRORS, load_document
from survey.plans.georeference import project_levels

logger = logging.getLogger(__name__)

SPACE_VALUES = ("room", "corridor", "area")
LEVEL_RANGE = re.compile(r"^(-?\d+)-(-?\d+)$")


@dataclass
class OsmFeature:
    """One OSM way or relation with its tags and its geometry in WGS84 (None when unreadable)."""

    source_id: str
    tags: dict[str, str]
    geometry: BaseGeometry | None


def looks_like_xml(data: bytes) -> bool:
    """Tell whether the bytes are OSM XML."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<?xml") and b"<osm" in head or head.startswith(b"<osm")


def looks_like_geojson(document: dict) -> bool:
    """Tell whether a GeoJSON FeatureCollection contains OpenStreetMap indoor features."""
    for feature in (document.get("features") or [])[:200]:
        if isinstance(feature, dict) and "indoor" in _geojson_tags(feature.get("properties") or {}):
            return True
    return False


def parse_levels(value: str | None) -> list[str]:
    """Expand an OSM ``level`` or ``repeat_on`` value into its levels.

    ``"0;1"`` gives ``["0", "1"]``, ``"-1-2"`` gives ``["-1", "0", "1", "2"]``, ``"-3--1"``
    gives ``["-3", "-2", "-1"]``; decimal levels such as ``"0.5"`` (mezzanines) are kept.
    Values that are not numbers are returned as they are.
    """
    levels: list[str] = []
    for part in (value or "").split(";"):
        part = part.strip()
        match = LEVEL_RANGE.match(part)
        if match:
            start, end = sorted((int(match.group(1)), int(match.group(2))))
            levels.extend(str(number) for number in range(start, end + 1))
        elif part:
            levels.append(part)
    return list(dict.fromkeys(levels))


def _level_ordinal(level: str) -> int | None:
    try:
        return math.floor(float(level))
    except ValueError:
        return None


# --- reading the sources -------------------------------------------------------------------


def read_xml(data: bytes, filename: str) -> list[ImportedLevel]:
    """Read OSM XML (Overpass ``out geom`` or plain) into levels of rooms in plan metres."""
    try:
        root = ElementTree.fromstring(data)
    except (LookupError, ValueError) as error:
        # An unknown encoding in the XML declaration, or bytes that do not decode with it.
        raise FormatError(_("the file is not valid OSM XML: {error}").format(error=error), file=filename) from None
    except ElementTree.ParseError as error:
        raise FormatError(
            _("the file is not valid OSM XML: {error}").format(error=error),
            file=filename,
            line=error.position[0],
            column=str(error.position[1]),
        ) from None
    nodes = {node.get("id"): (float(node.get("lon")), float(node.get("lat"))) for node in root.iter("node") if node.get("lat")}
    features = [_xml_way(way, nodes) for way in root.iter("way")]
    features += [_xml_relation(relation, nodes) for relation in root.iter("relation")]
    features += _xml_door_nodes(root, nodes)
    return _levels_from_features(features, filename, "osm-xml")


def _xml_door_nodes(root: ElementTree.Element, nodes: dict) -> list[OsmFeature]:
    """Return the door nodes; one without a level tag takes the levels of the spaces around it."""
    doors = [node for node in root.iter("node") if node.get("id") in nodes and _is_door(_tags(node))]
    if not doors:
        return []
    space_levels: dict[str, set[str]] = {}
    for way in root.iter("way"):
        tags = _tags(way)
        if _is_space(tags):
            for node in way.findall("nd"):
                space_levels.setdefault(node.get("ref"), set()).add(tags.get("level", ""))
    features = []
    for node in doors:
        tags = _tags(node)
        if not tags.get("level"):
            found = sorted(value for value in space_levels.get(node.get("id"), ()) if value)
            if found:
                tags["level"] = ";".join(found)
        features.append(OsmFeature(f"osm-n{node.get('id')}", tags, Point(nodes[node.get("id")])))
    return features


def read_geojson(data: bytes, filename: str) -> list[ImportedLevel]:
    """Read an OSM GeoJSON FeatureCollection into levels of rooms in plan metres."""
    document = load_document(data, filename)
    features = []
    for index, feature in enumerate(document.get("features") or []):
        if not isinstance(feature, dict):
            continue
        properties = feature.get("properties") or {}
        source_id = _geojson_source_id(properties, feature.get("id"), index)
        geometry = None
        if isinstance(feature.get("geometry"), dict):
            try:
                geometry = shape(feature["geometry"])
            except GEOMETRY_ERRORS:
                geometry = None
        features.append(OsmFeature(source_id, _geojson_tags(properties), _closed_line_as_polygon(geometry)))
    return _levels_from_features(features, filename, "osm-geojson")


def _geojson_tags(properties: dict) -> dict[str, str]:
    tags = properties.get("tags")
    if isinstance(tags, dict):
        return {str(key): str(value) for key, value in tags.items()}
    return {str(key): str(value) for key, value in properties.items() if not str(key).startswith("@") and key not in ("id", "type")}


def _geojson_source_id(properties: dict, feature_id: object, index: int) -> str:
    osm_type = properties.get("type")
    osm_id = properties.get("id")
    if osm_type in ("way", "relation") and osm_id is not None:
        return f"osm-{osm_type[0]}{osm_id}"
    text = str(properties.get("@id") or feature_id or "")
    match = re.match(r"^(way|relation)/(\d+)$", text)
    return f"osm-{match.group(1)[0]}{match.group(2)}" if match else f"osm-feature{index}"


def _closed_line_as_polygon(geometry: BaseGeometry | None) -> BaseGeometry | None:
    if isinstance(geometry, LineString) and geometry.is_closed and len(geometry.coords) >= 4:
        return Polygon(geometry.coords)
    return geometry


def _tags(element: ElementTree.Element) -> dict[str, str]:
    return {tag.get("k"): tag.get("v") for tag in element.findall("tag")}


def _coordinates(element: ElementTree.Element, nodes: dict) -> list[tuple[float, float]]:
    points = []
    for node in element.findall("nd"):
        if node.get("lat") is not None:
            points.append((float(node.get("lon")), float(node.get("lat"))))
        elif node.get("ref") in nodes:
            points.append(nodes[node.get("ref")])
    return points


def _xml_way(way: ElementTree.Element, nodes: dict) -> OsmFeature:
    points = _coordinates(way, nodes)
    closed = len(points) >= 4 and points[0] == points[-1]
    geometry = Polygon(points) if closed else (LineString(points) if len(points) >= 2 else None)
    return OsmFeature(f"osm-w{way.get('id')}", _tags(way), geometry)


def _xml_relation(relation: ElementTree.Element, nodes: dict) -> OsmFeature:
    """Assemble a multipolygon relation from its members' rings (outer minus inner)."""
    tags = _tags(relation)
    source_id = f"osm-r{relation.get('id')}"
    if tags.get("type") != "multipolygon":
        return OsmFeature(source_id, tags, None)
    rings: dict[str, list[LineString]] = {"outer": [], "inner": []}
    for member in relation.findall("member"):
        points = _coordinates(member, nodes)
        if member.get("type") == "way" and len(points) >= 2:
            rings["inner" if member.get("role") == "inner" else "outer"].append(LineString(points))
    outer = shapely.union_all(list(shapely.polygonize(rings["outer"]).geoms)) if rings["outer"] else None
    if outer is None or outer.is_empty:
        return OsmFeature(source_id, tags, None)
    if rings["inner"]:
        outer = outer.difference(shapely.union_all(list(shapely.polygonize(rings["inner"]).geoms)))
    return OsmFeature(source_id, tags, outer)


# --- from features to levels ---------------------------------------------------------------


def _levels_from_features(features: list[OsmFeature], filename: str, source_format: str) -> list[ImportedLevel]:
    levels: dict[str, ImportedLevel] = {}
    ignored = 0
    for feature in features:
        if feature.tags.get("indoor") == "level":
            _add_outline(levels, feature)
        elif _is_space(feature.tags):
            _add_space(levels, feature)
        elif _is_door(feature.tags) and feature.geometry is not None:
            _add_door(levels, feature)
        else:
            ignored += 1

    result = sorted((level for level in levels.values() if level.rooms or level.skipped), key=_level_sort_key)
    if not result:
        raise FormatError(
            _("no indoor room, corridor or area with a level tag was found"),
            file=filename,
            fix=_("export ways tagged indoor=room, indoor=corridor or indoor=area with their level tag"),
        )
    for level in result:
        level.source = {"format": source_format, "features": len(features), "ignored_features": ignored}
    project_levels(result)
    logger.info("%s: %d OSM levels, %d rooms", filename, len(result), sum(len(level.rooms) for level in result))
    return result


def _is_space(tags: dict[str, str]) -> bool:
    return tags.get("indoor") in SPACE_VALUES or tags.get("highway") == "elevator" or tags.get("room") == "elevator"


def _is_door(tags: dict[str, str]) -> bool:
    return tags.get("door", "no") != "no" or tags.get("indoor") == "door"


def _level_sort_key(level: ImportedLevel) -> tuple[int, str]:
    return (level.ordinal if level.ordinal is not None else 0, level.name or "")


def _level(levels: dict[str, ImportedLevel], value: str) -> ImportedLevel:
    if value not in levels:
        levels[value] = ImportedLevel(name=value, ordinal=_level_ordinal(value), building=None, rooms=[])
    return levels[value]


def _add_outline(levels: dict[str, ImportedLevel], feature: OsmFeature) -> None:
    if feature.geometry is None or feature.geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return
    for value in parse_levels(feature.tags.get("level")):
        level = _level(levels, value)
        level.outline = feature.geometry if level.outline is None else shapely.union(level.outline, feature.geometry)
        level.name = feature.tags.get("level:ref") or feature.tags.get("name") or level.name


def _feature_levels(tags: dict[str, str]) -> list[str]:
    """Return the levels a feature lies on, from ``level`` and ``repeat_on``, without repeats."""
    return list(dict.fromkeys(parse_levels(tags.get("level")) + parse_levels(tags.get("repeat_on"))))


def _add_door(levels: dict[str, ImportedLevel], feature: OsmFeature) -> None:
    values = _feature_levels(feature.tags)
    if not values:
        _level(levels, "?").skip(feature.source_id, None, _("door without a level tag"))
    for value in values:
        _level(levels, value).doors.append(feature.geometry)


def _add_space(levels: dict[str, ImportedLevel], feature: OsmFeature) -> None:
    values = _feature_levels(feature.tags)
    base_ref = (feature.tags.get("ref") or "").strip() or feature.source_id
    if not values:
        # Filed under a level named "?" so that the report shows it; nothing is stored there.
        _level(levels, "?").skip(feature.source_id, base_ref, _("no level tag"))
        return
    for value in values:
        level = _level(levels, value)
        ref = base_ref if len(values) == 1 else f"{base_ref}@{value}"
        if feature.geometry is None:
            level.skip(feature.source_id, ref, _("missing or unreadable geometry"))
            continue
        level.rooms.append(
            ImportedRoom(
                ref=ref,
                geometry=feature.geometry,
                name=feature.tags.get("name", ""),
                category=category_from_osm(feature.tags),
                source_id=feature.source_id,
            )
        )
