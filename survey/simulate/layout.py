"""Floor plans of the simulated sample hospital, as data.

Every level has the same racetrack plan of 70 m × 25 m, with the origin at the south-west
corner, x to the east and y to the north. Two corridors run east-west and two short cross
corridors join their ends, so the corridors form a loop. Rooms line the south and north
façades, and the core between the two corridors contains full-depth rooms or pairs of
half-depth rooms. All lengths are integer centimetres so that shared walls have identical
coordinates in both rooms.

Room names are French because they are data: they are what the hospital's staff call the rooms.
"""

from __future__ import annotations

from dataclasses import dataclass

# Plan bands, in centimetres along y (south to north).
SOUTH_BAND_CM = (0, 600)
SOUTH_CORRIDOR_CM = (600, 840)
CORE_CM = (840, 1660)
CORE_SPLIT_CM = 1250  # wall between the south and north half-depth core rooms
NORTH_CORRIDOR_CM = (1660, 1900)
NORTH_BAND_CM = (1900, 2500)

# Plan extent and the cross corridors at both ends of the core, in centimetres along x.
LENGTH_CM = 7000
CROSS_CORRIDOR_WIDTH_CM = 240
CORE_X_CM = (CROSS_CORRIDOR_WIDTH_CM, LENGTH_CM - CROSS_CORRIDOR_WIDTH_CM)


@dataclass(frozen=True)
class RoomSpec:
    """One room of a band, from west to east; its depth comes from the band it is in."""

    name: str
    category: str
    width_cm: int
    material: str | None = None  # None: the default of the category, see building.py
    shielding_db: tuple[float, float] | None = None  # range of the extra loss drawn per seed
    criticality: str | None = None  # None: the default of the category
    analog_line: bool = False
    notes: str = ""
    door: str = "S"  # full-depth core rooms only: the corridor the door opens on, "S" or "N"


@dataclass(frozen=True)
class HalfPair:
    """Two half-depth core rooms of one width: one opens south, the other north."""

    south: RoomSpec
    north: RoomSpec


CoreBay = RoomSpec | HalfPair


@dataclass(frozen=True)
class LevelSpec:
    name: str
    ordinal: int
    south: list[RoomSpec]
    core: list[CoreBay]
    north: list[RoomSpec]


def _rooms(prefix: str, category: str, width_cm: int, numbers: range) -> list[RoomSpec]:
    return [RoomSpec(f"{prefix} {number}", category, width_cm) for number in numbers]


# Extra losses of shielded rooms, in dB. MRI enclosures are specified at ≥ 100 dB near the
# Larmor frequency, but door seals and filters let more through at cellular frequencies.
# Radiotherapy bunkers have metres of concrete. Lead-lined X-ray rooms have 1.6–3.2 mm of
# lead with openings. The ranges are estimates for the simulation, not measurements.
MRI_SHIELDING_DB = (60.0, 100.0)
BUNKER_SHIELDING_DB = (60.0, 100.0)
LEAD_SHIELDING_DB = (20.0, 40.0)
METAL_SHIELDING_DB = (20.0, 30.0)  # steel doors and panels: 19–37 dB in a hospital study


