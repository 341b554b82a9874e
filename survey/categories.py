"""Room categories with their labels and default criticality.

``vital`` rooms are those from which life-threatening emergencies are called (intensive care,
emergency department, operating theatre, delivery room, resuscitation). Every plan importer
maps its source's categories onto this list through the tables and functions at the end of this
module (IMDF unit categories, OpenStreetMap tags, French and English label words); unknown ones
become ``other``.
"""

from __future__ import annotations

import re
import unicodedata
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
        Category("lift", lazy("lift car"), "low", circulation=True),
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


# --- mappings from other vocabularies ------------------------------------------------------

# IMDF 1.0.0 UNIT-CATEGORY values (OGC 20-094) that name a kind of room. Values not listed,
# such as ``room`` or ``nonpublic``, say nothing about the use: the label decides, else ``other``.
IMDF_UNIT_CATEGORIES = {
    "walkway": "corridor",
    "stairs": "stairwell",
    "steps": "stairwell",
    "escalator": "stairwell",
    "ramp": "corridor",
    "elevator": "lift",
    "movingwalkway": "corridor",
    "lobby": "lobby",
    "foyer": "lobby",
    "waitingroom": "waiting_room",
    "restroom": "toilet",
    "shower": "toilet",
    "office": "office",
    "laboratory": "laboratory",
    "firstaid": "consultation",
    "serverroom": "technical",
    "mechanical": "technical",
    "unenclosedarea": "other",
    "storage": "storage",
    "kitchen": "kitchen",
    "library": "archive",
}

# OpenStreetMap values of ``room=*``, ``amenity=*`` and ``healthcare=*``.
OSM_TAG_CATEGORIES = {
    "room": {
        "corridor": "corridor",
        "stairs": "stairwell",
        "elevator": "lift",
        "toilets": "toilet",
        "toilet": "toilet",
        "shower": "toilet",
        "bathroom": "toilet",
        "office": "office",
        "laboratory": "laboratory",
        "storage": "storage",
        "kitchen": "kitchen",
        "technical": "technical",
        "waiting": "waiting_room",
        "lobby": "lobby",
        "reception": "lobby",
        "bedroom": "ward",
        "ward": "ward",
        "consulting": "consultation",
        "treatment": "consultation",
        "operating_theatre": "operating_theatre",
        "intensive_care": "icu",
        "archive": "archive",
    },
    "amenity": {
        "toilets": "toilet",
        "pharmacy": "pharmacy",
        "kitchen": "kitchen",
        "waiting_room": "waiting_room",
        "reception_desk": "lobby",
        "hospital": "other",
    },
    "healthcare": {
        "laboratory": "laboratory",
        "pharmacy": "pharmacy",
        "radiotherapy": "radiotherapy",
        "doctor": "consultation",
        "clinic": "consultation",
        "birthing_centre": "delivery_room",
        "blood_donation": "consultation",
    },
    "indoor": {"corridor": "corridor"},
    "highway": {"elevator": "lift", "steps": "stairwell"},
    "stairs": {"yes": "stairwell"},
}

