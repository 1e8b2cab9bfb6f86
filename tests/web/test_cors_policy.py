"""``/api/v1/cors_policy``: reading and changing what allowed origins may do."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Tenant

POLICY = "/api/v1/cors_policy"


def test_an_environment_starts_with_the_default_policy(client: TestClient, tenant: Tenant) -> None:
    policy = client.get(POLICY, headers=tenant.server).json()
    assert policy["allowed_methods"] == ["GET", "HEAD", "POST", "PUT"]
    assert policy["allowed_headers"] == ["Authorization", "Content-Type"]
    assert policy["max_age"] == 86400
    assert policy["allow_credentials"] is False
    assert policy["mode"] == "enforce"
    assert policy["updated_at"] is None


def test_patch_changes_only_what_is_sent(client: TestClient, tenant: Tenant) -> None:
    response = client.patch(
        POLICY, json={"max_age": 600, "allowed_methods": ["get", "POST"]}, headers=tenant.server
    )
    assert response.status_code == 200, response.text
    policy = response.json()
    assert policy["max_age"] == 600
    assert policy["allowed_methods"] == ["GET", "POST"]
    assert policy["allowed_headers"] == ["Authorization", "Content-Type"]
    assert policy["updated_at"].endswith("Z")
    assert client.get(POLICY, headers=tenant.server).json() == policy


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"max_age": 86401}, "max_age"),
        ({"max_age": -5}, "max_age"),
        ({"allow_credentials": True}, "allow_credentials"),
        ({"allowed_headers": ["Cookie"]}, "allowed_headers"),
        ({"allowed_methods": ["TRACE"]}, "allowed_methods"),
        ({"mode": "loose"}, "mode"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_invalid_policies_are_422(
    client: TestClient, tenant: Tenant, body: dict[str, object], field: str
) -> None:
    response = client.patch(POLICY, json=body, headers=tenant.server)
    assert response.status_code == 422, response.text
    assert any(field in item["loc"] for item in response.json()["detail"])
    assert client.get(POLICY, headers=tenant.server).json()["updated_at"] is None


def test_credentials_are_allowed_once_there_is_an_origin(
    client: TestClient, tenant: Tenant
) -> None:
    created = client.post(
        "/api/v1/cors_origins/", json={"pattern": "app.example.com"}, headers=tenant.server
    ).json()
    response = client.patch(POLICY, json={"allow_credentials": True}, headers=tenant.server)
    assert response.status_code == 200
    # The last origin cannot go while credentials are on: an empty list admits everyone.
    refused = client.delete(f"/api/v1/cors_origins/{created['id']}", headers=tenant.server)
    assert refused.status_code == 409
    assert "allow_credentials" in refused.json()["detail"]


def test_policy_is_per_environment(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    client.patch(POLICY, json={"max_age": 5}, headers=tenant.server)
    assert client.get(POLICY, headers=other_tenant.server).json()["max_age"] == 86400
