"""The upload URL's CORS class: the image's environment decides, before a byte is stored."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Tenant
from tests.images.helpers import create, path_of, png

APP = "https://app.example.com"


def allow(client: TestClient, tenant: Tenant, pattern: str) -> None:
    response = client.post(
        "/api/v1/cors_origins/", json={"pattern": pattern}, headers=tenant.server
    )
    assert response.status_code == 200


def test_an_allowed_origin_puts_the_bytes(client: TestClient, tenant: Tenant) -> None:
    allow(client, tenant, "app.example.com")
    url = path_of(create(client, tenant.server)["upload_url"])
    preflight = client.options(
        url,
        headers={
            "Origin": APP,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == APP
    response = client.put(url, content=png(), headers={"Origin": APP, "Content-Type": "image/png"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == APP
    assert "X-Request-Id" in response.headers["Access-Control-Expose-Headers"]


def test_a_refused_origin_stores_nothing(client: TestClient, tenant: Tenant) -> None:
    allow(client, tenant, "app.example.com")
    created = create(client, tenant.server)
    url = path_of(created["upload_url"])
    evil = "https://evil.example.org"
    preflight = client.options(
        url, headers={"Origin": evil, "Access-Control-Request-Method": "PUT"}
    )
    assert preflight.status_code == 403
    response = client.put(url, content=png(), headers={"Origin": evil})
    assert response.status_code == 403
    assert response.json()["error_type"] == "CorsOriginNotAllowedError"
    assert "access-control-allow-origin" not in response.headers
    image = client.get(f"/api/v1/images/{created['image']['id']}", headers=tenant.server).json()
    assert image["can_upload"] is True and image["status"] == "PENDING"
    rows = client.get("/api/v1/cors_origins/rejections", headers=tenant.server).json()
    assert {(r["origin"], r["endpoint"]) for r in rows} == {(evil, "upload")}


def test_the_upload_urls_environment_decides(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    allow(client, tenant, "app.example.com")
    allow(client, other_tenant, "staging.example.com")
    url = path_of(create(client, other_tenant.server)["upload_url"])
    assert client.put(url, content=png(), headers={"Origin": APP}).status_code == 403
    staging = client.put(url, content=png(), headers={"Origin": "https://staging.example.com"})
    assert staging.status_code == 200


def test_upload_errors_carry_cors_headers(client: TestClient, tenant: Tenant) -> None:
    allow(client, tenant, "app.example.com")
    url = path_of(create(client, tenant.server, hash_sha256="0" * 64)["upload_url"])
    response = client.put(url, content=png(), headers={"Origin": APP})
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == APP
