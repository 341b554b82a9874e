"""DXF drawings (the CAD export of a hospital's DWG plans), read with ezdxf.

Rooms are the closed shapes of one layer, which the planner names (``--layer``): closed
LWPOLYLINE and POLYLINE outlines, and HATCH fills whose inner boundaries become holes. Arcs
and bulges are flattened to within 0.1 % of each shape's size. Labels are the TEXT, MTEXT and
block ATTRIB values whose insertion point lies inside a room, taken from the label layer that
labels the most rooms; the first label is the room's ref and the others its name. A room with
no label inside takes the nearest unused label within 1 m, else a ref made from the layer and
the entity handle, reported as a warning.

Doors are the lines, arcs and polylines of the door layers (``--door-layer``, else every layer
whose name has the word door or porte, such as ``DOORS`` or ``A-DOOR``) and the block references
whose block name has one of those words, on any layer, at their insertion point.

DXF coordinates have no unit of their own: the header ``$INSUNITS`` gives it, but converters
often write metres for drawings in millimetres. The median room area decides: when the header
unit gives an implausible median (outside 1–1,000 m²) and millimetres, centimetres or metres
give a plausible one, that unit is used and the change is reported; ``--units`` forces a unit.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import PurePath

import ezdxf
import numpy as np
import shapely
from ezdxf import bbox, recover
from ezdxf.entities import DXFGraphic
from ezdxf.lldxf.const import DXFStructureError
from ezdxf.path import from_hatch, make_path
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from survey.categories import category_from_label
from survey.errors import FormatError, InputError
from survey.i18n import _
from survey.plans.base import ImportedLevel, ImportedRoom, PlanOptions

logger = logging.getLogger(__name__)

# $INSUNITS codes of the units the check can choose, with their size in metres.
UNIT_CODES = {"mm": 4, "cm": 5, "m": 6}
UNIT_METRES = {0: None, 1: 0.0254, 2: 0.3048, 4: 0.001, 5: 0.01, 6: 1.0, 14: 0.1}
UNIT_NAMES = {1: "in", 2: "ft", 4: "mm", 5: "cm", 6: "m", 14: "dm"}
PLAUSIBLE_MEDIAN_M2 = (1.0, 1000.0)
LABEL_SEARCH_M = 1.0
FLATTENING_SHARE = 0.001
ROOM_TYPES = ("LWPOLYLINE", "POLYLINE", "HATCH")
DOOR_TYPES = ("LINE", "LWPOLYLINE", "POLYLINE", "ARC", "CIRCLE", "ELLIPSE", "SPLINE")
# A layer or block name with one of these words (English, French), split on non-letters.
DOOR_WORDS = re.compile(r"(?<![a-z])(doors?|portes?)(?![a-z])", re.IGNORECASE)
REF_TAGS = ("REF", "NUMBER", "NUM", "NO", "NUMERO", "ROOM_NUMBER", "ROOMNUMBER", "ID", "CODE")
NAME_TAGS = ("NAME", "NOM", "ROOM", "ROOM_NAME", "ROOMNAME", "DESIGNATION", "LIBELLE", "USAGE")


@dataclass
class _Label:
    text: str
    point: Point
    layer: str
    role: str  # "ref", "name" or "any"


def looks_like(data: bytes) -> bool:
    """Tell whether the bytes look like an ASCII or binary DXF file."""
    if data.startswith(b"AutoCAD Binary DXF"):
        return True
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"0") and b"SECTION" in head[:200]


def read(data: bytes, filename: str, options: PlanOptions) -> list[ImportedLevel]:
    """Read the rooms of a DXF drawing into one level in plan metres.

    Raises
    ------
    FormatError
        The file cannot be read as DXF; no ``--layer`` was given (the message lists the
        layers with their number of closed shapes); the layer does not exist.
    """
    document = _load(data, filename)
    modelspace = document.modelspace()
    counts = _closed_shape_counts(modelspace)
    layer = _chosen_layer(options.layer, counts, filename)

    level = ImportedLevel(name=PurePath(filename).stem or None, ordinal=None, building=None, rooms=[])
    shapes = _read_shapes(modelspace, layer, level)
    factor, unit_name = _unit_factor(document, shapes, options.units, level)
    geometries = [shapely.affinity.scale(geometry, factor, factor, origin=(0, 0)) for _handle, geometry in shapes]

    labels = _read_labels(modelspace, factor)
    label_layer = _attach_labels(level, shapes, geometries, labels, layer)
    door_layers = _door_layers(modelspace, options.door_layer, filename)
    level.doors = _read_doors(modelspace, door_layers, factor)
    level.source = {
        "label_layer": label_layer,
        "format": "dxf",
        "layer": layer,
        "door_layers": door_layers,
        "units": unit_name,
        "closed_shapes": len(shapes),
        "labelled": sum(1 for room in level.rooms if not room.ref.startswith(f"{layer}-")),
    }
    logger.info("%s: %d rooms on layer %s in %s", filename, len(level.rooms), layer, unit_name)
    return [level]


def _load(data: bytes, filename: str) -> ezdxf.document.Drawing:
    try:
        document, auditor = recover.read(io.BytesIO(data))
    except (DXFStructureError, UnicodeDecodeError, ValueError) as error:
        raise FormatError(
            _("the file cannot be read as DXF: {error}").format(error=error),
            file=filename,
            fix=_("export the drawing from the CAD program as DXF (any version from R12)"),
        ) from None
    if auditor.has_errors:
        logger.warning("%s: %d DXF errors repaired while reading", filename, len(auditor.errors))
    return document


def _closed_shape_counts(modelspace) -> Counter:
    counts: Counter = Counter()
    for entity in modelspace:
        if _is_closed_shape(entity):
            counts[entity.dxf.layer] += 1
    return counts


def _is_closed_shape(entity: DXFGraphic) -> bool:
    kind = entity.dxftype()
    if kind == "LWPOLYLINE":
        return bool(entity.closed) or _ends_meet(list(entity.vertices()))
    if kind == "POLYLINE":
        return entity.is_2d_polyline and (entity.is_closed or _ends_meet([vertex.dxf.location for vertex in entity.vertices]))
    return kind == "HATCH"


def _ends_meet(points: list) -> bool:
    return len(points) >= 4 and tuple(points[0])[:2] == tuple(points[-1])[:2]


def _chosen_layer(requested: str | None, counts: Counter, filename: str) -> str:
    candidates = ", ".join(_("{layer} ({count} closed shapes)").format(layer=layer, count=count) for layer, count in counts.most_common())
    if requested is None or requested not in counts:
        message = (
            _("choose the layer of the room outlines") if requested is None else _("the layer {layer!r} has no closed shape").format(layer=requested)
        )
        raise FormatError(
            message + ": " + (candidates or _("the drawing has no closed shape")),
            file=filename,
            column="--layer",
            value=requested,
            fix=_("import again with --layer NAME, where NAME is the layer holding one closed outline per room"),
        )
    return requested


def _read_shapes(modelspace, layer: str, level: ImportedLevel) -> list[tuple[str, BaseGeometry]]:
    """Return (handle, polygon in drawing units) for each closed shape on the layer."""
    shapes = []
    for entity in modelspace.query(f'*[layer=="{layer}"]'):
        if not _is_closed_shape(entity):
            if entity.dxftype() in ROOM_TYPES:
                level.skip(entity.dxf.handle, None, _("{type} is not closed").format(type=entity.dxftype()))
            continue
        geometry = _hatch_polygon(entity) if entity.dxftype() == "HATCH" else _outline_polygon(entity)
        if geometry is None:
            level.skip(entity.dxf.handle, None, _("{type} has fewer than three distinct points").format(type=entity.dxftype()))
            continue
        shapes.append((entity.dxf.handle, geometry))
    return shapes


def _door_layers(modelspace, requested: str | None, filename: str) -> list[str]:
    """Return the layers whose entities are doors: the requested one, else those named like doors."""
    layers = sorted({entity.dxf.layer for entity in modelspace})
    if requested is None:
        return [layer for layer in layers if DOOR_WORDS.search(layer)]
    if requested not in layers:
        raise FormatError(
            _("the layer {layer!r} is not in the drawing").format(layer=requested),
            file=filename,
            column="--door-layer",
            value=requested,
            fix=_("give one of the drawing's layers: {layers}").format(layers=", ".join(layers)),
        )
    return [requested]


def _read_doors(modelspace, door_layers: list[str], factor: float) -> list[BaseGeometry]:
    """Return the doors in plan metres: door-layer shapes as lines, door blocks as points."""
    doors = []
    for entity in modelspace:
        kind = entity.dxftype()
        if kind == "INSERT" and DOOR_WORDS.search(entity.dxf.name):
            x, y, _z = entity.dxf.insert
            doors.append(Point(x * factor, y * factor))
        elif kind in DOOR_TYPES and entity.dxf.layer in door_layers:
            points = [(vertex.x * factor, vertex.y * factor) for vertex in make_path(entity).flattening(_flattening_distance(entity))]
            if len(set(points)) >= 2:
                doors.append(LineString(points))
    return doors


def _flattening_distance(entity: DXFGraphic) -> float:
    extents = bbox.extents([entity], fast=True)
    size = max(extents.size.x, extents.size.y) if extents.has_data else 1.0
    return max(size * FLATTENING_SHARE, 1e-9)


def _outline_polygon(entity: DXFGraphic) -> BaseGeometry | None:
    points = [(vertex.x, vertex.y) for vertex in make_path(entity).flattening(_flattening_distance(entity))]
    if len(set(points)) < 3:
        return None
    return Polygon(points)


def _hatch_polygon(hatch: DXFGraphic) -> BaseGeometry | None:
    """Build the area of a hatch: boundaries combined even-odd, so inner boundaries are holes."""
    distance = _flattening_distance(hatch)
    rings = []
    for path in from_hatch(hatch):
        points = [(vertex.x, vertex.y) for vertex in path.flattening(distance)]
        if len(set(points)) >= 3:
            rings.append(shapely.make_valid(Polygon(points)))
    if not rings:
        return None
    area = rings[0]
    for ring in rings[1:]:
        area = area.symmetric_difference(ring)
    return area


def _unit_factor(document, shapes: list, forced: str | None, level: ImportedLevel) -> tuple[float, str]:
    """Return the drawing unit's size in metres and its name, checked against room areas."""
    if forced is not None:
        if forced not in UNIT_CODES:
            raise InputError(_("unknown units {units!r}").format(units=forced), column="--units", value=forced, fix=_("use m, cm or mm"))
        factor = UNIT_METRES[UNIT_CODES[forced]]
        median = _median_area(shapes, factor)
        if not _plausible(median):
            level.warn("units", None, _("with --units {units} the median room measures {area:,.2f} m²; check the units").format(units=forced, area=median))
        return factor, forced

    code = int(document.header.get("$INSUNITS", 0) or 0)
    header_factor = UNIT_METRES.get(code)
    header_name = UNIT_NAMES.get(code, str(code))
    if header_factor is not None and _plausible(_median_area(shapes, header_factor)):
        return header_factor, header_name

    for name in ("mm", "cm", "m"):
        factor = UNIT_METRES[UNIT_CODES[name]]
        if _plausible(_median_area(shapes, factor)):
            median = _median_area(shapes, header_factor or 1.0)
            level.warn(
                "units",
                None,
                _("$INSUNITS says {header}, which makes the median room {area:,.0f} m²; the drawing was read in {units} (force with --units)").format(
                    header=header_name if header_factor else _("unitless"), area=median, units=name
                ),
            )
            return factor, name
    level.warn("units", None, _("no unit gives plausible room areas; the drawing was read in metres (force with --units)"))
    return header_factor or 1.0, header_name if header_factor else "m"


