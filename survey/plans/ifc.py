"""IFC building models (BIM): storeys become levels and IfcSpace footprints become rooms.

Needs ifcopenshell, an optional extra of about 200 MB: ``pip install zoneblanche[ifc]``.
Each space's solid is triangulated in world coordinates and its triangles, projected on the
horizontal plane, are merged into its footprint, in metres whatever the model's length unit.
``Name`` is the room's ref (the room number) and ``LongName`` its name. Storeys are ordered by
elevation: the storey nearest to elevation 0 gets ordinal 0, those above 1, 2…, those below
−1, −2…. Storeys without a space are reported and not created. Each IfcDoor of a storey with
spaces becomes a door of its level: the outline of its solid seen from above. A gzip-compressed
file is read as well.
"""

from __future__ import annotations

import gzip
import logging
import zlib

import numpy as np
import shapely

from survey.categories import category_from_label
from survey.errors import FormatError
from survey.i18n import _
from survey.plans.base import ImportedLevel, ImportedRoom

logger = logging.getLogger(__name__)

INSTALL_COMMAND = "pip install 'zoneblanche[ifc]'"
MIN_TRIANGLE_M2 = 1e-9


def looks_like(data: bytes) -> bool:
    """Tell whether the bytes are an IFC-SPF file (STEP), plain or gzip-compressed."""
    if data.startswith(b"\x1f\x8b"):
        try:
            data = zlib.decompressobj(wbits=31).decompress(data[:65536], 4096)
        except zlib.error:
            return False
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"ISO-10303-21") and b"IFC" in data[:4096].upper()


def ifcopenshell_available() -> bool:
    """Tell whether the optional ifcopenshell package is installed."""
    try:
        import ifcopenshell  # noqa: F401
    except ImportError:
        return False
    return True


def read(data: bytes, filename: str) -> list[ImportedLevel]:
    """Read the storeys and spaces of an IFC model into levels of rooms in plan metres.

    Raises
    ------
    FormatError
        ifcopenshell is not installed (the message gives the install command), or the file
        cannot be parsed.
    """
    model = _open_model(data, filename)
    import ifcopenshell.geom
    import ifcopenshell.util.element

    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    ordinals = _storey_ordinals(model)
    levels: dict[int, ImportedLevel] = {}
    orphans = ImportedLevel(name=None, ordinal=None, building=None, rooms=[])

    for space in model.by_type("IfcSpace"):
        storey = _storey_of(space, ifcopenshell.util.element)
        level = _level_for(levels, storey, ordinals, orphans)
        ref = str(space.Name or space.GlobalId)
        footprint, reason = _footprint(space, settings, ifcopenshell.geom)
        if footprint is None:
            level.skip(space.GlobalId, ref, reason)
            continue
        name = str(space.LongName or "")
        level.rooms.append(
            ImportedRoom(ref=ref, geometry=footprint, name=name, category=category_from_label(name) or category_from_label(ref) or "other", source_id=space.GlobalId)
        )

    for door in model.by_type("IfcDoor"):
        storey = _storey_of(door, ifcopenshell.util.element)
        if storey is not None and storey.id() in levels:
            outline = _door_outline(door, settings, ifcopenshell.geom)
            if outline is not None:
                levels[storey.id()].doors.append(outline)

    result = sorted(levels.values(), key=lambda level: level.ordinal)
    if orphans.rooms or orphans.skipped or not result:
        result.append(orphans)
    _report_empty_storeys(model, levels, result)
    for level in result:
        level.source = {"format": "ifc", "schema": model.schema, "spaces": len(level.rooms), "doors": len(level.doors)}
    logger.info("%s: %d storeys with spaces, %d spaces", filename, len(result), sum(len(level.rooms) for level in result))
    return result


