"""Settings the application is created with: the analysis policy file."""

from __future__ import annotations

import pytest
from api_test_data import TestClient, make_settings, plan_geojson, samples_csv

from api.app import create_app
from survey.errors import PolicyError


def voice_by_ref(client: TestClient) -> dict[str, str]:
    site = client.post("/api/v1/sites", json={"name": "CHU"}).json()
    client.post(f"/api/v1/sites/{site['id']}/plans", files={"file": ("rdc.geojson", plan_geojson())})
    survey = client.post(f"/api/v1/sites/{site['id']}/surveys", json={"name": "S"}).json()
    url = f"/api/v1/surveys/{survey['id']}/uploads"
    client.post(url, files={"file": ("m.csv", samples_csv())}, data={"level": "RDC"})
    rooms = client.get(f"/api/v1/sites/{site['id']}/analysis").json()["rooms"]
    return {room["ref"]: room["voice"] for room in rooms}


def test_policy_file_applies(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("[verdict]\nmin_samples = 100\n", encoding="utf-8")

    with TestClient(create_app(make_settings(tmp_path, policy_file=policy))) as client:
        voice = voice_by_ref(client)

    assert voice["R-101"] == "insufficient_data"
    assert voice["R-103"] == "insufficient_data"


def test_default_policy_without_file(tmp_path):
    with TestClient(create_app(make_settings(tmp_path))) as client:
        voice = voice_by_ref(client)

    assert voice["R-101"] == "reliable"


def test_invalid_policy_rejected_at_creation(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("[verdict]\nmin_samples = 0\n", encoding="utf-8")

    with pytest.raises(PolicyError):
        create_app(make_settings(tmp_path, policy_file=policy))
