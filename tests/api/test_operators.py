"""A site's operator names: the HTTP routes, the command line, and their use by the analysis."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from api_test_data import TestClient

REPOSITORY = Path(__file__).resolve().parents[2]


def operators_url(site_id: int) -> str:
    return f"/api/v1/sites/{site_id}/operators"


def names_by_plmn(summary: dict) -> dict[str, dict]:
    return {operator["plmn"]: operator for operator in summary["operators"]}


def run_cli(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    """Run the command line on the API test database (the ``client`` fixture's SQLite file)."""
    database = f"sqlite:///{tmp_path / 'zoneblanche.db'}"
    command = [sys.executable, "-c", "from api.cli import main; main()", "--db", database, "--lang", "en", *arguments]
    return subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True, timeout=120)


def test_operators_default(client: TestClient, site: dict):
    response = client.get(operators_url(site["id"]))

    assert response.status_code == 200
    summary = response.json()
    assert summary["operator_names"] == {}
    orange = names_by_plmn(summary)["208-01"]
    assert orange == {"plmn": "208-01", "name": "Orange", "default": "Orange", "source": "default"}


def test_operators_put_replaces(client: TestClient, site: dict):
    first = client.put(operators_url(site["id"]), json={"operator_names": {"208-01": " Orange Pro ", "208-99": "Réseau test"}})
    second = client.put(operators_url(site["id"]), json={"operator_names": {"208-99": "Réseau test"}})

    assert first.status_code == 200, first.text
    assert first.json()["operator_names"] == {"208-01": "Orange Pro", "208-99": "Réseau test"}
    assert second.json()["operator_names"] == {"208-99": "Réseau test"}
    operators = names_by_plmn(client.get(operators_url(site["id"])).json())
    assert operators["208-01"]["source"] == "default"
    assert operators["208-99"] == {"plmn": "208-99", "name": "Réseau test", "default": None, "source": "site"}


@pytest.mark.parametrize(
    ("names", "column"),
    [({"20801": "Orange"}, "plmn"), ({"208-1": "Orange"}, "plmn"), ({"208-01": "  "}, "name"), ({"208-01": "a\nb"}, "name")],
)
def test_operators_put_invalid(client: TestClient, site: dict, names: dict, column: str):
    client.put(operators_url(site["id"]), json={"operator_names": {"208-10": "SFR Pro"}})

    response = client.put(operators_url(site["id"]), json={"operator_names": names}, headers={"Accept-Language": "en"})

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["detail"]["column"] == column
    assert client.get(operators_url(site["id"])).json()["operator_names"] == {"208-10": "SFR Pro"}


def test_operators_unknown_site(client: TestClient):
    response = client.get(operators_url(9999))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_operators_used_by_room_verdicts(client: TestClient, surveyed: dict):
    client.put(operators_url(surveyed["site_id"]), json={"operator_names": {"208-01": "Orange Pro"}})

    rooms = client.get(f"/api/v1/levels/{surveyed['level_id']}/rooms").json()["rooms"]

    ward = next(room for room in rooms if room["ref"] == "R-101")
    names = {verdict["plmn"]: verdict["operator"] for verdict in ward["verdicts"]}
    assert names == {"208-01": "Orange Pro", "208-20": "Bouygues Telecom"}


def test_cli_operators_and_analyze(client: TestClient, surveyed: dict, tmp_path: Path):
    site_id = str(surveyed["site_id"])

    changed = run_cli(tmp_path, "site", "operators", "--site", site_id, "--set", "208-20=Bouygues Pro", "--set", "208-01=Orange Pro", "--json")
    removed = run_cli(tmp_path, "site", "operators", "--site", site_id, "--unset", "208-01", "--json")
    analysis = run_cli(tmp_path, "analyze", "--site", site_id, "--json")

    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout)["operator_names"] == {"208-01": "Orange Pro", "208-20": "Bouygues Pro"}
    assert json.loads(removed.stdout)["operator_names"] == {"208-20": "Bouygues Pro"}
    assert analysis.returncode == 0, analysis.stderr
    result = json.loads(analysis.stdout)
    assert {"plmn": "208-20", "operator": "Bouygues Pro"} in result["operators"]
    ward = next(room for room in result["rooms"] if room["ref"] == "R-101")
    names = {verdict["plmn"]: verdict["operator"] for verdict in ward["verdicts"]}
    assert names == {"208-01": "Orange", "208-20": "Bouygues Pro"}


def test_cli_operators_invalid(client: TestClient, site: dict, tmp_path: Path):
    completed = run_cli(tmp_path, "site", "operators", "--site", str(site["id"]), "--set", "Orange=208-01")

    assert completed.returncode == 1
    assert "Invalid PLMN" in completed.stderr
    assert "Traceback" not in completed.stderr