# French and English words of room labels, in priority order: the first category with a
# matching word wins. The kind of space (corridor, stairs, toilet) comes first because it is the same
# whatever the department. Clinical uses follow from the most critical down, so that "Bureau
# IRM" is kept in the MRI suite; generic uses come last. Words are matched without accents or
# case, as whole words, and a phrase matches its words in sequence.
LABEL_KEYWORDS: list[tuple[str, tuple[str, ...]]] = [
    ("corridor", ("couloir", "circulation", "degagement", "corridor", "hallway", "walkway")),
    ("stairwell", ("escalier", "escaliers", "stair", "stairs", "staircase", "stairwell", "cage d escalier")),
    ("lift", ("ascenseur", "monte charge", "monte malade", "elevator", "lift")),
    ("toilet", ("wc", "toilette", "toilettes", "sanitaire", "sanitaires", "douche", "salle de bain", "salle d eau",
                "toilet", "toilets", "restroom", "bathroom", "shower")),
    ("resuscitation", ("dechocage", "sauv", "salle d urgence vitale", "resus", "resuscitation")),
    ("icu", ("rea", "reanimation", "soins intensifs", "soins continus", "usi", "usic", "usc", "icu",
             "intensive care", "critical care")),
    ("emergency", ("urgences", "urgence", "sau", "emergency", "er", "a e")),
    ("operating_theatre", ("bloc", "bloc operatoire", "salle d operation", "salle d intervention", "or",
                           "operating", "operating theatre", "operating room", "theatre", "theater")),
    ("delivery_room", ("salle de naissance", "salle d accouchement", "accouchement", "delivery", "labour",
                       "labor", "birthing")),
    ("recovery", ("sspi", "reveil", "salle de reveil", "recovery", "pacu")),
    ("mri", ("irm", "mri", "resonance magnetique")),
    ("radiotherapy", ("radiotherapie", "bunker", "accelerateur", "linac", "radiotherapy", "curietherapie")),
    ("radiology", ("radiologie", "radio", "scanner", "tdm", "mammographie", "x ray", "xray", "ct", "radiology",
                   "imagerie")),
    ("nursing_station", ("poste de soins", "poste infirmier", "poste de soin", "ide", "nursing station",
                         "nurse station", "nurses station")),
    ("pharmacy", ("pharmacie", "pui", "pharmacy")),
    ("laboratory", ("laboratoire", "labo", "laboratory", "lab")),
    ("ward", ("chambre", "hospitalisation", "patient room", "bedroom", "ward")),
    ("consultation", ("consultation", "consultations", "box", "examen", "salle d examen", "consulting",
                      "examination", "exam room", "treatment")),
    ("waiting_room", ("attente", "salle d attente", "waiting", "waiting room")),
    ("lobby", ("hall", "accueil", "entree", "lobby", "foyer", "reception")),
    ("archive", ("archives", "archive")),
    ("technical", ("local technique", "technique", "lt", "tgbt", "cta", "serveur", "baie", "technical",
                   "mechanical", "electrical", "server", "plant room", "utility")),
    ("storage", ("reserve", "stockage", "rangement", "depot", "lingerie", "storage", "store", "stock")),
    ("kitchen", ("cuisine", "tisanerie", "office alimentaire", "kitchen", "pantry")),
    ("office", ("bureau", "secretariat", "salle de reunion", "office", "meeting room")),
]

# CAD room codes made of a use prefix and a number, such as CIRC101, ELV201 or STR101.
LABEL_CODE_PREFIXES = {"circ": "corridor", "corr": "corridor", "elv": "lift", "elev": "lift", "str": "stairwell", "wc": "toilet"}


def _normalized_words(text: str) -> str:
    """Return ``text`` in lower case without accents, its words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return " ".join(re.findall(r"[a-z0-9]+", plain))


def category_from_label(label: str | None) -> str | None:
    """Return the category a room label names in French or English, or None.

    Parameters
    ----------
    label
        A room name or number from a drawing, such as "IRM 1", "Bloc 3", "Réa - chambre 12",
        "Couloir" or "CIRC101".

    Returns
    -------
    str or None
        The first category of ``LABEL_KEYWORDS`` with a word in the label, else the category
        of a CAD code prefix (``CIRC101`` is a corridor), else None.
    """
    words = _normalized_words(label or "")
    if not words:
        return None
    padded = f" {words} "
    for category, keywords in LABEL_KEYWORDS:
        if any(f" {keyword} " in padded for keyword in keywords):
            return category
    return _category_from_code(words)


def _category_from_code(words: str) -> str | None:
    match = re.fullmatch(r"([a-z]+)[a-z]?\d+[a-z]?", words.split(" ")[0])
    if match is None:
        return None
    for prefix, category in LABEL_CODE_PREFIXES.items():
        if match.group(1).startswith(prefix):
            return category
    return None


def category_from_imdf(unit_category: str | None, label: str | None = None) -> str:
    """Return our category for an IMDF unit category such as ``restroom.female`` or ``walkway``.

    A generic unit category (``room``, ``nonpublic``, ``unspecified``) defers to the label.
    """
    base = (unit_category or "").strip().lower().split(".")[0]
    return IMDF_UNIT_CATEGORIES.get(base) or category_from_label(label) or "other"


def category_from_osm(tags: dict[str, str]) -> str:
    """Return our category for the tags of an OpenStreetMap indoor feature.

    ``room=*``, ``healthcare=*``, ``amenity=*`` and the corridor, stairs and elevator tags are
    read in that order; then the ``name`` decides; else the category is ``other``.
    """
    for key in ("room", "healthcare", "amenity", "indoor", "highway", "stairs"):
        category = OSM_TAG_CATEGORIES[key].get(tags.get(key, "").strip().lower())
        if category:
            return category
    return category_from_label(tags.get("name")) or category_from_label(tags.get("ref")) or "other"