def _median_area(shapes: list, factor: float) -> float:
    if not shapes:
        return 0.0
    return float(np.median([geometry.area for _handle, geometry in shapes])) * factor * factor


def _plausible(median_m2: float) -> bool:
    low, high = PLAUSIBLE_MEDIAN_M2
    return low <= median_m2 <= high


# --- labels --------------------------------------------------------------------------------


def _read_labels(modelspace, factor: float) -> list[_Label]:
    labels = []
    for entity in modelspace.query("TEXT MTEXT INSERT"):
        kind = entity.dxftype()
        if kind == "TEXT":
            labels.append(_label(entity.dxf.text, entity.ocs().to_wcs(entity.dxf.insert), entity.dxf.layer, "any", factor))
        elif kind == "MTEXT":
            labels.append(_label(entity.plain_text(split=False), entity.dxf.insert, entity.dxf.layer, "any", factor))
        else:
            labels.extend(_attribute_labels(entity, factor))
    return [label for label in labels if label.text]


def _label(text: str, point, layer: str, role: str, factor: float) -> _Label:
    clean = re.sub(r"\s+", " ", text or "").strip()
    return _Label(clean, Point(point[0] * factor, point[1] * factor), layer, role)


def _attribute_labels(insert: DXFGraphic, factor: float) -> list[_Label]:
    """Read a room stamp: the ATTRIB values of a block reference, placed at its base point."""
    base = insert.ocs().to_wcs(insert.dxf.insert)
    labels = []
    for attrib in insert.attribs:
        tag = attrib.dxf.tag.upper()
        role = "ref" if tag in REF_TAGS else "name" if tag in NAME_TAGS else "any"
        labels.append(_label(attrib.dxf.text, base, insert.dxf.layer, role, factor))
    return labels


