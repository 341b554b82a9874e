"""Small seeded scenarios shared by the numerics tests: quick to simulate, with ground truth."""

from __future__ import annotations

from functools import cache

from survey.simulate.floors import FloorPlan
from survey.simulate.scenario import Scenario, simulate_scenario

# A 40 m racetrack floor (about 1,100 m²) with 24 rooms, 3 of them shielded.
SMALL = Scenario(name="small", floor=FloorPlan(length_m=40.0, rooms=24, shielded_rooms=3))
SPINE = Scenario(name="spine", floor=FloorPlan(layout="spine", length_m=50.0, rooms=20, shielded_rooms=3))


@cache
def simulated(scenario: Scenario, seed: int):
    """Return (rooms, samples, truth) of a scenario, simulated once per test session."""
    return simulate_scenario(scenario, seed)
