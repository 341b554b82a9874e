"""The whole survey flow through HTTP: site, plan, survey, upload, verdicts, maps and reports."""

from __future__ import annotations

from api_test_data import EXTERNAL_REFERENCE, LEVEL_NAME, SITE_NAME

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def rooms_by_ref(client, level_id: int, **params) -> dict[str, dict]:
    response = client.get(f"/api/v1/levels/{level_id}/rooms", params=params)
    assert response.status_code == 200, response.text
    return {room["ref"]: room for room in response.json()["rooms"]}


def test_upload_report_counts(surveyed):
    report = surveyed["report"]

    assert report["format"] == "native_csv"
    assert report["rows"] == 200
    assert report["accepted"] == 200
    assert report["rejected"] == 0
    assert report["no_service"] == 32
    assert report["unplaced"] == 0
    assert report["upload_id"] > 0


def test_site_listed_and_found_by_name(client, surveyed):
    listed = client.get("/api/v1/sites").json()["sites"]
    by_name = client.get(f"/api/v1/sites/{SITE_NAME}")

    assert [site["name"] for site in listed] == [SITE_NAME]
    assert by_name.status_code == 200
    assert by_name.json()["id"] == surveyed["site_id"]
    assert by_name.json()["surveys"][0]["name"] == "Campagne mars"


def test_levels_listed(client, surveyed):
    levels = client.get(f"/api/v1/sites/{surveyed['site_id']}/levels").json()["levels"]

    expected = {"id": surveyed["level_id"], "building": "A", "name": LEVEL_NAME, "ordinal": 0, "rooms": 6}
    assert levels == [expected]


def test_room_verdicts(client, surveyed):
    rooms = rooms_by_ref(client, surveyed["level_id"])

    assert rooms["R-101"]["voice"] == "reliable"
    assert rooms["R-103"]["voice"] == "unreliable"
    assert rooms["R-103"]["shielded"] is True
    assert rooms["R-104"]["voice"] == "unreliable"
    assert rooms["R-105"]["voice"] == "insufficient_data"
    assert rooms["R-105"]["samples"] == 0


def test_room_objects_match_analyze_json(client, surveyed):
    room = rooms_by_ref(client, surveyed["level_id"])["R-101"]
    verdict = room["verdicts"][0]

    keys = ("level", "ref", "name", "category", "criticality", "analog_line", "shielded", "attenuation_db")
    for key in keys:
        assert key in room
    assert {"plmn", "operator", "verdict", "samples", "pass_rate", "rsrp_p10_dbm"} <= set(verdict)
    assert set(room["recommendation"]) >= {"action", "reasons"}
    assert "geometry" not in room


def test_room_geometry_on_request(client, surveyed):
    room = rooms_by_ref(client, surveyed["level_id"], geometry="true")["R-101"]

    assert room["geometry"]["type"] == "Polygon"
    assert [0.0, 8.0] in [list(point) for point in room["geometry"]["coordinates"][0]]


def test_recommendations_ordered(client, surveyed):
    response = client.get(f"/api/v1/sites/{surveyed['site_id']}/recommendations")
    actions = [(room["ref"], room["recommendation"]["action"]) for room in response.json()["recommendations"]]

    assert actions == [
        ("R-104", "keep_analog_line"),
        ("R-103", "install_analog_line"),
        ("R-102", "analog_line_optional"),
        ("R-105", "resurvey"),
    ]


def test_analysis_lists_operators(client, surveyed):
    analysis = client.get(f"/api/v1/sites/{surveyed['site_id']}/analysis").json()

    assert [operator["plmn"] for operator in analysis["operators"]] == ["208-01", "208-20"]
    assert len(analysis["rooms"]) == 6
    assert analysis["unplaced_samples"] == 0


def test_heatmap_png_per_operator(client, surveyed):
    url = f"/api/v1/levels/{surveyed['level_id']}/heatmap.png"

    for operator in ("", "208-01", "20820", "Orange"):
        response = client.get(url, params={"operator": operator, "metric": "signal_dbm"})
        assert response.status_code == 200, (operator, response.text)
        assert response.headers["content-type"] == "image/png"
        assert response.content.startswith(PNG_MAGIC)


def test_heatmap_unknown_operator(client, surveyed):
    response = client.get(f"/api/v1/levels/{surveyed['level_id']}/heatmap.png", params={"operator": "208-15"})

    assert response.status_code == 404
    assert response.json()["error"]["detail"]["known"] == ["208-01", "208-20"]


def test_heatmap_unknown_metric(client, surveyed):
    response = client.get(f"/api/v1/levels/{surveyed['level_id']}/heatmap.png", params={"metric": "watts"})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_map_html_offline(client, surveyed):
    response = client.get(f"/api/v1/levels/{surveyed['level_id']}/map.html")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text.lower()
    assert "R-103" in response.text
    assert EXTERNAL_REFERENCE.findall(response.text) == []


def test_report_pdf(client, surveyed):
    response = client.get(f"/api/v1/sites/{surveyed['site_id']}/report.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "attachment" in response.headers["content-disposition"]


def test_report_csv_dialects(client, surveyed):
    url = f"/api/v1/sites/{surveyed['site_id']}/report.csv"
    french = client.get(url)
    english = client.get(url, params={"dialect": "en"}, headers={"Accept-Language": "en"})

    assert french.status_code == 200
    assert french.headers["content-type"].startswith("text/csv")
    assert "R-103" in french.content.decode("utf-8-sig")
    assert ";" in french.content.decode("utf-8-sig").splitlines()[0]
    assert english.status_code == 200
    assert "," in english.content.decode("utf-8-sig").splitlines()[0]


def test_registry_round_trip(client, surveyed):
    site_id = surveyed["site_id"]
    exported = client.get(f"/api/v1/sites/{site_id}/rooms.csv")
    text = exported.content.decode("utf-8-sig")
    registry = text.replace("R-105,Réserve,storage,low,no", "R-105,Réserve,storage,high,yes").encode()

    url = f"/api/v1/sites/{site_id}/rooms"
    dry_run = client.post(url, files={"file": ("rooms.csv", registry)}, data={"dry_run": "true"})
    applied = client.post(url, files={"file": ("rooms.csv", registry)})

    assert exported.status_code == 200
    assert dry_run.json()["dry_run"] is True
    assert {change["column"] for change in applied.json()["changes"]} == {"criticality", "analog_line"}
    assert rooms_by_ref(client, surveyed["level_id"])["R-105"]["criticality"] == "high"


def test_health(client):
    body = client.get("/api/v1/health").json()

    assert body["status"] == "ok"
    assert body["database"] is True
    assert body["version"]
