"""``/api/v1/environments``: the admin token manages the install's environments."""

from __future__ import annotations

from fastapi.testclient import TestClient

from imgwired.accounts.organization import Initialized
from tests.conftest import Tenant

ENVS = "/api/v1/environments/"


def admin(tenant: Tenant) -> dict[str, str]:
    return {"Authorization": f"Bearer {tenant.admin_token}"}


def test_init_made_one_default_environment(
    client: TestClient, tenant: Tenant, installed: Initialized
) -> None:
    response = client.get(ENVS, headers=admin(tenant))
    assert response.status_code == 200
    [environment] = response.json()
    assert environment["id"] == str(tenant.environment_id)
    assert environment["name"] == "production"
    assert environment["default"] is True
    assert environment["organization_id"] == str(installed.organization.id)
    assert environment["created_at"].endswith("Z")


def test_create_rename_and_delete(client: TestClient, tenant: Tenant) -> None:
    created = client.post(ENVS, json={"name": "  staging  "}, headers=admin(tenant))
    assert created.status_code == 200, created.text
    env = created.json()
    assert env["name"] == "staging" and env["default"] is False

    renamed = client.patch(f"{ENVS}{env['id']}", json={"name": "qa"}, headers=admin(tenant))
    assert renamed.json()["name"] == "qa"
    assert client.get(f"{ENVS}{env['id']}", headers=admin(tenant)).json()["name"] == "qa"

    deleted = client.delete(f"{ENVS}{env['id']}", headers=admin(tenant))
    assert deleted.json() == {"id": env["id"], "status": "deleted"}
    assert client.get(f"{ENVS}{env['id']}", headers=admin(tenant)).status_code == 404
    assert client.get(ENVS, headers=admin(tenant)).headers["X-Total-Count"] == "1"


def test_names_are_unique_among_live_environments(client: TestClient, tenant: Tenant) -> None:
    assert client.post(ENVS, json={"name": "staging"}, headers=admin(tenant)).status_code == 200
    duplicate = client.post(ENVS, json={"name": "staging"}, headers=admin(tenant))
    assert duplicate.status_code == 409
    assert duplicate.json()["error_type"] == "ConflictError"
    assert "staging" in duplicate.json()["detail"]
    rename_clash = client.patch(
        f"{ENVS}{tenant.environment_id}", json={"name": "staging"}, headers=admin(tenant)
    )
    assert rename_clash.status_code == 409


def test_a_deleted_name_can_be_reused(client: TestClient, tenant: Tenant) -> None:
    first = client.post(ENVS, json={"name": "temp"}, headers=admin(tenant)).json()
    client.delete(f"{ENVS}{first['id']}", headers=admin(tenant))
    again = client.post(ENVS, json={"name": "temp"}, headers=admin(tenant))
    assert again.status_code == 200 and again.json()["id"] != first["id"]


def test_the_default_environment_cannot_be_deleted(client: TestClient, tenant: Tenant) -> None:
    response = client.delete(f"{ENVS}{tenant.environment_id}", headers=admin(tenant))
    assert response.status_code == 409
    assert response.json()["error_type"] == "DefaultEnvironmentError"
    still_there = client.get(f"{ENVS}{tenant.environment_id}", headers=admin(tenant))
    assert still_there.status_code == 200


def test_deleting_an_environment_revokes_its_keys(client: TestClient, other_tenant: Tenant) -> None:
    env_admin = {**admin(other_tenant), "X-Environment-Id": str(other_tenant.environment_id)}
    assert client.get("/api/v1/api_keys/", headers=env_admin).status_code == 200
    client.delete(f"{ENVS}{other_tenant.environment_id}", headers=admin(other_tenant))
    gone = client.get("/api/v1/api_keys/", headers=env_admin)
    assert gone.status_code == 404
    assert gone.json()["error_type"] == "EnvironmentNotFoundError"
    refused = client.get("/api/v1/api_keys/", headers=other_tenant.server)
    assert refused.json()["error_type"] == "RevokedApiKeyError"


def test_unknown_environment_is_404(client: TestClient, tenant: Tenant) -> None:
    missing = "00000000-0000-7000-8000-000000000000"
    for method in ("GET", "PATCH", "DELETE"):
        response = client.request(
            method,
            f"{ENVS}{missing}",
            json={"name": "x"} if method == "PATCH" else None,
            headers=admin(tenant),
        )
        assert response.status_code == 404, method
        assert response.json()["error_type"] == "EnvironmentNotFoundError"


def test_malformed_environment_id_is_422(client: TestClient, tenant: Tenant) -> None:
    response = client.get(f"{ENVS}not-a-uuid", headers=admin(tenant))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "environment_id"]
