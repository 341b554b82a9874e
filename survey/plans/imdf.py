"""IMDF archives (OGC 20-094, Apple's Indoor Mapping Data Format): levels and units.

An archive is a zip (or a folder, which the command line zips) of GeoJSON files named after
their feature type, ending in ``.geojson`` or ``.json``. Only ``manifest``, ``level``, ``unit``,
``building`` and ``opening`` are read; other feature types hold neither rooms nor doors. Each
opening (a LineString on a unit's boundary) becomes a door of its level. Coordinates are WGS84
and are projected to plan metres around the middle of the units (``survey.plans.georeference``).

Each unit becomes a room whose ref is the unit's feature id (unique and stable across exports
of the same venue) and whose name is its ``name`` label in the current language, then the
manifest's language, then English, then any. Unknown properties, such as the OpenStreetMap
tags some converters add, are ignored.
"""

from __future__ import annotations

import io
import json
import logging
import posixpath
import zipfile
from dataclasses import dataclass

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from survey.categories import category_from_imdf
from survey.errors import FormatError
from survey.i18n import _, current_language
from survey.plans.base import ImportedLevel, ImportedRoom
from survey.plans.geojson import GEOMETRY_ERRORS
from survey.plans.georeference import project_levels

logger = logging.getLogger(__name__)

FEATURE_FILES = ("manifest", "level", "unit", "building", "opening")


@dataclass
class _LevelFeature:
    ordinal: int
    name: str
    building: str | None
    outline: BaseGeometry | None


def looks_like(data: bytes) -> bool:
    """Tell whether the bytes are a zip holding an IMDF ``unit`` and ``level`` file."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            stems = {_stem(name) for name in archive.namelist()}
    except zipfile.BadZipFile:
        return False
    return {"unit", "level"} <= stems


def _stem(name: str) -> str:
    base = posixpath.basename(name).lower()
    for suffix in (".geojson", ".json"):
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return ""


def read(data: bytes, filename: str) -> list[ImportedLevel]:
    """Read the levels and units of an IMDF archive into levels of rooms in plan metres.

    Units whose ``level_id`` matches no level, or whose geometry is not a polygon, are
    skipped with the reason. Raises FormatError when the archive has no level or unit file.
    """
    documents = _read_archive(data, filename)
    manifest = documents.get("manifest") or {}
    languages = _language_order(manifest.get("language"))
    buildings = {feature.get("id"): _label(feature.get("properties", {}).get("name"), languages) for feature in _features(documents, "building")}

    level_features = {}
    levels: dict[tuple[str | None, str], ImportedLevel] = {}
    for feature in _features(documents, "level"):
        level_feature = _read_level(feature, buildings, languages, filename)
        level_features[feature.get("id")] = level_feature
        _merge_level(levels, level_feature)

    orphans = ImportedLevel(name=None, ordinal=None, building=None, rooms=[])
    for index, feature in enumerate(_features(documents, "unit")):
        _read_unit(feature, index, level_features, levels, languages, orphans)
    for index, feature in enumerate(_features(documents, "opening")):
        _read_opening(feature, index, level_features, levels, orphans)

    result = [level for level in levels.values() if level.rooms or level.skipped]
    if orphans.skipped and result:
        result[0].skipped.extend(orphans.skipped)
    elif orphans.skipped:
        result = [orphans]
    for level in result:
        level.source = {"format": "imdf", "manifest_version": manifest.get("version"), "units": len(level.rooms), "openings": len(level.doors)}
    if any(level.rooms for level in result):
        project_levels([level for level in result if level.rooms])
    logger.info("%s: %d IMDF levels, %d units", filename, len(result), sum(len(level.rooms) for level in result))
    return result


def _read_archive(data: bytes, filename: str) -> dict[str, object]:
    documents: dict[str, object] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                stem = _stem(name)
                if stem in FEATURE_FILES and stem not in documents:
                    documents[stem] = _parse_json(archive.read(name), f"{filename}/{name}")
    except zipfile.BadZipFile as error:
        raise FormatError(_("the IMDF archive is not a valid zip file: {error}").format(error=error), file=filename) from None
    missing = [stem for stem in ("level", "unit") if stem not in documents]
    if missing:
        raise FormatError(
            _("the IMDF archive has no {files} file").format(files=", ".join(missing)),
            file=filename,
            fix=_("export the venue as IMDF with its level and unit files (.geojson or .json)"),
        )
    return documents


def _parse_json(data: bytes, name: str) -> object:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FormatError(
            _("invalid JSON in the IMDF archive: {error}").format(error=error),
            file=name,
            line=getattr(error, "lineno", None),
        ) from None


def _features(documents: dict[str, object], stem: str) -> list[dict]:
    document = documents.get(stem)
    if not isinstance(document, dict):
        return []
    return [feature for feature in document.get("features") or [] if isinstance(feature, dict)]


def _language_order(manifest_language: str | None) -> list[str]:
    """Return the label languages to try: current, manifest's, English (tags reduced to their language)."""
    order = [current_language(), (manifest_language or "").split("-")[0].lower(), "en"]
    return [language for index, language in enumerate(order) if language and language not in order[:index]]


