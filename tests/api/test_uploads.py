"""Idempotent ingest: the same file twice, JSON batches retried, dry runs."""

from __future__ import annotations

from api_test_data import LEVEL_NAME, batch_samples, samples_csv


def post_batch(client, survey_id: int, samples: list[dict], level: str = LEVEL_NAME):
    return client.post(f"/api/v1/surveys/{survey_id}/samples", json={"samples": samples, "level": level})


def report_of(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()["files"][0]


def sample_count(client, level_id: int) -> int:
    rooms = client.get(f"/api/v1/levels/{level_id}/rooms").json()["rooms"]
    return sum(room["samples"] for room in rooms)


def upload_count(client, survey_id: int) -> int:
    return len(client.get(f"/api/v1/surveys/{survey_id}").json()["uploads"])


def test_same_file_twice_adds_nothing(client, surveyed):
    before = sample_count(client, surveyed["level_id"])
    response = client.post(
        f"/api/v1/surveys/{surveyed['survey_id']}/uploads",
        files={"file": ("copie.csv", samples_csv(), "text/csv")},
        data={"level": LEVEL_NAME},
    )
    report = response.json()["files"][0]

    assert response.status_code == 200
    assert report["duplicates"] == 200
    assert report["accepted"] == 0
    assert report["duplicate_of"] == surveyed["report"]["upload_id"]
    assert sample_count(client, surveyed["level_id"]) == before == 200
    assert upload_count(client, surveyed["survey_id"]) == 1


def test_dry_run_stores_nothing(client, survey, level_id):
    response = client.post(
        f"/api/v1/surveys/{survey['id']}/uploads",
        files={"file": ("mesures.csv", samples_csv(), "text/csv")},
        data={"level": LEVEL_NAME, "dry_run": "true"},
    )
    report = response.json()["files"][0]

    assert report["dry_run"] is True
    assert report["accepted"] == 200
    assert sample_count(client, level_id) == 0
    assert upload_count(client, survey["id"]) == 0


def test_batch_stored(client, survey, level_id):
    report = report_of(post_batch(client, survey["id"], batch_samples(range(12))))

    assert report["format"] == "native_json"
    assert report["accepted"] == 12
    assert report["unplaced"] == 0
    assert sample_count(client, level_id) == 12


def test_batch_retry_is_idempotent(client, survey, level_id):
    report_of(post_batch(client, survey["id"], batch_samples(range(12))))

    retried = report_of(post_batch(client, survey["id"], batch_samples(range(12))))
    overlapping = report_of(post_batch(client, survey["id"], batch_samples(range(6, 18))))

    assert retried["accepted"] == 0
    assert retried["duplicates"] == 12
    assert overlapping["accepted"] == 6
    assert overlapping["duplicates"] == 6
    assert sample_count(client, level_id) == 18


def test_batch_sample_without_id_rejected(client, survey):
    samples = batch_samples(range(3))
    del samples[1]["id"]
    report = report_of(post_batch(client, survey["id"], samples))

    assert report["accepted"] == 2
    assert report["rejected"] == 1
    assert (report["errors"][0]["line"], report["errors"][0]["column"]) == (2, "id")


def test_batch_unknown_level_404(client, survey):
    response = post_batch(client, survey["id"], batch_samples(range(2)), level="R+9")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