BASEMENT = LevelSpec(
    name="Sous-sol",
    ordinal=-1,
    south=[
        RoomSpec("Cuisine centrale", "kitchen", 1200, material="concrete"),
        RoomSpec("Chambre froide", "storage", 400, material="concrete"),
        RoomSpec("Réserve alimentaire", "storage", 500),
        RoomSpec("Vestiaires du personnel", "other", 600),
        RoomSpec("Archives médicales 1", "archive", 1000),
        RoomSpec("Archives médicales 2", "archive", 800),
        RoomSpec("Salle serveurs", "technical", 500, criticality="high"),
        RoomSpec("Local électrique TGBT", "technical", 600, material="concrete"),
        RoomSpec("Chaufferie", "technical", 800, material="concrete"),
        RoomSpec("Atelier de maintenance", "technical", 600),
    ],
    core=[
        RoomSpec("Escalier A", "stairwell", 400),
        HalfPair(
            RoomSpec("Local ventilation", "technical", 300),
            RoomSpec("Local eau glacée", "technical", 300),
        ),
        RoomSpec(
            "Bunker de radiothérapie 1", "radiotherapy", 610,
            shielding_db=BUNKER_SHIELDING_DB, analog_line=True, door="N",
            notes="Poste mural près de l'entrée du labyrinthe",
        ),
        HalfPair(
            RoomSpec(
                "Pupitre accélérateur 1", "office", 350, criticality="high", analog_line=True,
                notes="Ligne directe vers la physique médicale",
            ),
            RoomSpec("Pupitre accélérateur 2", "office", 350, criticality="high"),
        ),
        RoomSpec(
            "Bunker de radiothérapie 2", "radiotherapy", 610,
            shielding_db=BUNKER_SHIELDING_DB, door="N",
        ),
        RoomSpec("Physique médicale", "office", 400),
        RoomSpec("Palier ascenseurs", "lift_lobby", 500),
        HalfPair(
            RoomSpec("Réserve pharmacie", "storage", 400),
            RoomSpec("Réserve matériel", "storage", 400),
        ),
        RoomSpec("Dosimétrie", "office", 400, door="N"),
        HalfPair(
            RoomSpec("Local DASRI", "storage", 300),
            RoomSpec("Local ménage", "storage", 300),
        ),
        RoomSpec("Chambre mortuaire", "other", 600, criticality="low", door="N"),
        RoomSpec("Archives administratives", "archive", 600),
        RoomSpec("Atelier biomédical", "technical", 650, door="N"),
        RoomSpec("Escalier B", "stairwell", 400),
    ],
    north=[
        RoomSpec("Quai de livraison", "storage", 1000),
        RoomSpec("Lingerie centrale", "storage", 800),
        RoomSpec("Magasin central", "storage", 1000),
        RoomSpec("Salle d'attente radiothérapie", "waiting_room", 700),
        RoomSpec("Consultation radiothérapie 1", "consultation", 400),
        RoomSpec("Consultation radiothérapie 2", "consultation", 400),
        RoomSpec("Vestiaires patients", "other", 400),
        RoomSpec("Secrétariat radiothérapie", "office", 400),
        RoomSpec("Sanitaires", "toilet", 300),
        RoomSpec("Local groupe électrogène", "technical", 800, material="concrete"),
        RoomSpec(
            "Local transformateur", "technical", 800, material="concrete",
            shielding_db=METAL_SHIELDING_DB,
        ),
    ],
)

