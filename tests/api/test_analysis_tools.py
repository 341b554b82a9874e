"""The grid test and survey comparison routes, on the small surveyed test level."""

from __future__ import annotations

from api_test_data import LEVEL_NAME, samples_csv


def test_gridtest_lists_every_cell(client, surveyed):
    response = client.get(f"/api/v1/levels/{surveyed['level_id']}/gridtest", params={"operator": "208-01"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["operator"] == "208-01"
    assert result["threshold_dbm"] == -110.0
    assert result["first"]["requested_cells"] == 20
    assert len(result["first"]["cells"]) == result["first"]["tested_cells"]
    assert {cell["status"] for cell in result["first"]["cells"]} <= {"pass", "fail", "untested"}
    # The MRI suite without service, the unmeasured store room and the -118 dBm office fail.
    assert result["first"]["failures"] > 2
    assert result["passed"] is False
    assert [area["ref"] for area in result["critical_areas"]] == ["R-102"]
    assert result["critical_areas"][0]["status"] == "pass"


def test_gridtest_best_operator_by_default(client, surveyed):
    response = client.get(f"/api/v1/levels/{surveyed['level_id']}/gridtest")
    assert response.status_code == 200, response.text
    assert response.json()["operator"] is None


def test_gridtest_unknown_operator(client, surveyed):
    response = client.get(f"/api/v1/levels/{surveyed['level_id']}/gridtest", params={"operator": "208-99"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_compare_two_surveys(client, surveyed):
    # A second survey after an antenna was installed in the office R-104: -118 → -95 dBm.
    created = client.post(f"/api/v1/sites/{surveyed['site_id']}/surveys", json={"name": "Après antenne"})
    assert created.status_code == 201, created.text
    after = samples_csv().replace(b",-118.0,", b",-95.0,")
    uploaded = client.post(
        f"/api/v1/surveys/{created.json()['id']}/uploads",
        files={"file": ("apres.csv", after, "text/csv")},
        data={"level": LEVEL_NAME},
    )
    assert uploaded.status_code == 200, uploaded.text

    response = client.get(f"/api/v1/sites/{surveyed['site_id']}/compare", params={"before": "Campagne mars", "after": "Après antenne"})
    assert response.status_code == 200, response.text
    result = response.json()
    rooms = {room["ref"]: room for room in result["rooms"]}
    office = rooms["R-104"]["operators"]
    assert {change["change"] for change in office} == {"improved"}
    assert {change["median_change_db"] for change in office} == {23.0}
    assert result["summary"]["verdicts"]["improved"] == 2
    assert result["summary"]["verdicts"]["worsened"] == 0
    for ref in ("C-001", "R-101", "R-102", "R-103"):
        assert {change["change"] for change in rooms[ref]["operators"]} == {"same"}, ref


def test_compare_unknown_survey(client, surveyed):
    response = client.get(f"/api/v1/sites/{surveyed['site_id']}/compare", params={"before": "Campagne mars", "after": "nope"})
    assert response.status_code == 404
    body = response.json()["error"]
    assert body["code"] == "not_found"
    assert "Campagne mars" in body["message"]


def test_compare_needs_both_surveys(client, surveyed):
    response = client.get(f"/api/v1/sites/{surveyed['site_id']}/compare", params={"before": "Campagne mars"})
    assert response.status_code == 422


def test_analysis_of_one_survey(client, surveyed):
    # After an antenna in R-104 (-118 → -95 dBm), the second survey alone finds the office reliable.
    created = client.post(f"/api/v1/sites/{surveyed['site_id']}/surveys", json={"name": "Après antenne"})
    assert created.status_code == 201, created.text
    uploaded = client.post(
        f"/api/v1/surveys/{created.json()['id']}/uploads",
        files={"file": ("apres.csv", samples_csv().replace(b",-118.0,", b",-95.0,"), "text/csv")},
        data={"level": LEVEL_NAME},
    )
    assert uploaded.status_code == 200, uploaded.text

    def office(params):
        response = client.get(f"/api/v1/sites/{surveyed['site_id']}/analysis", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        return body, next(room for room in body["rooms"] if room["ref"] == "R-104")

    after, after_office = office({"survey": "Après antenne"})
    before, before_office = office({"survey": "Campagne mars"})
    both, both_office = office({})
    assert after["surveys"] == ["Après antenne"]
    assert after_office["voice"] == "reliable"
    assert before_office["voice"] == "unreliable"
    assert both_office["samples"] == after_office["samples"] + before_office["samples"]
    assert len(both["surveys"]) == 2

    gridtest = client.get(f"/api/v1/levels/{surveyed['level_id']}/gridtest", params={"survey": "Après antenne"})
    assert gridtest.status_code == 200, gridtest.text
    for path in (f"/api/v1/sites/{surveyed['site_id']}/report.pdf", f"/api/v1/levels/{surveyed['level_id']}/heatmap.png"):
        assert client.get(path, params={"survey": "Après antenne"}).status_code == 200, path
    missing = client.get(f"/api/v1/sites/{surveyed['site_id']}/analysis", params={"survey": "nope"})
    assert missing.status_code == 404
