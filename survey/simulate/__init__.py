"""Simulator of a hospital and of a cellular survey in it, for the demo and the tests.

:func:`build_hospital` makes a four-level hospital of rooms, :class:`RadioModel` gives the
LTE signal of three operators at any point, :func:`walk_level` walks a technician through a
level, and :func:`write_sample_hospital` writes the plans, the room registry, the phone logs
and the ground truth. ``python -m survey.simulate OUT_DIR`` does the last from the command line.

For benchmarks and numerics tests, :func:`simulate_scenario` draws a floor of any size and
layout (:class:`FloorPlan`) with its cells, walks it at a chosen density and returns the rooms,
the sample table and the ground truth of a :class:`Scenario`.
"""

from survey.simulate.building import Door, Hospital, Level, Room, build_hospital
from survey.simulate.floors import FloorPlan, build_floor
from survey.simulate.radio import OPERATORS, STATIONS, RadioModel, Station
from survey.simulate.sample_hospital import write_sample_hospital
from survey.simulate.scenario import Scenario, ScenarioTruth, simulate_scenario, survey_scenario
from survey.simulate.walk import Walk, plan_walk, walk_level

__all__ = [
    "OPERATORS",
    "STATIONS",
    "Door",
    "FloorPlan",
    "Hospital",
    "Level",
    "RadioModel",
    "Room",
    "Scenario",
    "ScenarioTruth",
    "Station",
    "Walk",
    "build_floor",
    "build_hospital",
    "plan_walk",
    "simulate_scenario",
    "survey_scenario",
    "walk_level",
    "write_sample_hospital",
]
