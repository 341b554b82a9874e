"""What every plan importer returns: levels of room polygons in plan metres, with a report.

Plan metres: ``x`` to the east of the plan's origin and ``y`` to the north, y growing upwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry


@dataclass
class ImportedRoom:
    """One room read from a plan; ``geometry`` is a Polygon or MultiPolygon in plan metres."""

    ref: str
    geometry: BaseGeometry
    name: str = ""
    category: str = "other"
    criticality: str | None = None
    analog_line: bool = False
    line_number: str = ""
    source_id: str = ""


@dataclass
class ImportedLevel:
    """One level read from a plan, with what was skipped and why.

    ``skipped`` lists shapes not imported as ``{"feature", "ref", "reason"}``; ``warnings``
    lists facts the planner should check, as ``{"kind", "ref", "message"}``; ``outline`` is the
    level's floor outline when the source has one; ``georeference`` is the plan → WGS84
    transform of ``survey.plans.georeference`` when the source is in longitude and latitude.
    ``doors`` are the doors drawn on the plan (points, lines or small polygons in plan metres).
    """

    name: str | None
    ordinal: int | None
    building: str | None
    rooms: list[ImportedRoom]
    skipped: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    outline: BaseGeometry | None = None
    georeference: dict | None = None
    elevation_m: float | None = None
    source: dict = field(default_factory=dict)
    doors: list[BaseGeometry] = field(default_factory=list)

    def skip(self, feature: object, ref: str | None, reason: str) -> None:
        """Record a shape that is not imported, with the reason shown to the planner."""
        self.skipped.append({"feature": str(feature), "ref": ref, "reason": reason})

    def warn(self, kind: str, ref: str | None, message: str) -> None:
        """Record a fact of the plan that is imported but should be checked."""
        self.warnings.append({"kind": kind, "ref": ref, "message": message})


@dataclass(frozen=True)
class PlanOptions:
    """Choices the planner makes when importing a plan.

    ``units`` overrides the units of a CAD drawing (``m``, ``cm`` or ``mm``); ``layer`` names
    the DXF layer of the room outlines and ``door_layer`` that of the doors; ``rename_duplicates`` imports rooms that share a ref
    under a suffixed ref (``B36``, ``B36-2``) instead of rejecting the file; ``page`` and
    ``dpi`` choose and render a PDF page used as a level background.
    """

    units: str | None = None
    layer: str | None = None
    door_layer: str | None = None
    rename_duplicates: bool = False
    page: int = 1
    dpi: int = 150
