"""Resource API paths name a resource only by the canonical spelling of its id.

Other spellings that ``uuid.UUID()`` also reads (upper case, without hyphens, in braces, as a
``urn:uuid:``) are 404 with the resource's not-found error, in the error shape; a path segment
that is no UUID at all stays a 422.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Tenant
from tests.images.helpers import create
from tests.test_ids import other_spellings


def spellings(text: str) -> list[str]:
    value = uuid.UUID(text)
    return [spelled for spelled in other_spellings(value) if spelled != text]


@pytest.fixture
def resources(client: TestClient, tenant: Tenant) -> dict[str, Any]:
    """One of each resource that has an id in a Resource API path."""
    admin = {"Authorization": f"Bearer {tenant.admin_token}"}
    environment = client.post("/api/v1/environments/", json={"name": "qa"}, headers=admin)
    key = client.post(
        "/api/v1/api_keys/", json={"name": "k", "key_type": "SERVER"}, headers=tenant.admin
    )
    origin = client.post(
        "/api/v1/cors_origins/", json={"pattern": "app.example.com"}, headers=tenant.server
    )
    image = create(client, tenant.server)["image"]
    download = client.post(
        "/api/v1/images/downloads", json={"image_ids": [image["id"]]}, headers=tenant.server
    )
    for response in (environment, key, origin, download):
        assert response.status_code == 200, response.text
    return {
        "environment": (environment.json()["id"], admin, "/api/v1/environments/"),
        "api_key": (key.json()["id"], tenant.admin, "/api/v1/api_keys/"),
        "cors_origin": (origin.json()["id"], tenant.server, "/api/v1/cors_origins/"),
        "image": (image["id"], tenant.server, "/api/v1/images/"),
        "download": (download.json()["id"], tenant.server, "/api/v1/images/downloads/"),
    }


@pytest.mark.parametrize(
    ("resource", "error_type"),
    [
        ("environment", "EnvironmentNotFoundError"),
        ("api_key", "ApiKeyNotFoundError"),
        ("cors_origin", "CorsOriginNotFoundError"),
        ("image", "ImageNotFoundError"),
        ("download", "DownloadNotFoundError"),
    ],
)
def test_other_spellings_of_an_id_are_404(
    client: TestClient, resources: dict[str, Any], resource: str, error_type: str
) -> None:
    resource_id, headers, prefix = resources[resource]
    assert client.get(f"{prefix}{resource_id}", headers=headers).status_code == 200
    for spelled in spellings(resource_id):
        response = client.get(f"{prefix}{spelled}", headers=headers)
        assert response.status_code == 404, (spelled, response.text)
        body = response.json()
        assert body["error_type"] == error_type
        assert "lower case" in body["detail"]
        assert body["request_id"] == response.headers["X-Request-Id"]


def test_writes_through_another_spelling_change_nothing(
    client: TestClient, tenant: Tenant, resources: dict[str, Any]
) -> None:
    image_id, headers, _ = resources["image"]
    origin_id, _, _ = resources["cors_origin"]
    environment_id, admin, _ = resources["environment"]
    upper = {
        "image": f"/api/v1/images/{image_id.upper()}",
        "origin": f"/api/v1/cors_origins/{origin_id.upper()}",
        "environment": f"/api/v1/environments/{environment_id.upper()}",
    }
    assert client.delete(upper["image"], headers=headers).status_code == 404
    assert client.delete(upper["origin"], headers=headers).status_code == 404
    assert client.delete(upper["environment"], headers=admin).status_code == 404
    patched = client.patch(upper["environment"], json={"name": "renamed"}, headers=admin)
    assert patched.status_code == 404
    assert client.get(f"/api/v1/images/{image_id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/cors_origins/{origin_id}", headers=headers).status_code == 200
    environment = client.get(f"/api/v1/environments/{environment_id}", headers=admin)
    assert environment.json()["name"] == "qa"


def test_a_segment_that_is_no_uuid_stays_a_422(client: TestClient, tenant: Tenant) -> None:
    response = client.get("/api/v1/images/not-an-id", headers=tenant.server)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "image_id"]


def test_the_openapi_document_still_says_uuid(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    parameters = document["paths"]["/api/v1/images/{image_id}"]["get"]["parameters"]
    [image_id] = [p for p in parameters if p["name"] == "image_id"]
    assert image_id["schema"] == {"type": "string", "format": "uuid", "title": "Image Id"}
