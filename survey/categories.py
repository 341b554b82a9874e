"""Room categories with their labels and default criticality.

``vital`` rooms are those from which life-threatening emergencies are called (intensive care,
emergency department, operating theatre, delivery room, resuscitation). Every plan importer
maps its source's categories onto this list; unknown ones become ``other``.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.i18n import gettext, lazy

CRITICALITIES = ["vital", "high", "normal", "low"]
CRITICALITY_LABELS = {
    "vital": lazy("vital"),
    "high": lazy("high"),
    "normal": lazy("normal"),
    "low": lazy("low"),
}


@dataclass(frozen=True)
class Category:
    name: str
    label: str
    criticality: str
    circulation: bool = False  # corridors, stairs, lobbies: where people walk, not stay


CATEGORIES = {
    category.name: category
    for category in [
        Category("icu", lazy("intensive care"), "vital"),
        Category("emergency", lazy("emergency department"), "vital"),
        Category("resuscitation", lazy("resuscitation room"), "vital"),
        Category("operating_theatre", lazy("operating theatre"), "vital"),
        Category("delivery_room", lazy("delivery room"), "vital"),
        Category("recovery", lazy("recovery room"), "high"),
        Category("mri", lazy("MRI suite"), "high"),
        Category("radiotherapy", lazy("radiotherapy bunker"), "high"),
        Category("radiology", lazy("X-ray room"), "high"),
        Category("nursing_station", lazy("nursing station"), "high"),
        Category("pharmacy", lazy("pharmacy"), "high"),
        Category("ward", lazy("patient room"), "normal"),
        Category("consultation", lazy("consultation room"), "normal"),
        Category("laboratory", lazy("laboratory"), "normal"),
        Category("office", lazy("office"), "normal"),
        Category("waiting_room", lazy("waiting room"), "normal"),
        Category("lobby", lazy("lobby"), "normal", circulation=True),
        Category("corridor", lazy("corridor"), "low", circulation=True),
        Category("stairwell", lazy("stairwell"), "low", circulation=True),
        Category("lift_lobby", lazy("lift lobby"), "low", circulation=True),
        Category("archive", lazy("archive"), "low"),
        Category("technical", lazy("technical room"), "low"),
        Category("storage", lazy("storage room"), "low"),
        Category("kitchen", lazy("kitchen"), "low"),
        Category("toilet", lazy("toilet"), "low"),
        Category("other", lazy("other"), "normal"),
    ]
}


def category_or_other(name: str | None) -> str:
    """Return ``name`` when it is a known category, else ``other``."""
    key = (name or "").strip().lower().replace(" ", "_").replace("-", "_")
    return key if key in CATEGORIES else "other"


def default_criticality(category: str) -> str:
    return CATEGORIES[category_or_other(category)].criticality


def category_label(category: str) -> str:
    return gettext(CATEGORIES[category_or_other(category)].label)


def criticality_label(criticality: str) -> str:
    return gettext(CRITICALITY_LABELS.get(criticality, criticality))
