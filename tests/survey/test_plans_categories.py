"""Room categories read from labels in French and English, IMDF categories and OSM tags."""

import pytest

from plans_helpers import english  # noqa: F401 - fixture
from survey.categories import CATEGORIES, category_from_imdf, category_from_label, category_from_osm


@pytest.mark.parametrize(
    ("label", "category"),
    [
        ("IRM 1", "mri"),
        ("MRI scanner room", "mri"),
        ("Bloc 3", "operating_theatre"),
        ("OR 2", "operating_theatre"),
        ("Salle d'opération", "operating_theatre"),
        ("Réa - chambre 12", "icu"),
        ("Réanimation", "icu"),
        ("Couloir", "corridor"),
        ("Corridor B", "corridor"),
        ("Urgences", "emergency"),
        ("SSPI", "recovery"),
        ("Salle de naissance 2", "delivery_room"),
        ("Radiothérapie bunker 1", "radiotherapy"),
        ("Poste de soins", "nursing_station"),
        ("Chambre 214", "ward"),
        ("Salle d'attente", "waiting_room"),
        ("WC personnel", "toilet"),
        ("Escalier A", "stairwell"),
        ("Ascenseur 2", "lift"),
        ("Local technique", "technical"),
        ("Bureau IRM", "mri"),
        ("CIRC101", "corridor"),
        ("ELVB01", "lift"),
        ("STR201", "stairwell"),
    ],
)
def test_label_keywords(label, category):
    assert category_from_label(label) == category


@pytest.mark.parametrize("label", ["B01", "1er étage", "", None, "Living Room"])
def test_label_without_use(label):
    assert category_from_label(label) is None


def test_imdf_categories():
    assert category_from_imdf("walkway") == "corridor"
    assert category_from_imdf("restroom.female") == "toilet"
    assert category_from_imdf("elevator") == "lift"
    assert category_from_imdf("room", "IRM") == "mri"
    assert category_from_imdf("room", "Hörsaal") == "other"


def test_osm_tags():
    assert category_from_osm({"indoor": "corridor"}) == "corridor"
    assert category_from_osm({"indoor": "room", "amenity": "toilets"}) == "toilet"
    assert category_from_osm({"indoor": "room", "healthcare": "radiotherapy"}) == "radiotherapy"
    assert category_from_osm({"indoor": "room", "room": "operating_theatre"}) == "operating_theatre"
    assert category_from_osm({"highway": "elevator"}) == "lift"
    assert category_from_osm({"indoor": "room", "name": "Bloc opératoire 1"}) == "operating_theatre"


def test_every_mapping_targets_a_category():
    from survey.categories import IMDF_UNIT_CATEGORIES, LABEL_KEYWORDS, OSM_TAG_CATEGORIES

    targets = set(IMDF_UNIT_CATEGORIES.values()) | {category for category, _words in LABEL_KEYWORDS}
    targets |= {category for table in OSM_TAG_CATEGORIES.values() for category in table.values()}
    assert targets <= set(CATEGORIES)
