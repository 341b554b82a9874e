"""Languages of error messages and pages, and the OpenAPI description."""

from __future__ import annotations

from pathlib import Path

from api_test_data import TestClient, make_settings

from api.app import create_app

ROUTE = "/api/v1/no/such/route"


def message(response) -> str:
    return response.json()["error"]["message"]


def test_default_language_french(client):
    response = client.get(ROUTE)

    assert message(response) == f"aucune page ni route d’API à l’adresse {ROUTE}"
    assert response.headers["content-language"] == "fr"


def test_accept_language_english(client):
    response = client.get(ROUTE, headers={"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})

    assert message(response) == f"no page or API route at {ROUTE}"
    assert response.headers["content-language"] == "en"


def test_query_overrides_header(client):
    response = client.get(ROUTE, params={"lang": "fr"}, headers={"Accept-Language": "en"})

    assert message(response).startswith("aucune page")


def test_configured_language_fallback(tmp_path):
    with TestClient(create_app(make_settings(tmp_path, lang="en"))) as client:
        response = client.get(ROUTE, headers={"Accept-Language": "de"})

    assert message(response) == f"no page or API route at {ROUTE}"


def test_page_in_english(client, site):
    french = client.get(f"/sites/{site['id']}").text
    english = client.get(f"/sites/{site['id']}", params={"lang": "en"}).text

    assert "<h2>Recommandations</h2>" in french
    assert "<h2>Recommendations</h2>" in english


def test_openapi_lists_contract_routes(client):
    paths = client.get("/openapi.json").json()["paths"]

    for path in (
        "/api/v1/health",
        "/api/v1/sites",
        "/api/v1/sites/{site}/plans",
        "/api/v1/levels/{level_id}/rooms",
        "/api/v1/surveys/{survey_id}/uploads",
        "/api/v1/surveys/{survey_id}/samples",
        "/api/v1/levels/{level_id}/heatmap.png",
        "/api/v1/sites/{site}/report.pdf",
    ):
        assert path in paths, path
    assert "/sites/{site}" not in paths


def test_docs_page(client):
    response = client.get("/docs")

    assert response.status_code == 200
    assert "swagger" in response.text.lower()


def test_docs_page_works_offline(client):
    page = client.get("/docs").text
    assert "cdn." not in page
    assert "https://" not in page
    script = client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert script.status_code == 200
    assert len(script.content) > 100_000


def test_docs_bundle_reads_openapi_31(client):
    # Swagger UI 4 cannot read the OpenAPI 3.1 documents FastAPI writes; version 5 can.
    from swagger_ui_bundle import swagger_ui_path

    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    assert int(Path(swagger_ui_path).name.removeprefix("swagger-ui-").split(".")[0]) >= 5
