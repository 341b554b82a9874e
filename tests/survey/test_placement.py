import pandas as pd
import pytest
from shapely.geometry import box

from survey.errors import InputError
from survey.placement import assign_rooms, place_by_visits, place_on_track, read_track, read_visits
from survey.samples import conform

TRACK_CSV = b"time,x_m,y_m\n2026-11-03T09:00:00+01:00,0,0\n2026-11-03T09:00:10+01:00,10,0\n2026-11-03T09:00:20+01:00,10,5\n"


def samples_at(*times: str) -> pd.DataFrame:
    return conform(pd.DataFrame({"time": pd.to_datetime(list(times), utc=True), "plmn": "208-01", "technology": "lte", "service": "in_service"}))


def test_track_interpolates_linearly_in_time():
    track = read_track(TRACK_CSV, "track.csv", "Europe/Paris")
    samples = samples_at("2026-11-03T08:00:05Z", "2026-11-03T08:00:15Z", "2026-11-03T08:00:20Z")
    placed = place_on_track(samples, track, {None: 7})
    assert placed["x_m"].tolist() == [5.0, 10.0, 10.0]
    assert placed["y_m"].tolist() == [0.0, 2.5, 5.0]
    assert placed["level_id"].tolist() == [7, 7, 7]
    assert (placed["position_source"] == "track").all()


def test_samples_outside_track_stay_unplaced():
    track = read_track(TRACK_CSV, "track.csv", "Europe/Paris")
    samples = samples_at("2026-11-03T07:59:59Z", "2026-11-03T08:00:21Z")
    placed = place_on_track(samples, track, {None: 7})
    assert placed["x_m"].isna().all()
    assert (placed["position_source"] == "none").all()
    assert len(placed) == 2


def test_track_local_time_read_in_site_zone():
    track = read_track(b"time,x_m,y_m\n2026-11-03 09:00:00,0,0\n2026-11-03 09:00:10,10,0\n", "track.csv", "Europe/Paris")
    assert track.waypoints["time"].iloc[0] == pd.Timestamp("2026-11-03T08:00:00Z")


def test_track_with_level_column_changes_level():
    data = b"time,x_m,y_m,level\n2026-11-03T09:00:00Z,0,0,A\n2026-11-03T09:00:10Z,10,0,A\n2026-11-03T09:00:20Z,10,0,B\n2026-11-03T09:00:30Z,0,0,B\n"
    track = read_track(data, "track.csv", "UTC")
    placed = place_on_track(samples_at("2026-11-03T09:00:05Z", "2026-11-03T09:00:25Z"), track, {"A": 1, "B": 2})
    assert placed["level_id"].tolist() == [1, 2]
    assert placed["x_m"].tolist() == [5.0, 5.0]


def test_track_bad_rows_listed():
    with pytest.raises(InputError) as caught:
        read_track(b"time,x_m,y_m\n2026-11-03T09:00:00Z,0,0\nyesterday,abc,0\n", "track.csv", "UTC")
    lines = {(error.line, error.column) for error in caught.value.errors}
    assert lines == {(3, "time"), (3, "x_m")}
    assert caught.value.file == "track.csv"


def test_visits_place_samples_in_room():
    visits = read_visits(b"room,start,end\nB-101,2026-11-03T09:00:00Z,2026-11-03T09:00:30Z\n", "visits.csv", "UTC")
    placed = place_by_visits(samples_at("2026-11-03T09:00:10Z", "2026-11-03T09:01:00Z"), visits, {"B-101": (42, 3)})
    assert placed["room_id"].tolist()[0] == 42
    assert pd.isna(placed["room_id"].iloc[1])
    assert placed["position_source"].tolist() == ["room_visit", "none"]


def test_visits_unknown_room_rejected():
    visits = read_visits(b"room,start,end\nZZ,2026-11-03T09:00:00Z,2026-11-03T09:00:30Z\n", "visits.csv", "UTC")
    with pytest.raises(InputError) as caught:
        place_by_visits(samples_at("2026-11-03T09:00:10Z"), visits, {"B-101": (42, 3)})
    assert caught.value.value == "ZZ"


def test_visit_ending_before_start_rejected():
    with pytest.raises(InputError) as caught:
        read_visits(b"room,start,end\nB-101,2026-11-03T09:00:30Z,2026-11-03T09:00:00Z\n", "visits.csv", "UTC")
    assert caught.value.errors[0].line == 2


def test_assign_rooms_from_positions():
    samples = samples_at("2026-11-03T09:00:00Z", "2026-11-03T09:00:01Z", "2026-11-03T09:00:02Z")
    samples["level_id"] = pd.array([5, 5, 5], dtype="Int64")
    samples["x_m"] = [1.0, 6.0, 50.0]
    samples["y_m"] = [1.0, 1.0, 1.0]
    placed = assign_rooms(samples, 5, [(10, box(0, 0, 5, 5)), (11, box(5, 0, 10, 5))])
    assert placed["room_id"].iloc[0] == 10
    assert placed["room_id"].iloc[1] == 11
    assert pd.isna(placed["room_id"].iloc[2])


def test_track_gap_time_read_like_logs():
    # 02:30 on 2026-03-29 does not exist in Paris; logs read it shifted by the gap's length
    # (PEP 495, fold=0), so a waypoint at that time must land on the same instant.
    from survey.parsers.common import localize

    track = read_track(b"time,x_m,y_m\n2026-03-29 01:30:00,0,0\n2026-03-29 02:30:00,10,0\n", "track.csv", "Europe/Paris")
    expected, _notes = localize(pd.Series(pd.to_datetime(["2026-03-29 02:30:00"])), "Europe/Paris")
    assert track.waypoints["time"].iloc[1] == expected.iloc[0]
    assert track.waypoints["time"].iloc[1] == pd.Timestamp("2026-03-29T01:30:00Z")
    assert len(track.notes) == 1


def test_visits_fold_time_noted():
    visits = read_visits(b"room,start,end\nB-101,2026-10-25 02:10:00,2026-10-25 02:40:00\n", "visits.csv", "Europe/Paris")
    assert visits["start"].iloc[0] == pd.Timestamp("2026-10-25T00:10:00Z")
    assert len(visits.attrs["notes"]) == 1
