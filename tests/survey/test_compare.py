"""Comparison of two surveys of one floor, before and after 15 dB were added in some rooms."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import shapely

from survey.analysis import _fill_shielding, _fill_verdicts, _operators
from survey.compare import compare_analyses
from survey.policy import DEFAULT_POLICY
from survey.results import LevelResult, SiteAnalysis
from survey.simulate.floors import FloorPlan
from survey.simulate.scenario import Scenario, simulate_scenario, survey_scenario

BOOST_DB = 15.0
# Shielded rooms of 20, 25 and 30 dB: the boost brings them to 5, 10 and 15 dB.
SCENARIO = Scenario(floor=FloorPlan(length_m=40.0, rooms=24, shielded_rooms=3, shielding_db=(20.0, 30.0)))
SEED = 21


def analysis_of(rooms, samples: pd.DataFrame, name: str) -> SiteAnalysis:
    rooms = copy.deepcopy(rooms)
    operators = _operators(samples, {})
    _fill_verdicts(rooms, samples, operators, DEFAULT_POLICY)
    _fill_shielding(rooms, samples, DEFAULT_POLICY)
    level = LevelResult(1, "A", "L0", 0, rooms, samples)
    return SiteAnalysis(1, "Site", "Europe/Paris", DEFAULT_POLICY, operators, [level], [name], None, None, 0)


@pytest.fixture(scope="module")
def comparison():
    rooms, before, truth = simulate_scenario(SCENARIO, SEED)
    boosted = [room for room in truth.level.rooms if room.shielded]

    # An indoor antenna system: 15 dB more of every operator in the boosted rooms.
    level_terms = truth.model._level_terms

    def with_antennas(plmn, level, x, y):
        inside = np.zeros(len(x), dtype=bool)
        for room in boosted:
            inside |= shapely.contains_xy(room.polygon, x, y)
        return level_terms(plmn, level, x, y) + np.where(inside, BOOST_DB, 0.0)

    truth.model._level_terms = with_antennas
    after = survey_scenario(truth, SEED)
    result = compare_analyses(analysis_of(rooms, before, "before"), analysis_of(rooms, after, "after"))
    return result, {room.ref for room in boosted}, before, after


def test_same_walk_before_and_after(comparison):
    _result, _boosted, before, after = comparison
    assert before[["time", "x_m", "y_m", "room_id"]].equals(after[["time", "x_m", "y_m", "room_id"]])


def test_boosted_rooms_gain_15_db(comparison):
    """Where a phone kept service in both surveys, the median rises by exactly 15 dB.

    Both surveys share positions and fading draws, and the phones round to 1 dB, so an
    integer boost moves every in-service reading by exactly 15 dB.
    """
    result, boosted, _before, _after = comparison
    checked = 0
    for room in result.rooms:
        for change in room.operators:
            if room.ref in boosted and change.median_before_dbm is not None and change.median_before_dbm > -124:
                assert change.median_change_db == pytest.approx(BOOST_DB), (room.ref, change.plmn)
                checked += 1
    assert checked >= 1


def test_other_rooms_do_not_change(comparison):
    result, boosted, _before, _after = comparison
    for room in result.rooms:
        if room.ref in boosted:
            continue
        for change in room.operators:
            assert change.change == "same", (room.ref, change.plmn)
            assert change.median_change_db == 0.0


def test_boosted_rooms_only_improve(comparison):
    result, boosted, _before, _after = comparison
    changes = [change.change for room in result.rooms if room.ref in boosted for change in room.operators]
    assert "worsened" not in changes
    assert result.summary()["verdicts"]["worsened"] == 0


def test_lightly_shielded_rooms_are_no_longer_shielded(comparison):
    result, boosted, _before, _after = comparison
    summary = result.summary()
    assert summary["newly_shielded"] == []
    assert set(summary["no_longer_shielded"]) <= boosted
    assert len(summary["no_longer_shielded"]) >= 1


def test_comparison_as_dict(comparison):
    result, _boosted, _before, _after = comparison
    data = result.as_dict()
    assert data["before"] == ["before"]
    assert data["after"] == ["after"]
    assert {"verdicts", "newly_shielded", "no_longer_shielded"} <= set(data["summary"])
    first = data["rooms"][0]["operators"][0]
    assert {"verdict_before", "verdict_after", "change", "pass_rate_change", "median_change_db"} <= set(first)


def test_partial_second_survey_leaves_other_rooms_uncompared(comparison):
    # The second survey walks only the boosted rooms, as after antennas on part of a floor.
    _result, boosted, before, after = comparison
    rooms, _samples, _truth = simulate_scenario(SCENARIO, SEED)
    ids = {room.room_id for room in rooms if room.ref in boosted}
    partial = after[after["room_id"].isin(ids)].reset_index(drop=True)

    result = compare_analyses(analysis_of(rooms, before, "before"), analysis_of(rooms, partial, "after"))
    counts = result.summary()["verdicts"]

    others = [change for room in result.rooms if room.ref not in boosted for change in room.operators]
    assert others
    assert all(change.change in ("unmeasured", "same") for change in others)
    assert counts["unmeasured"] == sum(change.change == "unmeasured" for change in others)
    assert counts["unmeasured"] > 0
    assert counts["changed"] == 0
    # A room the second survey did not enter is neither newly nor no longer shielded.
    assert set(result.summary()["no_longer_shielded"]) <= boosted
    assert all(room.shielding_change is None for room in result.rooms if room.ref not in boosted)
