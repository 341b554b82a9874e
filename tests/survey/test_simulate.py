"""Tests of the hospital simulator: plan, radio model, walk and the files it writes."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from survey.categories import CATEGORIES
from survey.simulate import RadioModel, build_hospital, plan_walk, walk_level, write_sample_hospital
from survey.simulate.radio import SENSITIVITY_DBM
from survey.simulate.walls import crossing_parameters

SEED = 2026
TIMEZONE = "Europe/Paris"
GNETTRACK_HEADER = (
    "Timestamp\tLongitude\tLatitude\tOperatorname\tOperator\tCellname\tNode\tCellID\tLAC\t"
    "NetworkTech\tLevel\tQual\tSNR\tCQI\tLTERSSI\tARFCN\tPSC\tAltitude\tDistance\tTA\tBAND"
)
LEVEL_0_LOGS = [f"{name}_2026.11.03_09.00.00.txt" for name in ("Orange", "SFR", "Free")]
LEVEL_2_LOGS = [f"{name}_2026.11.04_09.45.00.txt" for name in ("Orange", "SFR", "Free")]


@pytest.fixture(scope="module")
def hospital():
    return build_hospital(SEED)


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory) -> Path:
    out_dir = tmp_path_factory.mktemp("hospital")
    write_sample_hospital(out_dir, seed=SEED)
    return out_dir


@pytest.fixture(scope="module")
def ground_truth(sample_dir) -> dict:
    return json.loads((sample_dir / "ground_truth.json").read_text(encoding="utf-8"))


def read_gnettrack(path: Path) -> pd.DataFrame:
    # Data rows have one field more than the header: the empty one after the trailing tab.
    names = GNETTRACK_HEADER.split("\t") + ["trailing"]
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, names=names, skiprows=1)
    frame["time"] = pd.to_datetime(frame["Timestamp"], format="%Y.%m.%d_%H.%M.%S").dt.tz_localize(TIMEZONE)
    return frame


def read_track(path: Path) -> pd.DataFrame:
    track = pd.read_csv(path)
    track["time"] = pd.to_datetime(track["time"], format="ISO8601", utc=True)
    return track


def interpolate(track: pd.DataFrame, times: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    track_seconds = track["time"].astype("int64").to_numpy() / 1e9
    seconds = times.dt.tz_convert("UTC").astype("int64").to_numpy() / 1e9
    return (np.interp(seconds, track_seconds, track["x_m"]), np.interp(seconds, track_seconds, track["y_m"]))


# The plan.

def test_hospital_size_and_shielding(hospital):
    rooms = hospital.rooms
    shielded = [room for room in rooms if room.shielded]
    assert len(rooms) >= 90
    assert len(shielded) >= 8
    assert [level.ordinal for level in hospital.levels] == [-1, 0, 1, 2]
    assert len({level.ordinal for level in hospital.levels if any(r.shielded for r in level.rooms)}) >= 3
    assert not [room.ref for room in shielded if room.category == "corridor"]


def test_room_refs_and_categories_valid(hospital):
    refs = [room.ref for room in hospital.rooms]
    assert len(refs) == len(set(refs))
    assert {room.category for room in hospital.rooms} <= set(CATEGORIES)
    assert {room.criticality for room in hospital.rooms} <= {"vital", "high", "normal", "low"}


def test_rooms_tile_without_overlap(hospital):
    for level in hospital.levels:
        polygons = [room.polygon for room in level.rooms]
        tree = shapely.STRtree(polygons)
        pairs = tree.query(polygons, predicate="overlaps")
        assert pairs.shape[1] == 0, f"overlapping rooms on level {level.ordinal}"
        total = sum(polygon.area for polygon in polygons)
        assert total == pytest.approx(level.footprint.area)
        assert level.footprint.area == pytest.approx(70 * 25)


def test_neighbours_share_edge_vertices(hospital):
    for level in hospital.levels:
        rooms = level.rooms
        shared_walls = 0
        for a, b in itertools.combinations(rooms, 2):
            common = a.polygon.intersection(b.polygon)
            if common.is_empty or common.length == 0:
                continue
            shared_walls += 1
            vertices_a = {tuple(c) for c in np.round(a.polygon.exterior.coords, 6)}
            vertices_b = {tuple(c) for c in np.round(b.polygon.exterior.coords, 6)}
            for point in np.round(shapely.get_coordinates(common), 6):
                assert tuple(point) in vertices_a, f"{a.ref} lacks a vertex shared with {b.ref}"
                assert tuple(point) in vertices_b, f"{b.ref} lacks a vertex shared with {a.ref}"
        assert shared_walls >= len(rooms)


def test_analog_lines_have_fake_numbers(hospital):
    with_line = [room for room in hospital.rooms if room.analog_line]
    assert 10 <= len(with_line) <= 15
    assert any(room.shielded for room in with_line)
    assert any(not room.shielded for room in with_line)
    for room in with_line:
        assert re.fullmatch(r"01 00 00 00 \d\d", room.line_number), room.line_number
    assert all(room.line_number is None for room in hospital.rooms if not room.analog_line)


def test_every_room_has_door_on_corridor(hospital):
    for level in hospital.levels:
        corridors = {room.ref for room in level.rooms if room.category == "corridor"}
        for room in level.rooms:
            if room.category == "corridor":
                continue
            assert room.door.corridor_ref in corridors
            inside_x, inside_y = room.door.inside()
            outside_x, outside_y = room.door.outside()
            assert level.locate([inside_x], [inside_y])[0] == room.ref
            assert level.locate([outside_x], [outside_y])[0] == room.door.corridor_ref


# The radio model.

def test_wall_crossings_match_shapely(hospital):
    level = hospital.level(0)
    rng = np.random.default_rng(7)
    starts = np.column_stack([rng.uniform(-100, 170, 300), rng.uniform(-100, 125, 300)])
    ends = np.column_stack([rng.uniform(0, 70, 300), rng.uniform(0, 25, 300)])
    _, crosses = crossing_parameters(starts, ends, level.walls.start, level.walls.end)

    segments = shapely.linestrings(np.stack([level.walls.start, level.walls.end], axis=1))
    walls = shapely.multilinestrings(segments)
    rays = shapely.linestrings(np.stack([starts, ends], axis=1))
    expected = shapely.get_num_coordinates(shapely.intersection(rays, walls))
    assert (crosses.sum(axis=1) == expected).all()
    assert expected.max() >= 5


def test_true_rsrp_is_vectorized(hospital):
    model = RadioModel(hospital, SEED)
    x = np.array([10.0, 35.5, 60.2])
    y = np.array([3.0, 12.0, 21.5])
    together = model.true_rsrp_dbm("208-01", 1, x, y)
    one_by_one = [model.true_rsrp_dbm("208-01", 1, x[i:i + 1], y[i:i + 1])[0] for i in range(3)]
    assert together.shape == (3,)
    assert together == pytest.approx(one_by_one)
    assert model.true_rsrp_dbm("208-01", 1, x, y) == pytest.approx(together)


def test_shielding_lowers_true_rsrp(hospital):
    model = RadioModel(hospital, SEED)
    mri = next(room for room in hospital.level(0).rooms if room.category == "mri")
    centre = mri.polygon.centroid
    inside = model.true_rsrp_dbm("208-01", 0, np.array([centre.x]), np.array([centre.y]))[0]
    outside = model.true_rsrp_dbm("208-01", 0, np.array([centre.x]), np.array([7.2]))[0]
    assert outside - inside > 50
    assert inside < SENSITIVITY_DBM


def test_measure_reports_like_a_phone(hospital):
    model = RadioModel(hospital, SEED)
    x = np.linspace(1, 69, 400)
    y = np.full(400, 7.2)
    readings = model.measure("208-10", 0, x, y, np.random.default_rng(1))
    in_service = readings[readings["service"] == "in_service"]
    assert len(in_service) > 300
    assert (in_service["rsrp_dbm"] == in_service["rsrp_dbm"].round()).all()
    assert in_service["rsrq_db"].between(-20, -3).all()
    assert (in_service["rssi_dbm"] - in_service["rsrp_dbm"]).between(20, 35).all()
    assert (in_service["rsrp_dbm"] >= SENSITIVITY_DBM).all()
    again = model.measure("208-10", 0, x, y, np.random.default_rng(2))
    assert not readings["rsrp_dbm"].equals(again["rsrp_dbm"])


def test_shielded_rooms_below_neighbours(hospital, ground_truth):
    medians = {room["ref"]: room["true_median_rsrp_dbm"] for room in ground_truth["rooms"]}
    plmns = [operator["plmn"] for operator in ground_truth["operators"]]
    for level in hospital.levels:
        for room in level.rooms:
            if not room.shielded:
                continue
            neighbours = [other.ref for other in level.rooms
                          if other is not room and room.polygon.intersection(other.polygon).length > 0]
            gaps = [np.median([medians[ref][plmn] for ref in neighbours]) - medians[room.ref][plmn]
                    for plmn in plmns]
            assert max(gaps) >= 15, f"{room.ref} is only {max(gaps):.1f} dB below its neighbours"


def test_ordinary_rooms_mostly_usable(ground_truth):
    above_ground = [room for room in ground_truth["rooms"]
                    if room["level_ordinal"] >= 0 and not room["shielded"]]
    for plmn in ("208-01", "208-10", "208-15"):
        medians = np.array([room["true_median_rsrp_dbm"][plmn] for room in above_ground])
        assert np.mean(medians >= -105) > 0.85, plmn
        assert np.mean(medians >= -75) < 0.1, plmn
    marginal = [room["ref"] for room in above_ground
                if min(room["true_median_rsrp_dbm"].values()) < -108]
    assert 1 <= len(marginal) <= 30


# The walk.

def test_walk_covers_every_room(hospital):
    level = hospital.level(1)
    _, positions = walk_level(level, pd.Timestamp("2026-11-04 09:00:00", tz=TIMEZONE), seed=3)
    counts = positions["room_ref"].value_counts()
    for room in level.rooms:
        assert counts.get(room.ref, 0) >= max(12, room.area_m2 / 3), room.ref
    assert positions["room_ref"].notna().all()
    steps = np.hypot(np.diff(positions["x_m"]), np.diff(positions["y_m"]))
    assert steps.max() <= 1.2


def test_track_reproduces_positions(hospital, tmp_path):
    from survey.simulate.writers import write_track_csv

    level = hospital.level(0)
    waypoints, positions = walk_level(level, pd.Timestamp("2026-11-03 09:00:00", tz=TIMEZONE), seed=5)
    write_track_csv(tmp_path / "track.csv", waypoints)
    x, y = interpolate(read_track(tmp_path / "track.csv"), positions["time"])
    assert np.abs(x - positions["x_m"]).max() < 0.01
    assert np.abs(y - positions["y_m"]).max() < 0.01


def test_visits_match_rooms(hospital):
    level = hospital.level(2)
    walk = plan_walk(level, pd.Timestamp("2026-11-04 09:45:00", tz=TIMEZONE), seed=9)
    assert sorted(walk.visits["room"]) == sorted(room.ref for room in level.rooms)
    room_at = walk.positions.set_index("time")["room_ref"]
    for visit in walk.visits.itertuples():
        assert (room_at[visit.start:visit.end] == visit.room).all(), visit.room
        second = pd.Timedelta(seconds=1)
        assert room_at.get(visit.start - second) != visit.room, visit.room
        assert room_at.get(visit.end + second) != visit.room or visit.room.endswith("-001"), visit.room


# The files.

def test_gnettrack_log_format(sample_dir):
    data = (sample_dir / LEVEL_0_LOGS[0]).read_bytes()
    lines = data.split(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert lines[-1] == b""
    assert lines[0].decode() == GNETTRACK_HEADER
    for line in lines[1:-1]:
        fields = line.decode().split("\t")
        assert len(fields) == 22
        assert fields[-1] == ""
    first = lines[1].decode().split("\t")
    assert first[0] == "2026.11.03_09.00.00"
    assert first[3:5] == ["Orange", "20801"]
    assert first[9] == "4G"


def test_gnettrack_snr_per_phone(sample_dir):
    sfr = read_gnettrack(sample_dir / LEVEL_0_LOGS[1])
    orange = read_gnettrack(sample_dir / LEVEL_0_LOGS[0])
    assert set(sfr.loc[sfr["NetworkTech"] == "4G", "SNR"]) == {"0.0"}
    assert orange.loc[orange["NetworkTech"] == "4G", "SNR"].nunique() > 20
    assert (sfr["Operator"][sfr["NetworkTech"] == "4G"] == "20810").all()


def test_gnettrack_drops_and_repeats_seconds(sample_dir):
    log = read_gnettrack(sample_dir / LEVEL_0_LOGS[2])
    gaps = log["time"].diff().dt.total_seconds().dropna()
    assert (gaps == 0).sum() >= 1
    assert (gaps == 2).sum() >= 1
    assert gaps.isin([0, 1, 2, 3]).all()


def test_no_coverage_inside_shielded_rooms(sample_dir, hospital, ground_truth):
    level = hospital.level(0)
    shielded = {room["ref"] for room in ground_truth["rooms"] if room["shielded"]}
    mri = next(room.ref for room in level.rooms if room.category == "mri")
    track = read_track(sample_dir / "track_level_0.csv")
    for name in LEVEL_0_LOGS:
        log = read_gnettrack(sample_dir / name)
        rooms = level.locate(*interpolate(track, log["time"]))
        no_coverage = log["Operatorname"] == "NO_COVERAGE"
        assert no_coverage.sum() > 10, name
        assert set(rooms[no_coverage]) & shielded, name
        assert no_coverage[rooms == mri].all(), name
        coverage_lost = log[no_coverage]
        assert (coverage_lost["Level"] == "-200").all()
        assert (coverage_lost["CellID"] == "-1").all()
        assert (coverage_lost["NetworkTech"] == "--").all()
        assert (coverage_lost["Operator"] == "").all()


def test_native_csv_french_dialect(sample_dir):
    raw = (sample_dir / "native_level_-1_orange.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["time", "x_m", "y_m"]
    assert re.fullmatch(r"\d+,\d\d", body[0][1])
    assert body[0][0].endswith("Z")
    assert body[0][3] == "208-01"
    no_service = [row for row in body if row[header.index("service")] == "no_service"]
    assert no_service
    assert all(row[header.index("rsrp_dbm")] == "" for row in no_service)


def test_native_csv_comma_dialect(sample_dir):
    frame = pd.read_csv(sample_dir / "native_level_-1_sfr.csv")
    assert frame["plmn"].eq("208-10").all()
    assert frame["sinr_db"].isna().all()
    assert set(frame["service"]) == {"in_service", "no_service"}
    times = pd.to_datetime(frame["time"], format="%Y-%m-%dT%H:%M:%SZ", utc=True)
    assert times.iloc[0].tz_convert(TIMEZONE).date().isoformat() == "2026-11-03"


def test_plans_and_registry(sample_dir, hospital):
    registry = pd.read_csv(sample_dir / "rooms.csv", dtype=str, keep_default_na=False)
    expected = ["ref", "name", "category", "criticality", "analog_line", "line_number", "notes"]
    assert list(registry.columns) == expected
    assert set(registry["analog_line"]) == {"yes", "no"}
    rooms = 0
    for level in hospital.levels:
        plan_path = sample_dir / "plans" / f"level_{level.ordinal}.geojson"
        plan = json.loads(plan_path.read_text(encoding="utf-8"))
        assert plan["type"] == "FeatureCollection"
        assert plan["level"] == {"name": level.name, "ordinal": level.ordinal}
        assert plan["building"] == "Bâtiment principal"
        doors = [feature for feature in plan["features"] if feature["properties"].get("category") == "door"]
        spaces = [feature for feature in plan["features"] if feature not in doors]
        for feature in spaces:
            ring = feature["geometry"]["coordinates"][0]
            assert ring[0] == ring[-1]
            assert isinstance(feature["properties"]["analog_line"], bool)
        # One door per room that has one, 1.2 m wide, on the wall it opens through.
        assert len(doors) == sum(1 for room in level.rooms if room.door is not None)
        for feature in doors:
            line = shapely.LineString(feature["geometry"]["coordinates"])
            room = next(room for room in level.rooms if room.ref == feature["properties"]["ref"].split("/")[0])
            assert line.length == pytest.approx(1.2, abs=0.02)
            assert line.distance(room.polygon.boundary) < 0.01
        rooms += len(spaces)
    assert rooms == len(registry)


def test_ground_truth_contents(ground_truth, hospital):
    assert ground_truth["seed"] == SEED
    assert [operator["plmn"] for operator in ground_truth["operators"]] == ["208-01", "208-10", "208-15"]
    assert len(ground_truth["rooms"]) == len(hospital.rooms)
    bunker = next(room for room in ground_truth["rooms"] if room["category"] == "radiotherapy")
    assert bunker["shielded"] and bunker["extra_loss_db"] >= 60
    assert set(bunker["true_no_service_fraction"].values()) == {1.0}
    assert len(ground_truth["stations"]) >= 6


def test_same_seed_same_bytes(sample_dir, tmp_path):
    write_sample_hospital(tmp_path / "again", seed=SEED, levels=[2])
    write_sample_hospital(tmp_path / "other", seed=SEED + 1, levels=[2])
    for name in LEVEL_2_LOGS + ["visits_level_2.csv", "plans/level_2.geojson", "rooms.csv"]:
        assert (tmp_path / "again" / name).read_bytes() == (sample_dir / name).read_bytes(), name
    assert (tmp_path / "other" / LEVEL_2_LOGS[0]).read_bytes() != (sample_dir / LEVEL_2_LOGS[0]).read_bytes()


def test_sample_fits_size_budget(sample_dir):
    total = sum(path.stat().st_size for path in sample_dir.rglob("*") if path.is_file())
    assert total < 6 * 1024 * 1024


def test_manifest_lists_every_log_once(tmp_path):
    import tomllib

    from survey.simulate import write_sample_hospital

    summary = write_sample_hospital(tmp_path, levels=[2])
    manifest = tomllib.loads((tmp_path / "manifest.toml").read_text(encoding="utf-8"))
    logs = [name for entry in manifest["ingest"] for name in entry["files"]]
    written = [name for name in summary["files"] if name.endswith(".txt")]
    assert sorted(logs) == sorted(written)
    assert manifest["ingest"][0]["visits"] == "visits_level_2.csv"
    assert len(manifest["plans"]) == 4
