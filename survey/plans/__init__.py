"""Floor-plan importers: each reads a file into levels of room polygons in plan metres.

The format is detected from the content, not the file name: IMDF archives (zip), DXF
drawings, IFC models, OpenStreetMap XML or GeoJSON, plain GeoJSON (plan metres or WGS84), and
PDF or image plans, which become a level background to draw rooms over. ``read_plan`` returns
the levels with a report of what was read and skipped; ``import_plan`` stores them, matching
rooms by ``ref`` within the site, so importing a plan again updates its rooms.
"""

from __future__ import annotations

import logging
from pathlib import PurePath

from sqlalchemy.orm import Session

from survey.errors import FormatError, InputError
from survey.i18n import _
from survey.models import Site
from survey.plans.base import ImportedLevel, ImportedRoom, PlanOptions
from survey.plans.validate import check_duplicate_refs, validate_level

logger = logging.getLogger(__name__)

PLAN_FORMATS = ("auto", "geojson", "imdf", "osm", "dxf", "ifc", "pdf", "image")
BACKGROUND_FORMATS = ("pdf", "image")

__all__ = ["ImportedLevel", "ImportedRoom", "PlanOptions", "PLAN_FORMATS", "detect_format", "import_plan", "read_plan"]


def detect_format(data: bytes, filename: str = "") -> str:
    """Return the plan format of the bytes: ``imdf``, ``dxf``, ``ifc``, ``osm``, ``geojson``, ``pdf`` or ``image``.

    Raises FormatError when the content matches none of them.
    """
    from survey.plans import background, dxf, geojson, ifc, imdf, osm

    if data.startswith(b"PK"):
        if imdf.looks_like(data):
            return "imdf"
        raise FormatError(
            _("the zip file holds no IMDF level and unit files"),
            file=filename,
            fix=_("a zip is read as an IMDF archive: it must contain level and unit files (.geojson or .json)"),
        )
    kind = background.media_type(data)
    if kind is not None:
        return "pdf" if kind == "application/pdf" else "image"
    for name, test in (("dxf", dxf.looks_like), ("ifc", ifc.looks_like), ("osm", osm.looks_like_xml), ("geojson", geojson.looks_like)):
        if test(data):
            return name
    raise FormatError(
        _("the plan format was not recognised"),
        file=filename,
        fix=_("import a GeoJSON, IMDF (zip), OpenStreetMap, DXF, IFC, PDF, PNG or JPEG plan"),
    )


def read_plan(
    data: bytes,
    filename: str,
    *,
    format: str = "auto",
    units: str | None = None,
    layer: str | None = None,
    door_layer: str | None = None,
    rename_duplicates: bool = False,
) -> list[ImportedLevel]:
    """Read a plan file into levels of rooms in plan metres, checked and repaired.

    Parameters
    ----------
    format
        ``auto`` detects the format from the content; the others force it.
    units, layer, door_layer
        For DXF drawings: the drawing units (``m``, ``cm``, ``mm``) when ``$INSUNITS`` is
        wrong, the layer of the room outlines and the layer of the doors.
    rename_duplicates
        Import rooms sharing a ref as ``ref-2``… instead of rejecting the file.

    Raises
    ------
    FormatError
        Unknown or unreadable format, a PDF or image (those are backgrounds: see
        ``import_plan``), or refs shared by several rooms without ``rename_duplicates``.
    """
    options = PlanOptions(units=units, layer=layer, door_layer=door_layer, rename_duplicates=rename_duplicates)
    chosen = _chosen_format(data, filename, format)
    if chosen in BACKGROUND_FORMATS:
        raise FormatError(
            _("a PDF or image plan holds no rooms: it is imported as the background of a level"),
            file=filename,
            fix=_("import it with a level name, then calibrate it and draw the rooms"),
        )
    levels = _read_levels(chosen, data, filename, options)

    for level in levels:
        validate_level(level)
    check_duplicate_refs(levels, filename, rename=rename_duplicates)
    logger.info("%s read as %s: %d levels, %d rooms", filename, chosen, len(levels), sum(len(level.rooms) for level in levels))
    return levels


def _chosen_format(data: bytes, filename: str, format: str) -> str:
    if format not in PLAN_FORMATS:
        raise FormatError(
            _("unknown plan format {format!r}").format(format=format),
            file=filename,
            fix=_("use one of: {formats}").format(formats=", ".join(PLAN_FORMATS)),
        )
    return detect_format(data, filename) if format == "auto" else format


def _read_levels(chosen: str, data: bytes, filename: str, options: PlanOptions) -> list[ImportedLevel]:
    from survey.plans import dxf, geojson, ifc, imdf, osm

    if chosen == "imdf":
        return imdf.read(data, filename)
    if chosen == "dxf":
        return dxf.read(data, filename, options)
    if chosen == "ifc":
        return ifc.read(data, filename)
    if chosen == "osm":
        if osm.looks_like_xml(data):
            return osm.read_xml(data, filename)
        return osm.read_geojson(data, filename)
    document = geojson.load_document(data, filename)
    if osm.looks_like_geojson(document):
        return osm.read_geojson(data, filename)
    return geojson.read(data, filename)


def import_plan(
    session: Session,
    site: Site,
    data: bytes,
    filename: str,
    *,
    building: str | None = None,
    level: str | None = None,
    ordinal: int | None = None,
    format: str = "auto",
    units: str | None = None,
    layer: str | None = None,
    door_layer: str | None = None,
    rename_duplicates: bool = False,
    page: int = 1,
    dpi: int = 150,
) -> dict:
    """Read a plan and store its levels and rooms; return what was created, updated and skipped.

    ``building``, ``level`` and ``ordinal`` override the plan's own values, and ``level`` and
    ``ordinal`` apply only to a plan of one level. A PDF or image plan is stored as the
    background of the level ``level`` (default: the file name without extension), rendered
    at ``dpi`` from ``page``.
    """
    from survey.plans.storing import store_background_level, store_levels

    chosen = _chosen_format(data, filename, format)
    if chosen in BACKGROUND_FORMATS:
        name = level or PurePath(filename).stem
        report = store_background_level(session, site, data, filename, building=building, level=name, ordinal=ordinal, page=page, dpi=dpi)
        return {"file": filename, "format": chosen, "levels": [report]}

    levels = read_plan(data, filename, format=chosen, units=units, layer=layer, door_layer=door_layer, rename_duplicates=rename_duplicates)
    if len(levels) > 1 and (level is not None or ordinal is not None):
        raise InputError(
            _("the plan holds {count} levels; --level and --ordinal apply to a plan of one level").format(count=len(levels)),
            file=filename,
            fix=_("leave out --level and --ordinal: each level keeps its own name and ordinal"),
        )
    reports = store_levels(session, site, levels, filename, building=building, level=level, ordinal=ordinal)
    return {"file": filename, "format": chosen, "levels": reports}
