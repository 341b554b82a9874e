"""One JSON error shape, with the status of each error class."""

from __future__ import annotations

import logging

from api_test_data import LEVEL_NAME, SITE_NAME, START, TestClient, make_settings

from api.app import create_app


# A native CSV whose second data row (file line 3) has an unreadable RSRP.
BAD_ROW_CSV = (
    "time,x_m,y_m,plmn,technology,rsrp_dbm\n"
    f"{START.isoformat()},1,9,208-01,lte,-90\n"
    f"{START.isoformat()},2,9,208-01,lte,abc\n"
).encode()


def error_of(response) -> dict:
    """Return the error object, checking the shape every error shares."""
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "detail"}
    assert body["error"]["message"]
    return body["error"]


def test_unknown_site_404(client):
    response = client.get("/api/v1/sites/Nowhere")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_unknown_level_404(client):
    response = client.get("/api/v1/levels/999/rooms")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_unknown_route_404(client):
    response = client.get("/api/v1/no/such/route")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_wrong_method_405(client):
    response = client.delete("/api/v1/sites")

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"


def test_duplicate_site_409(client, site):
    response = client.post("/api/v1/sites", json={"name": SITE_NAME})

    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"


def test_duplicate_survey_409(client, survey):
    response = client.post(f"/api/v1/sites/{survey['site']['id']}/surveys", json={"name": "Campagne mars"})

    assert response.status_code == 409
    assert error_of(response)["code"] == "conflict"


def test_invalid_timezone_422(client):
    response = client.post("/api/v1/sites", json={"name": "CHU", "timezone": "Mars/Olympus"})
    error = error_of(response)

    assert response.status_code == 422
    assert error["code"] == "invalid_input"
    assert error["detail"]["column"] == "timezone"
    assert error["detail"]["value"] == "Mars/Olympus"


def test_request_validation_422(client):
    response = client.post("/api/v1/sites", json={"timezone": "Europe/Paris"})
    error = error_of(response)

    assert response.status_code == 422
    assert error["code"] == "validation_error"
    assert error["detail"]["errors"][0]["field"] == "name"


def test_strict_upload_bad_row_422(client, survey):
    response = client.post(
        f"/api/v1/surveys/{survey['id']}/uploads",
        files={"file": ("bad.csv", BAD_ROW_CSV)},
        data={"level": LEVEL_NAME, "strict": "true"},
    )
    error = error_of(response)

    assert response.status_code == 422
    assert error["code"] == "invalid_input"
    assert error["detail"]["errors"][0]["line"] == 3
    assert error["detail"]["errors"][0]["column"] == "rsrp_dbm"
    assert error["detail"]["errors"][0]["value"] == "abc"


def test_lenient_upload_reports_bad_row(client, survey):
    response = client.post(
        f"/api/v1/surveys/{survey['id']}/uploads",
        files={"file": ("bad.csv", BAD_ROW_CSV)},
        data={"level": LEVEL_NAME},
    )
    report = response.json()["files"][0]

    assert response.status_code == 200
    assert report["accepted"] == 1
    assert report["rejected"] == 1
    assert (report["errors"][0]["line"], report["errors"][0]["column"]) == (3, "rsrp_dbm")


def test_unrecognized_file_422(client, survey):
    response = client.post(
        f"/api/v1/surveys/{survey['id']}/uploads",
        files={"file": ("notes.txt", b"shopping list\neggs\n")},
    )
    error = error_of(response)

    assert response.status_code == 422
    assert error["code"] == "unsupported_format"
    assert error["detail"]["line"] == 1


def test_oversize_upload_413(tmp_path):
    settings = make_settings(tmp_path, max_upload_mb=0.001)
    survey_file = b"x" * 5000

    with TestClient(create_app(settings)) as client:
        site = client.post("/api/v1/sites", json={"name": "CHU"}).json()
        survey = client.post(f"/api/v1/sites/{site['id']}/surveys", json={"name": "S"}).json()
        url = f"/api/v1/surveys/{survey['id']}/uploads"
        response = client.post(url, files={"file": ("big.csv", survey_file)})

    error = error_of(response)
    assert response.status_code == 413
    assert error["code"] == "too_large"
    assert error["detail"]["max_bytes"] == settings.max_upload_bytes


def test_oversize_body_413_before_reading(tmp_path):
    settings = make_settings(tmp_path, max_upload_mb=0.001)

    with TestClient(create_app(settings)) as client:
        response = client.post("/api/v1/surveys/1/uploads", files={"file": ("big.csv", b"x" * 200_000)})

    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert error_of(response)["detail"]["content_length"] > 200_000


def test_half_named_survey_comparison_422(client, site):
    response = client.get(f"/api/v1/sites/{site['id']}/report.pdf", params={"before": "Campagne mars"})

    assert response.status_code == 422
    assert error_of(response)["code"] == "invalid_input"


def test_unexpected_error_500_without_traceback(tmp_path, caplog):
    app = create_app(make_settings(tmp_path))

    def fail() -> None:
        raise RuntimeError("secret internal state")

    app.add_api_route("/api/v1/fail", fail)
    with caplog.at_level(logging.ERROR, logger="api.middleware"), TestClient(app) as client:
        response = client.get("/api/v1/fail")

    error = error_of(response)
    assert response.status_code == 500
    assert error["code"] == "internal_error"
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    logged = [str(record.exc_info[1]) for record in caplog.records if record.exc_info]
    assert "secret internal state" in logged
