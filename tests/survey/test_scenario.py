"""The benchmark scenarios of the simulator: floors, phones, walks and ground truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scenario_data import SMALL, SPINE, simulated

from survey.samples import SAMPLE_COLUMNS, SAMPLE_DTYPES
from survey.simulate.floors import FloorPlan
from survey.simulate.scenario import SENSITIVITY_DBM, Scenario, simulate_scenario


def test_samples_have_the_sample_table_shape():
    _rooms, samples, _truth = simulated(SMALL, 1)
    assert list(samples.columns) == SAMPLE_COLUMNS
    for column, dtype in SAMPLE_DTYPES.items():
        assert str(samples[column].dtype) == str(dtype), column


def test_phones_report_like_phones():
    _rooms, samples, _truth = simulated(SMALL, 1)
    in_service = samples[samples["service"] == "in_service"]
    dead = samples[samples["service"] == "no_service"]

    # 1 dB steps, one reading a second per phone, nothing reported without service.
    assert (in_service["rsrp_dbm"] == in_service["rsrp_dbm"].round()).all()
    assert (in_service["rsrp_dbm"] >= SENSITIVITY_DBM["lte"]).all()
    assert len(dead) > 0
    assert dead["rsrp_dbm"].isna().all()
    assert dead["technology"].isna().all()
    for _plmn, phone in samples.groupby("plmn"):
        steps = phone["time"].diff().dropna().dt.total_seconds()
        assert (steps == 1).all()


def test_floor_size_and_layout():
    rooms, _samples, truth = simulated(SPINE, 1)
    footprint = truth.level.footprint
    assert footprint.area == pytest.approx(SPINE.floor.area_m2)
    assert footprint.bounds == pytest.approx((0, 0, 50.0, SPINE.floor.depth_m))
    assert len([room for room in rooms if room.category == "corridor"]) == 1
    assert abs(len(rooms) - 1 - SPINE.floor.rooms) <= 3


def test_shielded_rooms_span_the_range():
    scenario = Scenario(floor=FloorPlan(length_m=40.0, rooms=24, shielded_rooms=5, shielding_db=(20.0, 100.0)))
    _rooms, _samples, truth = simulate_scenario(scenario, 3)
    losses = sorted(truth.rooms.drop_duplicates("ref").query("shielded")["extra_loss_db"])
    assert losses == pytest.approx([20.0, 40.0, 60.0, 80.0, 100.0])


def test_every_room_is_walked():
    rooms, samples, _truth = simulated(SMALL, 1)
    counts = samples[samples["plmn"] == "208-01"]["room_id"].value_counts()
    assert set(counts.index) == {room.room_id for room in rooms}
    assert counts.min() >= SMALL.min_samples


def test_brief_visits_give_few_samples():
    scenario = Scenario(floor=SMALL.floor, brief_room_fraction=0.25)
    rooms, samples, _truth = simulate_scenario(scenario, 2)
    counts = samples[samples["plmn"] == "208-01"]["room_id"].value_counts()
    brief = [room.room_id for room in rooms if counts.get(room.room_id, 0) < 8]
    assert len(brief) == pytest.approx(0.25 * (len(rooms) - 4), abs=1)


def test_denser_walk_gives_more_samples():
    sparse = simulate_scenario(Scenario(floor=SMALL.floor, area_per_sample_m2=3.0), 4)[1]
    dense = simulate_scenario(Scenario(floor=SMALL.floor, area_per_sample_m2=1.0), 4)[1]
    assert len(dense) > 1.5 * len(sparse)


def test_phone_falls_back_to_3g_where_lte_is_weak():
    scenario = Scenario(floor=SMALL.floor, bands=("L7", "U900"))
    _rooms, samples, _truth = simulate_scenario(scenario, 5)
    umts = samples[samples["technology"] == "umts"]
    assert len(umts) > 0
    assert umts["rscp_dbm"].notna().all()
    assert umts["rsrp_dbm"].isna().all()
    assert (umts["signal_dbm"] == umts["rscp_dbm"]).all()


def test_same_seed_same_survey():
    first = simulate_scenario(SMALL, 6)
    again = simulate_scenario(SMALL, 6)
    pd.testing.assert_frame_equal(first[1], again[1])
    pd.testing.assert_frame_equal(first[2].rooms, again[2].rooms)


def test_truth_grid_matches_room_truth():
    """The per-room truth medians come from the same field as the truth grid.

    Both sample the noise-free field, on grids of 0.5 m with different origins, so medians
    agree within the field's change over a quarter of a cell: 0.5 dB.
    """
    rooms, _samples, truth = simulated(SMALL, 1)
    grid = truth.grid("208-01", 0.5)
    table = truth.rooms[truth.rooms["plmn"] == "208-01"].set_index("room_id")
    for index, room in enumerate(rooms):
        cells = grid.values[grid.room_index == index]
        assert np.median(cells) == pytest.approx(table.at[room.room_id, "true_median_rsrp_dbm"], abs=0.5), room.ref


def test_invalid_scenario_names_the_setting():
    with pytest.raises(ValueError, match="layout"):
        simulate_scenario(Scenario(floor=FloorPlan(layout="ring")), 1)
    with pytest.raises(ValueError, match="bands"):
        simulate_scenario(Scenario(bands=("X9",)), 1)
