from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from survey.policy import DEFAULT_POLICY
from survey.recommend import recommend, walking_distances
from survey.results import OperatorVerdict, RoomResult


def room(ref: str, geometry, *, voice: str, criticality: str = "normal", line: bool = False, category: str = "office") -> RoomResult:
    result = RoomResult(hash(ref) % 10_000, 1, "L0", ref, ref, category, criticality, line, "", geometry.area, geometry)
    result.voice = voice
    state = voice
    result.verdicts = [OperatorVerdict("208-01", "Orange", state, 20, 10, 5, 10, 0.95, 0.5, 0.3, 0.7, -125.0, -112.0)]
    return result


def corridor_level(length_m: float = 100.0) -> list[RoomResult]:
    """A corridor along y=0..2 with 5 m wide offices above it."""
    rooms = [room("C", box(0, 0, length_m, 2), voice="reliable", criticality="low", category="corridor")]
    for index in range(int(length_m // 5)):
        rooms.append(room(f"O{index:02d}", box(index * 5, 2, index * 5 + 5, 6), voice="reliable"))
    return rooms


@pytest.fixture(scope="module")
def hospital_levels():
    """The sample hospital's plan files, each with the simulated level it was written from."""
    from survey.simulate import build_hospital

    hospital = build_hospital(2026)
    plans = Path(__file__).parents[2] / "data" / "samples" / "hospital" / "plans"
    return [(plans / f"level_{level.ordinal}.geojson", level) for level in hospital.levels]


def by_ref(rooms):
    return {r.ref: r for r in rooms}


def test_walking_distance_goes_around_walls():
    rooms = corridor_level(20)
    distances = walking_distances(rooms)
    refs = [r.ref for r in rooms]
    # O00 to O03: out to the corridor and along it, longer than the 15 m between centres,
    # since offices do not open onto each other when they open onto a corridor.
    direct = rooms[refs.index("O00")].geometry.centroid.distance(rooms[refs.index("O03")].geometry.centroid)
    assert distances[refs.index("O00"), refs.index("O03")] > direct
    # 2 m to the door, 15 m along the corridor, 2 m into the other office; the door point
    # is placed within the 0.3 m wall gap, hence the tolerance.
    assert distances[refs.index("O00"), refs.index("O03")] == pytest.approx(19.0, abs=0.1)
    assert np.isfinite(distances).all()


def test_line_rules_for_rooms_deciding_alone():
    rooms = corridor_level(20)
    index = by_ref(rooms)
    index["O00"].analog_line, index["O00"].voice = True, "unreliable"
    index["O01"].analog_line = True
    index["O02"].voice, index["O02"].criticality = "unreliable", "vital"
    index["O03"].voice = "insufficient_data"
    recommend(rooms, DEFAULT_POLICY)
    assert index["O00"].recommendation.action == "keep_analog_line"
    assert index["O01"].recommendation.action == "analog_line_optional"
    assert index["O02"].recommendation.action == "install_analog_line"
    assert index["O03"].recommendation.action == "resurvey"
    assert index["C"].recommendation.action == "none"
    assert any("Orange" in reason for reason in index["O00"].recommendation.reasons)


def test_normal_room_served_by_nearby_line():
    rooms = corridor_level(40)
    index = by_ref(rooms)
    index["O00"].analog_line = True
    index["O02"].voice = "unreliable"
    recommend(rooms, DEFAULT_POLICY)
    recommendation = index["O02"].recommendation
    assert recommendation.action == "nearest_line"
    assert recommendation.line_room_ref == "O00"
    assert recommendation.distance_m <= DEFAULT_POLICY.max_line_distance_m


def test_far_rooms_get_a_proposed_line():
    rooms = corridor_level(100)
    index = by_ref(rooms)
    index["O00"].analog_line = True
    for ref in ("O15", "O16", "O18"):
        index[ref].voice = "unreliable"
    recommend(rooms, DEFAULT_POLICY)
    hosts = [r for r in rooms if r.recommendation.action == "install_analog_line"]
    assert len(hosts) == 1
    for ref in ("O15", "O16", "O18"):
        if index[ref] is not hosts[0]:
            assert index[ref].recommendation.action == "nearest_line"
            assert index[ref].recommendation.line_room_ref == hosts[0].ref
            assert index[ref].recommendation.distance_m <= 30


def test_known_doors_replace_assumed_ones():
    from shapely.geometry import LineString, Point

    rooms = corridor_level(20)
    refs = [r.ref for r in rooms]
    # O00 opens onto the corridor at its west end and onto O01 through their shared wall;
    # O01 has no door of its own onto the corridor.
    doors = [Point(0.5, 2.0), LineString([(5.0, 3.5), (5.0, 4.5)])]
    distances = walking_distances(rooms, doors=doors)
    o01, o03 = refs.index("O01"), refs.index("O03")

    # O03 (assumed door at 17.5, 2) → along the corridor to 0.5 → across O00 to its door
    # at (5, 4) → O01's point (7.5, 4).
    expected = 2.0 + 17.0 + np.hypot(4.5, 2.0) + 2.5
    assert distances[o03, o01] == pytest.approx(expected, abs=0.05)
    assert walking_distances(rooms)[o03, o01] == pytest.approx(14.0, abs=0.1)


def test_door_on_the_envelope_is_ignored():
    from shapely.geometry import Point

    rooms = corridor_level(20)
    with_outside_door = walking_distances(rooms, doors=[Point(2.5, 6.0)])
    assert np.allclose(with_outside_door, walking_distances(rooms))


def test_recommend_uses_doors_of_the_level():
    from shapely.geometry import Point

    def level_with_line():
        rooms = corridor_level(40)
        index = by_ref(rooms)
        index["O00"].analog_line = True
        index["O05"].voice = "unreliable"
        return rooms, index

    # With assumed doors, O05 is 2 + 25 + 2 = 29 m from the line in O00.
    rooms, index = level_with_line()
    recommend(rooms, DEFAULT_POLICY)
    assert index["O05"].recommendation.line_room_ref == "O00"

    # The plan's doors send O05 through O06 and O07 to the corridor's east end: over 50 m.
    rooms, index = level_with_line()
    recommend(rooms, DEFAULT_POLICY, doors={1: [Point(39.5, 2.0), Point(30.0, 4.0), Point(35.0, 4.0)]})
    assert index["O05"].recommendation.line_room_ref != "O00"


def test_reasons_in_french_with_numbers():
    from survey.i18n import reset_language, set_language

    token = set_language("fr")
    try:
        rooms = corridor_level(40)
        index = by_ref(rooms)
        index["O00"].analog_line = True
        index["O02"].voice = "unreliable"
        recommend(rooms, DEFAULT_POLICY)
    finally:
        reset_language(token)
    reasons = " ".join(index["O02"].recommendation.reasons)
    assert "ligne analogique la plus proche en O00" in reasons
    assert "mesures utilisables pour la voix" in reasons
    assert " m" in reasons


def test_corridors_meet_without_drawn_doors():
    from shapely.geometry import Point

    # Two corridors end to end, each with an office whose only door is drawn.
    rooms = [
        room("C1", box(0, 0, 20, 2), voice="reliable", category="corridor"),
        room("C2", box(20, 0, 40, 2), voice="reliable", category="corridor"),
        room("A", box(0, 2, 5, 6), voice="reliable"),
        room("B", box(35, 2, 40, 6), voice="reliable"),
    ]
    distances = walking_distances(rooms, doors=[Point(2.5, 2.0), Point(37.5, 2.0)])
    # A's point (2.5, 4) → its door → along C1 to the corridors' shared wall at (20, 1) → C2 → B's door → B's point.
    expected = 2.0 + np.hypot(17.5, 1.0) + np.hypot(17.5, 1.0) + 2.0
    assert distances[2, 3] == pytest.approx(expected, abs=0.05)


def test_sample_plan_doors_give_walks(hospital_levels):
    from survey.plans.geojson import read

    for level, simulated in hospital_levels:
        imported = read(level.read_bytes(), level.name)[0]
        assert len(imported.doors) == sum(1 for space in simulated.rooms if space.door is not None)
        rooms = [room(space.ref, space.geometry, voice="reliable", category=space.category) for space in imported.rooms]
        distances = walking_distances(rooms, doors=imported.doors)
        assert np.isfinite(distances).all(), level.name

        # Two offices on one corridor: room point → door → straight along the corridor → door → room point.
        offices = [space for space in simulated.rooms if space.door is not None]
        by_corridor = {}
        for space in offices:
            by_corridor.setdefault(space.door.corridor_ref, []).append(space)
        first, second = max(by_corridor.values(), key=len)[:2]
        refs = [space.ref for space in imported.rooms]
        a, b = refs.index(first.ref), refs.index(second.ref)
        door_a, door_b = shapely.Point(first.door.x_m, first.door.y_m), shapely.Point(second.door.x_m, second.door.y_m)
        expected = (
            rooms[a].geometry.representative_point().distance(door_a)
            + door_a.distance(door_b)
            + door_b.distance(rooms[b].geometry.representative_point())
        )
        assert distances[a, b] == pytest.approx(expected, abs=0.01)
