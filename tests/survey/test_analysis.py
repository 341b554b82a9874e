import math

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from survey.analysis import _combined_voice, _fill_shielding, _fill_verdicts, usable_for_voice, wilson_interval
from survey.policy import DEFAULT_POLICY
from survey.results import OperatorVerdict, RoomResult
from survey.samples import conform


def room(room_id: int, geometry, criticality: str = "normal") -> RoomResult:
    return RoomResult(room_id, 1, "L0", f"R{room_id}", f"Room {room_id}", "office", criticality, False, "", geometry.area, geometry)


def samples_in(room_id: int, rsrp: list[float | None], plmn: str = "208-01", sinr: float | None = 10.0) -> pd.DataFrame:
    service = ["no_service" if value is None else "in_service" for value in rsrp]
    return conform(
        pd.DataFrame(
            {
                "time": pd.Timestamp("2026-11-03T09:00:00Z"),
                "room_id": room_id,
                "level_id": 1,
                "plmn": plmn,
                "technology": ["lte" if value is not None else None for value in rsrp],
                "service": service,
                "rsrp_dbm": [np.nan if value is None else value for value in rsrp],
                "sinr_db": sinr,
            }
        )
    )


def test_usable_needs_rsrp_sinr_and_voice_technology():
    frame = conform(
        pd.DataFrame(
            {
                "time": pd.Timestamp("2026-11-03T09:00:00Z"),
                "technology": ["lte", "lte", "lte", "umts", "nr", None],
                "service": ["in_service"] * 5 + ["no_service"],
                "rsrp_dbm": [-110, -111, -100, np.nan, -95, np.nan],
                "rscp_dbm": [np.nan, np.nan, np.nan, -70, np.nan, np.nan],
                "sinr_db": [0, 5, -1, np.nan, np.nan, np.nan],
            }
        )
    )
    assert usable_for_voice(frame, DEFAULT_POLICY).tolist() == [True, False, False, False, True, False]


def test_wilson_interval_known_values():
    low, high = wilson_interval(95, 100)
    assert low == pytest.approx(0.8882, abs=1e-4)
    assert high == pytest.approx(0.9785, abs=1e-4)
    assert all(math.isnan(value) for value in wilson_interval(0, 0))


def test_verdicts_by_pass_rate_and_count():
    rooms = [room(1, box(0, 0, 4, 4)), room(2, box(4, 0, 8, 4), "vital"), room(3, box(8, 0, 12, 4))]
    samples = pd.concat(
        [
            samples_in(1, [-90] * 19 + [-115]),  # 95 %: reliable for a normal room
            samples_in(2, [-90] * 19 + [None]),  # 95 %: unreliable for a vital room (99 %)
            samples_in(3, [-90] * 5),  # too few samples
        ],
        ignore_index=True,
    )
    _fill_verdicts(rooms, samples, [("208-01", "Orange")], DEFAULT_POLICY)
    verdicts = [r.verdicts[0] for r in rooms]
    assert [v.verdict for v in verdicts] == ["reliable", "unreliable", "insufficient_data"]
    assert verdicts[1].no_service == 1
    assert verdicts[1].pass_rate == pytest.approx(0.95)
    assert verdicts[0].rsrp_p10_dbm == pytest.approx(-90.0)


def test_no_service_counts_in_low_percentile():
    rooms = [room(1, box(0, 0, 4, 4))]
    _fill_verdicts(rooms, samples_in(1, [None] * 10 + [-90] * 10), [("208-01", "Orange")], DEFAULT_POLICY)
    assert rooms[0].verdicts[0].rsrp_p10_dbm == -140.0


def verdict(plmn: str, state: str) -> OperatorVerdict:
    return OperatorVerdict(plmn, plmn, state, 20, 20, 0, 10, 0.95, 1.0, 0.9, 1.0, -90.0, -85.0)


@pytest.mark.parametrize(
    ("states", "required", "expected"),
    [
        (["reliable", "unreliable"], ["any"], "reliable"),
        (["unreliable", "unreliable"], ["any"], "unreliable"),
        (["unreliable", "insufficient_data"], ["any"], "insufficient_data"),
        (["reliable", "unreliable"], ["208-01", "208-10"], "unreliable"),
        (["reliable", "unreliable"], ["208-01"], "reliable"),
        (["reliable"], ["208-10"], "insufficient_data"),
    ],
)
def test_combined_voice(states, required, expected):
    verdicts = [verdict(plmn, state) for plmn, state in zip(["208-01", "208-10"], states)]
    assert _combined_voice(verdicts, required) == expected


def test_shielded_room_detected_against_neighbours():
    # A corridor between two offices, with a dead room at the end of it.
    rooms = [room(1, box(0, 0, 10, 2)), room(2, box(0, 2, 5, 6)), room(3, box(5, 2, 10, 6)), room(4, box(10, 0, 14, 6))]
    samples = pd.concat(
        [samples_in(1, [-90] * 10), samples_in(2, [-95] * 10), samples_in(3, [-92] * 10), samples_in(4, [-118] * 5 + [None] * 6)],
        ignore_index=True,
    )
    _fill_verdicts(rooms, samples, [("208-01", "Orange")], DEFAULT_POLICY)
    _fill_shielding(rooms, samples, DEFAULT_POLICY)
    assert [r.shielded for r in rooms] == [False, False, False, True]
    # Neighbours of room 4: corridor (-90) and room 3 (-92); their upper quartile is -90.5 dBm
    # and the room's median is -140 dBm, since more than half its samples have no service.
    assert rooms[3].attenuation_db == pytest.approx(49.5)


def test_shielding_ignores_shielded_neighbour():
    # Two shielded rooms side by side must both be found, each next to a covered corridor.
    rooms = [room(1, box(0, 0, 20, 2)), room(2, box(0, 2, 5, 6)), room(3, box(5, 2, 10, 6))]
    samples = pd.concat([samples_in(1, [-85] * 10), samples_in(2, [-125] * 10), samples_in(3, [-128] * 10)], ignore_index=True)
    _fill_verdicts(rooms, samples, [("208-01", "Orange")], DEFAULT_POLICY)
    _fill_shielding(rooms, samples, DEFAULT_POLICY)
    assert [r.shielded for r in rooms] == [False, True, True]
    assert rooms[1].attenuation_db == pytest.approx(40.0)