def _attach_labels(level: ImportedLevel, shapes: list, geometries: list[BaseGeometry], labels: list[_Label], layer: str) -> str | None:
    """Give each room its labels; return the label layer used."""
    inside = _labels_inside(geometries, labels)
    label_layer = _best_label_layer(inside, labels)
    used: set[int] = set()
    for index, ((handle, _geometry), geometry) in enumerate(zip(shapes, geometries)):
        own = [labels[number] for number in inside.get(index, []) if labels[number].layer == label_layer]
        used.update(number for number in inside.get(index, []) if labels[number].layer == label_layer)
        if not own:
            own = _nearest_label(geometry, labels, label_layer, inside, used)
        ref, name = _ref_and_name(own)
        if not ref:
            ref = f"{layer}-{handle}"
            level.warn("label", ref, _("no label inside the room; its ref is made from the layer and the drawing handle"))
        level.rooms.append(
            ImportedRoom(ref=ref, geometry=geometry, name=name, category=category_from_label(f"{name} {ref}") or "other", source_id=handle)
        )
    return label_layer


def _labels_inside(geometries: list[BaseGeometry], labels: list[_Label]) -> dict[int, list[int]]:
    """Return, per room index, the indexes of the labels whose point lies inside it."""
    if not labels or not geometries:
        return {}
    tree = shapely.STRtree(geometries)
    label_index, room_index = tree.query(np.array([label.point for label in labels], dtype=object), predicate="within")
    inside: dict[int, list[int]] = defaultdict(list)
    for label_number, room_number in sorted(zip(label_index, room_index)):
        inside[int(room_number)].append(int(label_number))
    return inside


