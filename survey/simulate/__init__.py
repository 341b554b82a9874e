"""Simulator of a hospital and of a cellular survey in it, for the demo and the tests.

:func:`build_hospital` makes a four-level hospital of rooms, :class:`RadioModel` gives the
LTE signal of three operators at any point, :func:`walk_level` walks a technician through a
level, and :func:`write_sample_hospital` writes the plans, the room registry, the phone logs
and the ground truth. ``python -m survey.simulate OUT_DIR`` does the last from the command line.
"""

from survey.simulate.building import Door, Hospital, Level, Room, build_hospital
from survey.simulate.radio import OPERATORS, STATIONS, RadioModel, Station
from survey.simulate.sample_hospital import write_sample_hospital
from survey.simulate.walk import Walk, plan_walk, walk_level

__all__ = [
    "OPERATORS",
    "STATIONS",
    "Door",
    "Hospital",
    "Level",
    "RadioModel",
    "Room",
    "Station",
    "Walk",
    "build_hospital",
    "plan_walk",
    "walk_level",
    "write_sample_hospital",
]