def _label(labels: object, languages: list[str]) -> str:
    """Return the text of an IMDF LABELS object (``{"en": "Radiology", "fr": "Radiologie"}``)."""
    if isinstance(labels, str):
        return labels
    if not isinstance(labels, dict) or not labels:
        return ""
    by_language = {str(key).split("-")[0].lower(): value for key, value in labels.items()}
    for language in languages:
        if by_language.get(language):
            return str(by_language[language])
    return str(next(iter(labels.values())) or "")


def _read_level(feature: dict, buildings: dict, languages: list[str], filename: str) -> _LevelFeature:
    properties = feature.get("properties") or {}
    ordinal = properties.get("ordinal")
    if not isinstance(ordinal, int) or isinstance(ordinal, bool):
        raise FormatError(
            _("an IMDF level has an ordinal that is not an integer"),
            file=filename,
            column="ordinal",
            value=ordinal,
            fix=_("give every level an integer ordinal: 0 for the ground floor, negative below"),
        )
    name = _label(properties.get("name"), languages) or _label(properties.get("short_name"), languages) or str(ordinal)
    building_ids = properties.get("building_ids") or []
    building = next((buildings[item] for item in building_ids if buildings.get(item)), None)
    return _LevelFeature(ordinal, name, building, _geometry_or_none(feature.get("geometry")))


def _merge_level(levels: dict, level_feature: _LevelFeature) -> None:
    """Add a level feature; features with the same building and name become one level."""
    key = (level_feature.building, level_feature.name)
    level = levels.get(key)
    if level is None:
        levels[key] = ImportedLevel(
            name=level_feature.name,
            ordinal=level_feature.ordinal,
            building=level_feature.building,
            rooms=[],
            outline=level_feature.outline,
        )
    elif level_feature.outline is not None:
        level.outline = level_feature.outline if level.outline is None else shapely.union(level.outline, level_feature.outline)


def _geometry_or_none(geometry_json: object) -> BaseGeometry | None:
    if not isinstance(geometry_json, dict):
        return None
    try:
        return shape(geometry_json)
    except GEOMETRY_ERRORS:
        return None


def _read_opening(feature: dict, index: int, level_features: dict, levels: dict, orphans: ImportedLevel) -> None:
    opening_id = str(feature.get("id") or "")
    level_feature = level_features.get((feature.get("properties") or {}).get("level_id"))
    geometry = _geometry_or_none(feature.get("geometry"))
    if level_feature is None:
        orphans.skip(opening_id or index, opening_id, _("the opening's level_id matches no level"))
        return
    level = levels[(level_feature.building, level_feature.name)]
    if geometry is None:
        level.skip(opening_id or index, opening_id, _("missing or unreadable geometry"))
    else:
        level.doors.append(geometry)


def _read_unit(feature: dict, index: int, level_features: dict, levels: dict, languages: list[str], orphans: ImportedLevel) -> None:
    properties = feature.get("properties") or {}
    unit_id = str(feature.get("id") or "")
    name = _label(properties.get("name"), languages) or _label(properties.get("alt_name"), languages)
    level_feature = level_features.get(properties.get("level_id"))
    if level_feature is None:
        orphans.skip(unit_id or index, unit_id, _("level_id {level!r} matches no level").format(level=properties.get("level_id")))
        return
    level = levels[(level_feature.building, level_feature.name)]
    if not unit_id:
        level.skip(index, None, _("the unit has no id"))
        return
    geometry = _geometry_or_none(feature.get("geometry"))
    if geometry is None:
        level.skip(unit_id, unit_id, _("missing or unreadable geometry"))
        return
    level.rooms.append(
        ImportedRoom(
            ref=unit_id,
            geometry=geometry,
            name=name,
            category=category_from_imdf(properties.get("category"), name),
            source_id=unit_id,
        )
    )
