"""Server-rendered pages: sites, a site's plan, a level's map and rooms; escaped, offline."""

from __future__ import annotations

from api_test_data import EXTERNAL_REFERENCE, SITE_NAME


def test_index_lists_sites(client, site):
    response = client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f'href="/sites/{site["id"]}"' in response.text
    assert SITE_NAME in response.text


def test_index_escapes_names(client):
    client.post("/api/v1/sites", json={"name": "<script>alert(1)</script>"})

    page = client.get("/").text

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_site_page_links(client, surveyed):
    page = client.get(f"/sites/{surveyed['site_id']}").text
    level_id = surveyed["level_id"]

    assert f'href="/levels/{level_id}"' in page
    assert f'href="/api/v1/levels/{level_id}/map.html"' in page
    assert f'href="/api/v1/levels/{level_id}/heatmap.png?operator=208-01"' in page
    assert f'href="/api/v1/sites/{surveyed["site_id"]}/report.pdf"' in page
    assert "R-103" in page
    assert EXTERNAL_REFERENCE.findall(page) == []


def test_level_page_map_and_rooms(client, surveyed):
    page = client.get(f"/levels/{surveyed['level_id']}").text

    assert f'<iframe class="map" src="/api/v1/levels/{surveyed["level_id"]}/map.html"' in page
    for ref in ("C-001", "R-101", "R-102", "R-103", "R-104", "R-105"):
        assert f"<td>{ref}</td>" in page
    assert EXTERNAL_REFERENCE.findall(page) == []


def test_unknown_site_page_404(client):
    response = client.get("/sites/Nowhere")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