GROUND_FLOOR = LevelSpec(
    name="Rez-de-chaussée",
    ordinal=0,
    south=[
        RoomSpec(
            "Hall d'accueil", "lobby", 850, analog_line=True,
            notes="Poste de l'accueil, renvoi du standard",
        ),
        RoomSpec("Salle d'attente des urgences", "waiting_room", 700),
        RoomSpec("Bureau des admissions", "office", 350),
        *_rooms("Box de soins", "emergency", 350, range(1, 5)),
        RoomSpec("Salle de déchocage", "resuscitation", 600, analog_line=True),
        RoomSpec("Salle de suture", "emergency", 400),
        RoomSpec("Salle de plâtre", "emergency", 400, criticality="high"),
        RoomSpec("Poste de soins des urgences", "nursing_station", 450, analog_line=True),
        RoomSpec("Bureau médical des urgences", "office", 350),
        RoomSpec("Sanitaires", "toilet", 250),
        *_rooms("Box de soins", "emergency", 350, range(5, 7)),
        RoomSpec("Salle de tri", "emergency", 550),
    ],
    core=[
        RoomSpec("Escalier A", "stairwell", 400),
        HalfPair(
            RoomSpec("Local technique", "technical", 300),
            RoomSpec("Réserve", "storage", 300),
        ),
        RoomSpec(
            "Salle de radiologie 1", "radiology", 500, shielding_db=LEAD_SHIELDING_DB,
            analog_line=True, door="N",
        ),
        RoomSpec("Salle de radiologie 2", "radiology", 500, shielding_db=LEAD_SHIELDING_DB, door="N"),
        RoomSpec("Salle de scanner", "radiology", 550, shielding_db=LEAD_SHIELDING_DB, door="N"),
        RoomSpec("Palier ascenseurs", "lift_lobby", 500),
        HalfPair(
            RoomSpec(
                "Salle de commande IRM", "office", 320, criticality="high", analog_line=True,
                notes="Poste fixe au pupitre",
            ),
            RoomSpec("Local technique IRM", "technical", 320),
        ),
        RoomSpec("Salle IRM", "mri", 450, shielding_db=MRI_SHIELDING_DB, door="N"),
        RoomSpec("Salle d'interprétation", "office", 400, door="N"),
        HalfPair(
            RoomSpec("Sanitaires", "toilet", 300),
            RoomSpec("Local linge", "storage", 300),
        ),
        RoomSpec("Salle d'attente radiologie", "waiting_room", 600, door="N"),
        HalfPair(
            RoomSpec("Bureau médical", "office", 350),
            RoomSpec("Bureau du cadre de santé", "office", 350),
        ),
        HalfPair(
            RoomSpec("Réserve des urgences", "storage", 300),
            RoomSpec("Local ménage", "storage", 300),
        ),
        RoomSpec("Salle de repos du personnel", "other", 650),
        RoomSpec("Escalier B", "stairwell", 400),
    ],
    north=[
        RoomSpec("Sas des ambulances", "lobby", 800),
        *_rooms("Consultation externe", "consultation", 400, range(1, 4)),
        RoomSpec("Secrétariat de radiologie", "office", 400),
        RoomSpec("Salle d'attente des consultations", "waiting_room", 700),
        RoomSpec("Cafétéria", "kitchen", 900),
        RoomSpec("Point presse", "other", 400),
        RoomSpec("Sanitaires publics", "toilet", 300),
        RoomSpec("Bureau des entrées", "office", 400),
        RoomSpec("Salle de recueillement", "other", 500),
        RoomSpec(
            "PC sécurité incendie", "office", 500, criticality="high", analog_line=True,
            notes="Ligne du PC sécurité",
        ),
        RoomSpec("Local poubelles", "storage", 300),
        RoomSpec("Bureau de l'assistante sociale", "office", 300),
        RoomSpec("Local courrier", "storage", 300),
    ],
)

