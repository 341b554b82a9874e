"""Fixtures of the API tests: a fresh application on a SQLite file, with the test level surveyed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_test_data import LEVEL_NAME, SITE_NAME, TestClient, make_settings, plan_geojson, samples_csv

from api.app import create_app


@pytest.fixture
def client(tmp_path) -> Iterator[TestClient]:
    """Return a client of a fresh application on its own database."""
    with TestClient(create_app(make_settings(tmp_path))) as test_client:
        yield test_client


@pytest.fixture
def site(client: TestClient) -> dict:
    """Create the test site with its level plan imported; return the site summary."""
    created = client.post("/api/v1/sites", json={"name": SITE_NAME, "timezone": "Europe/Paris"})
    assert created.status_code == 201, created.text
    site_id = created.json()["id"]

    imported = client.post(
        f"/api/v1/sites/{site_id}/plans",
        files={"file": ("rdc.geojson", plan_geojson(), "application/geo+json")},
        data={"building": "A"},
    )
    assert imported.status_code == 200, imported.text
    return client.get(f"/api/v1/sites/{site_id}").json()


@pytest.fixture
def survey(client: TestClient, site: dict) -> dict:
    """Create a survey in the test site; return its summary."""
    body = {"name": "Campagne mars", "technician": "Camille"}
    response = client.post(f"/api/v1/sites/{site['id']}/surveys", json=body)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
def level_id(site: dict) -> int:
    """Return the id of the test level."""
    return site["buildings"][0]["levels"][0]["id"]


@pytest.fixture
def surveyed(client: TestClient, site: dict, survey: dict, level_id: int) -> dict:
    """Upload the sample CSV on the test level; return ids and the ingest report."""
    response = client.post(
        f"/api/v1/surveys/{survey['id']}/uploads",
        files={"file": ("mesures.csv", samples_csv(), "text/csv")},
        data={"level": LEVEL_NAME},
    )
    assert response.status_code == 200, response.text
    report = response.json()["files"][0]
    return {"site_id": site["id"], "survey_id": survey["id"], "level_id": level_id, "report": report}
