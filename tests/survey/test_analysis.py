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


def test_all_technologies_counts_3g():
    rooms = [room(1, box(0, 0, 4, 4))]
    samples = conform(
        pd.DataFrame(
            {
                "time": pd.Timestamp("2026-11-03T09:00:00Z"),
                "room_id": 1,
                "level_id": 1,
                "plmn": "208-01",
                "technology": ["lte"] * 10 + ["umts"] * 10,
                "service": "in_service",
                "rsrp_dbm": [-90.0] * 10 + [np.nan] * 10,
                "rscp_dbm": [np.nan] * 10 + [-95.0] * 9 + [-110.0],
                "sinr_db": 10.0,
            }
        )
    )
    _fill_verdicts(rooms, samples, [("208-01", "Orange")], DEFAULT_POLICY)
    verdict = rooms[0].verdicts[0]
    # LTE/NR only: the 3G samples fail; all technologies: 19 of 20 reach -105 dBm RSCP.
    assert verdict.pass_rate == pytest.approx(0.5)
    assert verdict.verdict == "unreliable"
    assert verdict.all_technologies.pass_rate == pytest.approx(0.95)
    assert verdict.all_technologies.verdict == "reliable"
    assert rooms[0].voice == "unreliable"
    assert rooms[0].voice_all_technologies == "reliable"
    assert verdict.as_dict()["all_technologies"]["technologies"] == "all"


def test_decisive_when_interval_clears_the_rate():
    rooms = [room(1, box(0, 0, 4, 4)), room(2, box(4, 0, 8, 4)), room(3, box(8, 0, 12, 4))]
    samples = pd.concat(
        [
            samples_in(1, [-90] * 200),  # 100 % of 200: Wilson low bound 0.981 > 0.95
            samples_in(2, [-90] * 19 + [-115]),  # 95 % of 20: the interval straddles 0.95
            samples_in(3, [-120] * 20),  # 0 %: wholly below
        ],
        ignore_index=True,
    )
    _fill_verdicts(rooms, samples, [("208-01", "Orange")], DEFAULT_POLICY)
    assert [r.verdicts[0].decisive for r in rooms] == [True, False, True]
    assert [r.verdicts[0].verdict for r in rooms] == ["reliable", "reliable", "unreliable"]


def test_wilson_interval_edges():
    # All successes: the upper bound is 1 and the lower bound leaves room for failures.
    low, high = wilson_interval(20, 20)
    assert high == pytest.approx(1.0)
    assert low == pytest.approx(0.8389, abs=1e-4)
    low, high = wilson_interval(0, 20)
    assert low == pytest.approx(0.0)
    assert high == pytest.approx(0.1611, abs=1e-4)


def test_json_keeps_the_documented_keys():
    rooms = [room(1, box(0, 0, 4, 4))]
    _fill_verdicts(rooms, samples_in(1, [-90] * 20), [("208-01", "Orange")], DEFAULT_POLICY)
    data = rooms[0].as_dict()
    for key in ("level", "ref", "name", "category", "criticality", "analog_line", "shielded", "attenuation_db", "verdicts", "recommendation"):
        assert key in data
    for key in ("plmn", "operator", "verdict", "samples", "pass_rate", "rsrp_p10_dbm"):
        assert key in data["verdicts"][0]


def test_shielding_compares_both_sides_of_each_wall():
    # A 30 m corridor whose signal falls from -80 dBm (west) to -110 dBm (east), and an
    # office at its west end at -97 dBm. The office is 17 dB below the corridor's median but
    # only 3 dB below the corridor where they touch, and samples placed by x, y compare the latter.
    corridor = box(0, 0, 30, 2)
    office = box(0, 2, 5, 6)
    rooms = [room(1, corridor), room(2, office)]
    x = np.linspace(0.5, 29.5, 60)
    corridor_samples = samples_in(1, list(-80 - (x - 0.5)))
    corridor_samples["x_m"], corridor_samples["y_m"] = x, 1.0
    office_samples = samples_in(2, [-97.0] * 20)
    office_samples["x_m"], office_samples["y_m"] = np.linspace(0.5, 4.5, 20), 3.0
    samples = pd.concat([corridor_samples, office_samples], ignore_index=True)
    _fill_verdicts(rooms, samples, [("208-01", "Orange")], DEFAULT_POLICY)
    _fill_shielding(rooms, samples, DEFAULT_POLICY)
    assert not rooms[1].shielded
    assert rooms[1].attenuation_db < 15