FIRST_FLOOR = LevelSpec(
    name="1er étage",
    ordinal=1,
    south=[
        *_rooms("Chambre de réanimation", "icu", 380, range(101, 111)),
        RoomSpec("Poste de soins de réanimation", "nursing_station", 500, analog_line=True),
        RoomSpec("Salle de réveil", "recovery", 1200, analog_line=True),
        RoomSpec("Pharmacie", "pharmacy", 800),
        RoomSpec("Bureau du pharmacien", "office", 400),
        RoomSpec("Sanitaires", "toilet", 300),
    ],
    core=[
        RoomSpec("Escalier A", "stairwell", 400),
        RoomSpec("Bloc opératoire 1", "operating_theatre", 500, door="N"),
        RoomSpec("Bloc opératoire 2", "operating_theatre", 500, door="N"),
        HalfPair(
            RoomSpec("Arsenal stérile", "storage", 320),
            RoomSpec("Salle de préparation", "other", 320),
        ),
        RoomSpec("Bloc opératoire 3", "operating_theatre", 500, door="N"),
        RoomSpec(
            "Bloc hybride", "operating_theatre", 650, material="concrete",
            shielding_db=METAL_SHIELDING_DB, analog_line=True, door="N",
        ),
        RoomSpec("Palier ascenseurs", "lift_lobby", 500, shielding_db=METAL_SHIELDING_DB),
        HalfPair(
            RoomSpec("Local technique", "technical", 300),
            RoomSpec("Sanitaires du personnel", "toilet", 300),
        ),
        RoomSpec("Bloc opératoire 4", "operating_theatre", 500, door="N"),
        RoomSpec("Bloc opératoire 5", "operating_theatre", 500, door="N"),
        HalfPair(
            RoomSpec("Salle de lavage chirurgical", "other", 400),
            RoomSpec("Réserve du bloc", "storage", 400),
        ),
        RoomSpec("Stérilisation", "technical", 600),
        HalfPair(
            RoomSpec("Bureau d'anesthésie", "office", 450),
            RoomSpec("Vestiaire du bloc", "other", 450),
        ),
        RoomSpec("Escalier B", "stairwell", 400),
    ],
    north=[
        *_rooms("Chambre de réanimation", "icu", 380, range(111, 119)),
        RoomSpec("Poste de soins de surveillance continue", "nursing_station", 460),
        RoomSpec("Salle de détente", "other", 500),
        RoomSpec("Bureau médical de réanimation", "office", 400),
        RoomSpec("Salle des familles", "waiting_room", 600),
        RoomSpec("Réserve de pharmacie", "storage", 500),
        RoomSpec("Local déchets", "storage", 300),
        RoomSpec("Bureau du cadre de santé", "office", 400),
        RoomSpec("Sanitaires", "toilet", 300),
        RoomSpec("Salle de staff", "office", 500),
    ],
)

SECOND_FLOOR = LevelSpec(
    name="2e étage",
    ordinal=2,
    south=[
        *_rooms("Chambre", "ward", 360, range(201, 215)),
        RoomSpec("Poste de soins", "nursing_station", 460, analog_line=True),
        RoomSpec("Salle d'accouchement 1", "delivery_room", 500, analog_line=True),
        *_rooms("Salle d'accouchement", "delivery_room", 500, range(2, 4)),
    ],
    core=[
        RoomSpec("Escalier A", "stairwell", 400),
        RoomSpec("Laboratoire", "laboratory", 800, door="N"),
        HalfPair(
            RoomSpec("Sanitaires", "toilet", 300),
            RoomSpec("Local ménage", "storage", 300),
        ),
        RoomSpec("Salle d'accouchement 4", "delivery_room", 500),
        RoomSpec("Salle de pré-travail", "delivery_room", 450),
        RoomSpec("Palier ascenseurs", "lift_lobby", 500),
        HalfPair(
            RoomSpec("Réserve", "storage", 350),
            RoomSpec("Local technique", "technical", 350),
        ),
        RoomSpec("Salle de soins", "consultation", 400, door="N"),
        RoomSpec("Office alimentaire", "kitchen", 400, door="N"),
        RoomSpec("Salle de pause", "other", 400, door="N"),
        HalfPair(
            RoomSpec("Lingerie", "storage", 300),
            RoomSpec("Local DASRI", "storage", 300),
        ),
        RoomSpec("Bureau du cadre de santé", "office", 400, door="N"),
        RoomSpec("Salle de réunion", "office", 500, door="N"),
        HalfPair(
            RoomSpec("Bureau des sages-femmes", "office", 420),
            RoomSpec("Archives du service", "archive", 420),
        ),
        RoomSpec("Escalier B", "stairwell", 400),
    ],
    north=[
        *_rooms("Chambre", "ward", 360, range(215, 227)),
        *_rooms("Consultation", "consultation", 360, range(1, 4)),
        RoomSpec("Bureau médical", "office", 350),
        RoomSpec("Secrétariat", "office", 350),
        RoomSpec(
            "Salle de densitométrie", "radiology", 500, shielding_db=LEAD_SHIELDING_DB,
        ),
        RoomSpec("Sanitaires", "toilet", 400),
    ],
)

LEVEL_SPECS = [BASEMENT, GROUND_FLOOR, FIRST_FLOOR, SECOND_FLOOR]