def _open_model(data: bytes, filename: str):
    try:
        import ifcopenshell
    except ImportError:
        raise FormatError(
            _("reading IFC files needs the optional ifcopenshell package (about 200 MB)"),
            file=filename,
            fix=_("install it with: {command}").format(command=INSTALL_COMMAND),
        ) from None
    if data.startswith(b"\x1f\x8b"):
        data = gzip.decompress(data)
    try:
        return ifcopenshell.file.from_string(data.decode("utf-8", errors="replace"))
    except RuntimeError as error:
        raise FormatError(_("the IFC file cannot be parsed: {error}").format(error=error), file=filename) from None


def _storey_ordinals(model) -> dict[int, tuple[int, float | None]]:
    """Return, per storey id, its ordinal and elevation (metres), ordered by elevation."""
    import ifcopenshell.util.unit

    scale = ifcopenshell.util.unit.calculate_unit_scale(model)
    storeys = [(storey.id(), float(storey.Elevation) * scale if storey.Elevation is not None else None) for storey in model.by_type("IfcBuildingStorey")]
    ordered = sorted(storeys, key=lambda item: (item[1] is None, item[1] or 0.0))
    known = [elevation for _id, elevation in ordered if elevation is not None]
    ground = int(np.argmin(np.abs(known))) if known else 0
    return {storey_id: (position - ground, elevation) for position, (storey_id, elevation) in enumerate(ordered)}


def _storey_of(space, element_util):
    container = element_util.get_container(space) or element_util.get_aggregate(space)
    while container is not None and not container.is_a("IfcBuildingStorey"):
        container = element_util.get_aggregate(container)
    return container


def _level_for(levels: dict, storey, ordinals: dict, orphans: ImportedLevel) -> ImportedLevel:
    if storey is None:
        orphans.name = orphans.name or _("spaces outside any storey")
        return orphans
    if storey.id() not in levels:
        ordinal, elevation = ordinals.get(storey.id(), (0, None))
        building = _building_name(storey)
        levels[storey.id()] = ImportedLevel(name=str(storey.Name or storey.GlobalId), ordinal=ordinal, building=building, rooms=[], elevation_m=elevation)
    return levels[storey.id()]


def _building_name(storey) -> str | None:
    import ifcopenshell.util.element

    parent = ifcopenshell.util.element.get_aggregate(storey)
    if parent is not None and parent.is_a("IfcBuilding") and parent.Name:
        return str(parent.Name)
    return None


def _footprint(space, settings, geom_module) -> tuple[shapely.Geometry | None, str | None]:
    """Merge the horizontal projection of a space's triangles into its footprint (metres)."""
    try:
        shape = geom_module.create_shape(settings, space)
    except RuntimeError as error:
        return None, _("the space has no readable solid: {error}").format(error=error)
    vertices = np.array(shape.geometry.verts, dtype=float).reshape(-1, 3)[:, :2]
    faces = np.array(shape.geometry.faces, dtype=int).reshape(-1, 3)
    if not len(faces):
        return None, _("the space has no solid")
    triangles = shapely.polygons(vertices[faces])
    triangles = triangles[shapely.area(triangles) > MIN_TRIANGLE_M2]
    if not len(triangles):
        return None, _("the space has no horizontal extent")
    return shapely.union_all(triangles), None


def _door_outline(door, settings, geom_module) -> shapely.Geometry | None:
    """Return the convex outline of a door's solid seen from above (metres), None without one."""
    try:
        shape = geom_module.create_shape(settings, door)
    except RuntimeError as error:
        logger.debug("door %s has no readable solid: %s", door.GlobalId, error)
        return None
    vertices = np.array(shape.geometry.verts, dtype=float).reshape(-1, 3)[:, :2]
    return shapely.MultiPoint(vertices).convex_hull if len(vertices) else None


def _report_empty_storeys(model, levels: dict, result: list[ImportedLevel]) -> None:
    empty = [str(storey.Name or storey.GlobalId) for storey in model.by_type("IfcBuildingStorey") if storey.id() not in levels]
    if empty and result:
        result[0].warn("storey", None, _("storeys without spaces, not imported: {storeys}").format(storeys=", ".join(empty)))
