"""The main job on the sample hospital: load, ingest, analyze, and compare with ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.demo import SAMPLES, load_sample_hospital
from survey.analysis import analyze_site
from survey.sampledb import load_samples
from survey.store import Store, find_site


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('hospital') / 'zoneblanche.db'}")
    result = load_sample_hospital(store, SAMPLES)
    with store.session() as session:
        site = find_site(session, result["site"])
        analysis = analyze_site(session, site)
        samples = load_samples(session, site.id)
    yield result, analysis, samples
    store.dispose()


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SAMPLES / "ground_truth.json").read_text(encoding="utf-8"))


def test_every_row_is_accounted_for(loaded):
    result, _analysis, samples = loaded
    for report in result["files"]:
        assert report["rows"] == report["accepted"] + report["rejected"], report["path"]
        assert report["rejected"] == 0, report["errors"][:3]
    assert len(samples) == sum(report["accepted"] for report in result["files"])


def test_no_service_samples_are_stored(loaded):
    result, _analysis, samples = loaded
    stored = int((samples["service"] == "no_service").sum())
    assert stored == sum(report["no_service"] for report in result["files"])
    assert stored > 0
    # Each no-service sample is attributed to its phone's operator, so it counts as a failure.
    assert samples.loc[samples["service"] == "no_service", "plmn"].notna().all()


def test_every_shielded_room_is_flagged(loaded, truth):
    _result, analysis, _samples = loaded
    shielded = {room["ref"] for room in truth["rooms"] if room["shielded"]}
    flagged = {room.ref for room in analysis.rooms if room.shielded}
    assert shielded, "the ground truth names no shielded room"
    assert shielded - flagged == set()


def test_no_open_room_is_flagged_shielded(loaded, truth):
    _result, analysis, _samples = loaded
    open_rooms = {room["ref"] for room in truth["rooms"] if not room["shielded"]}
    flagged = {room.ref for room in analysis.rooms if room.shielded}
    assert flagged & open_rooms == set()


def test_attenuation_estimates_are_large_for_shielded_rooms(loaded, truth):
    _result, analysis, _samples = loaded
    by_ref = {room.ref: room for room in analysis.rooms}
    for room in truth["rooms"]:
        if room["shielded"]:
            assert by_ref[room["ref"]].attenuation_db >= analysis.policy.shield_margin_db, room["ref"]


def test_measured_medians_follow_the_true_field(loaded, truth):
    """Rooms whose phones stayed in service have a measured median within 6 dB of the truth.

    Six decibels covers the shadowing between the samples' walk and the room's whole area and
    the phones' 1 dB rounding and fast fading; a systematic error would exceed it.
    """
    _result, analysis, _samples = loaded
    by_ref = {room.ref: room for room in analysis.rooms}
    errors = []
    for room in truth["rooms"]:
        for plmn, true_median in room["true_median_rsrp_dbm"].items():
            verdict = by_ref[room["ref"]].verdict_for(plmn)
            if verdict and verdict.samples >= 10 and true_median > -115 and verdict.no_service == 0:
                errors.append(abs(verdict.rsrp_median_dbm - true_median))
    assert len(errors) > 300
    assert sorted(errors)[int(0.9 * len(errors))] < 6.0


def test_verdicts_agree_with_true_field(loaded, truth):
    """Where the true median is far from the -110 dBm threshold, the verdict must follow it."""
    _result, analysis, _samples = loaded
    by_ref = {room.ref: room for room in analysis.rooms}
    checked = wrong = 0
    for room in truth["rooms"]:
        for plmn, true_median in room["true_median_rsrp_dbm"].items():
            verdict = by_ref[room["ref"]].verdict_for(plmn)
            if verdict is None or verdict.verdict == "insufficient_data":
                continue
            if true_median > -95:
                checked += 1
                wrong += verdict.verdict != "reliable"
            elif true_median < -120:
                checked += 1
                wrong += verdict.verdict != "unreliable"
    assert checked > 200
    assert wrong / checked < 0.03


def test_shielded_rooms_with_lines_keep_them(loaded, truth):
    _result, analysis, _samples = loaded
    for room in analysis.rooms:
        if room.analog_line and room.voice == "unreliable":
            assert room.recommendation.action == "keep_analog_line", room.ref
        if room.analog_line and room.voice == "reliable":
            assert room.recommendation.action == "analog_line_optional", room.ref
        if not room.analog_line and room.voice == "unreliable" and room.criticality in ("vital", "high"):
            assert room.recommendation.action == "install_analog_line", room.ref


def test_every_recommendation_gives_reasons(loaded):
    _result, analysis, _samples = loaded
    for room in analysis.rooms:
        assert room.recommendation.reasons, room.ref
    nearest = [room for room in analysis.rooms if room.recommendation.action == "nearest_line"]
    for room in nearest:
        assert room.recommendation.distance_m <= analysis.policy.max_line_distance_m


def test_sample_hospital_loads_once_per_file(loaded, tmp_path):
    """Uploading the sample files a second time adds nothing."""
    store = Store(f"sqlite:///{tmp_path / 'again.db'}")
    first = load_sample_hospital(store, SAMPLES)
    from survey.ingest import IngestOptions, ingest_file
    from survey.store import find_survey

    name = first["files"][0]["path"]
    with store.session() as session:
        survey = find_survey(session, find_site(session, first["site"]), "Campagne de novembre 2026")
        report = ingest_file(session, survey, (SAMPLES / name).read_bytes(), name, IngestOptions(level="Sous-sol"))
    assert report["duplicates"] == first["files"][0]["accepted"]
    assert "upload_id" not in report
    store.dispose()


def test_walks_to_lines_go_through_drawn_doors(loaded):
    from survey.recommend import walking_distances
    from survey.simulate import build_hospital

    _result, analysis, _samples = loaded
    simulated = {level.name: sum(1 for room in level.rooms if room.door is not None) for level in build_hospital(2026).levels}
    served = [room for room in analysis.rooms if room.recommendation.action == "nearest_line"]
    assert served, "no room is served by a nearby line in the sample hospital"
    for level in analysis.levels:
        doors = level.doors
        assert len(doors) == simulated[level.name], level.name
        with_doors = walking_distances(level.rooms, doors=doors)
        assumed = walking_distances(level.rooms)
        refs = [room.ref for room in level.rooms]
        for position, room in enumerate(level.rooms):
            if room.recommendation.action == "nearest_line":
                line = refs.index(room.recommendation.line_room_ref)
                assert room.recommendation.distance_m == pytest.approx(with_doors[position, line], abs=1e-6), room.ref
        # The drawn doors change the walks: an assumed door sits mid-wall, a drawn one where it is.
        assert not abs(with_doors - assumed).max() < 0.5, level.name
