"""``/api/v1/cors_origins``: the allowlist as the contract describes it, validated on write."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from imgwired.config import Settings
from imgwired.web.app import create_app
from tests.conftest import Tenant

ORIGINS = "/api/v1/cors_origins/"


def add(client: TestClient, tenant: Tenant, pattern: str) -> dict[str, str]:
    response = client.post(ORIGINS, json={"pattern": pattern}, headers=tenant.server)
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


def test_create_normalises_and_returns_the_contract_shape(
    client: TestClient, tenant: Tenant
) -> None:
    origin = add(client, tenant, "  APP.Example.com ")
    assert set(origin) == {"id", "environment_id", "pattern", "created_at", "updated_at"}
    assert origin["pattern"] == "app.example.com"
    assert origin["environment_id"] == str(tenant.environment_id)
    assert add(client, tenant, "bücher.example")["pattern"] == "xn--bcher-kva.example"


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("*", "*"),
        ("https://app.example.com/path", "path"),
        ("app.example.com?x=1", "query"),
        ("user@app.example.com", "user info"),
        ("*.com", "public suffix"),
        ("*.co.uk", "public suffix"),
        ("*.github.io", "public suffix"),
        ("app*.example.com", "wildcard"),
        ("https://app.example.com:443", "default"),
        ("app.example.com.", "end with a dot"),
        ("ftp://app.example.com", "scheme"),
    ],
)
def test_invalid_patterns_are_422_saying_why(
    client: TestClient, tenant: Tenant, pattern: str, words: str
) -> None:
    response = client.post(ORIGINS, json={"pattern": pattern}, headers=tenant.server)
    assert response.status_code == 422
    [item] = response.json()["detail"]
    assert item["loc"] == ["body", "pattern"]
    assert words in item["msg"].lower(), item["msg"]


def test_empty_pattern_is_422(client: TestClient, tenant: Tenant) -> None:
    response = client.post(ORIGINS, json={"pattern": ""}, headers=tenant.server)
    assert response.status_code == 422


def test_duplicates_after_normalising_are_409(client: TestClient, tenant: Tenant) -> None:
    add(client, tenant, "app.example.com")
    again = client.post(ORIGINS, json={"pattern": "APP.EXAMPLE.COM"}, headers=tenant.server)
    assert again.status_code == 409
    assert "app.example.com" in again.json()["detail"]
    assert add(client, tenant, "https://app.example.com")["pattern"] == "https://app.example.com"


def test_update_and_delete(client: TestClient, tenant: Tenant) -> None:
    first = add(client, tenant, "one.example.com")
    add(client, tenant, "two.example.com")
    updated = client.patch(
        f"{ORIGINS}{first['id']}", json={"pattern": "Three.example.com"}, headers=tenant.server
    )
    assert updated.status_code == 200
    assert updated.json()["pattern"] == "three.example.com"
    clash = client.patch(
        f"{ORIGINS}{first['id']}", json={"pattern": "two.example.com"}, headers=tenant.server
    )
    assert clash.status_code == 409
    fetched = client.get(f"{ORIGINS}{first['id']}", headers=tenant.server).json()
    assert fetched["pattern"] == "three.example.com"

    deleted = client.delete(f"{ORIGINS}{first['id']}", headers=tenant.server)
    assert deleted.json() == {"id": first["id"], "status": "deleted"}
    assert client.get(f"{ORIGINS}{first['id']}", headers=tenant.server).status_code == 404


def test_list_is_paginated_newest_first(client: TestClient, tenant: Tenant) -> None:
    made = [add(client, tenant, f"app{i}.example.com")["id"] for i in range(3)]
    page = client.get(ORIGINS, params={"limit": 2}, headers=tenant.server)
    assert [o["id"] for o in page.json()] == [made[2], made[1]]
    assert page.headers["X-Total-Count"] == "3"
    assert page.headers["X-Next-Page"] == "2"
    assert page.headers["X-Prev-Page"] == "null"


def test_client_keys_cannot_manage_origins(client: TestClient, tenant: Tenant) -> None:
    response = client.post(ORIGINS, json={"pattern": "a.example.com"}, headers=tenant.client)
    assert response.status_code == 401
    assert response.json()["error_type"] == "ClientKeyNotAllowedError"


def test_the_number_of_origins_is_capped(database_url: str, tmp_path: object) -> None:
    settings = Settings(
        database_url=database_url, migrate_on_start=False, cors_max_origins_per_environment=2
    )
    app = create_app(settings)
    with TestClient(app) as client:
        installed = app.state.services.organization.initialize(environment_name="production")
        headers = {"Authorization": f"Bearer {installed.server_key.secret}"}
        for name in ("a", "b"):
            assert client.post(ORIGINS, json={"pattern": f"{name}.example.com"}, headers=headers)
        refused = client.post(ORIGINS, json={"pattern": "c.example.com"}, headers=headers)
        assert refused.status_code == 409
        assert "maximum of 2" in refused.json()["detail"]