def _best_label_layer(inside: dict[int, list[int]], labels: list[_Label]) -> str | None:
    rooms_per_layer: Counter = Counter()
    for numbers in inside.values():
        for layer in {labels[number].layer for number in numbers}:
            rooms_per_layer[layer] += 1
    return rooms_per_layer.most_common(1)[0][0] if rooms_per_layer else None


def _nearest_label(geometry: BaseGeometry, labels: list[_Label], layer: str | None, inside: dict, used: set[int]) -> list[_Label]:
    inside_any = {number for numbers in inside.values() for number in numbers}
    best, best_distance = None, LABEL_SEARCH_M
    for number, label in enumerate(labels):
        if label.layer != layer or number in inside_any or number in used:
            continue
        distance = geometry.distance(label.point)
        if distance <= best_distance:
            best, best_distance = number, distance
    if best is None:
        return []
    used.add(best)
    return [labels[best]]


def _ref_and_name(labels: list[_Label]) -> tuple[str, str]:
    refs = [label.text for label in labels if label.role == "ref"]
    names = [label.text for label in labels if label.role == "name"]
    others = [label.text for label in labels if label.role == "any"]
    ordered = refs + others
    if not ordered and names:
        ordered, names = names[:1], names[1:]
    if not ordered:
        return "", ""
    return ordered[0], " ".join(names + ordered[1:])
