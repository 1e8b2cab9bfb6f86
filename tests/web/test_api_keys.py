"""``/api/v1/api_keys``: create, list, retrieve, update and revoke, as the full contract says."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Tenant

KEYS = "/api/v1/api_keys/"


def create(client: TestClient, tenant: Tenant, **body: object) -> dict[str, object]:
    response = client.post(
        KEYS, json={"name": "k", "key_type": "CLIENT", **body}, headers=tenant.admin
    )
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def test_client_key_gets_the_contract_defaults(client: TestClient, tenant: Tenant) -> None:
    key = create(client, tenant)
    assert key["key_type"] == "CLIENT"
    assert key["allow_unsigned_upload"] is False
    assert key["maximum_upload_bytes"] == 50 * 1024 * 1024
    assert key["allowed_mime_types"] is None
    assert key["maximum_pending_uploads"] == 50
    assert str(key["client_key"]).startswith("ck_")
    assert key["server_key"] is None and key["server_key_last4"] is None
    assert key["environment_id"] == str(tenant.environment_id)


def test_server_key_secret_is_shown_once_then_masked(client: TestClient, tenant: Tenant) -> None:
    key = create(client, tenant, key_type="SERVER", name="backend")
    secret = str(key["server_key"])
    assert secret.startswith("sk_") and len(secret) >= 46
    assert key["server_key_last4"] == secret[-4:]
    assert all(key[f] is None for f in ("allow_unsigned_upload", "maximum_upload_bytes"))

    shown = client.get(f"{KEYS}{key['id']}", headers=tenant.admin).json()
    assert shown["server_key"] == f"sk_****{secret[-4:]}"
    listed = client.get(KEYS, headers=tenant.admin).text
    assert secret not in listed


def test_new_server_key_authenticates(client: TestClient, tenant: Tenant) -> None:
    secret = create(client, tenant, key_type="SERVER")["server_key"]
    # A server key is refused by admin-only endpoints with a reason, which proves it was recognised.
    response = client.get(KEYS, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert response.json()["error_type"] == "AdminTokenRequiredError"


def test_keys_are_random_and_distinct(client: TestClient, tenant: Tenant) -> None:
    secrets = {str(create(client, tenant)["client_key"]) for _ in range(5)}
    assert len(secrets) == 5


def test_client_settings_are_stored(client: TestClient, tenant: Tenant) -> None:
    key = create(
        client,
        tenant,
        allow_unsigned_upload=True,
        maximum_upload_bytes=5120,
        allowed_mime_types=["image/png", "image/jpeg", "image/png"],
        maximum_pending_uploads=5,
        scopes=["images:write"],
    )
    fetched = client.get(f"{KEYS}{key['id']}", headers=tenant.admin).json()
    assert fetched["allow_unsigned_upload"] is True
    assert fetched["maximum_upload_bytes"] == 5120
    assert fetched["allowed_mime_types"] == ["image/png", "image/jpeg"]
    assert fetched["maximum_pending_uploads"] == 5
    assert fetched["scopes"] == ["images:write"]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"maximum_upload_bytes": 5119}, "maximum_upload_bytes"),
        ({"maximum_upload_bytes": 104857601}, "maximum_upload_bytes"),
        ({"maximum_pending_uploads": 4}, "maximum_pending_uploads"),
        ({"allowed_mime_types": ["image/svg+xml"]}, "allowed_mime_types"),
        ({"allowed_mime_types": []}, "allowed_mime_types"),
        ({"allowed_mime_types": "image/png"}, "allowed_mime_types"),
        ({"key_type": "ADMIN"}, "key_type"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"scopes": ["has space"]}, "scopes"),
        ({"allow_unsigned_upload": "maybe"}, "allow_unsigned_upload"),
        ({"surprise": 1}, "surprise"),
        ({"key_type": "SERVER", "allow_unsigned_upload": True}, "allow_unsigned_upload"),
        ({"key_type": "SERVER", "maximum_upload_bytes": 6000}, "maximum_upload_bytes"),
    ],
)
def test_invalid_keys_are_refused_with_the_field_named(
    client: TestClient, tenant: Tenant, body: dict[str, object], where: str
) -> None:
    before = client.get(KEYS, headers=tenant.admin).headers["X-Total-Count"]
    response = client.post(
        KEYS, json={"name": "k", "key_type": "CLIENT", **body}, headers=tenant.admin
    )
    assert response.status_code == 422, response.text
    assert any(where in item["loc"] for item in response.json()["detail"]), response.json()
    assert client.get(KEYS, headers=tenant.admin).headers["X-Total-Count"] == before


def test_update_changes_only_what_is_sent(client: TestClient, tenant: Tenant) -> None:
    key = create(client, tenant, maximum_upload_bytes=10000, name="before")
    response = client.patch(
        f"{KEYS}{key['id']}",
        json={"name": "after", "allow_unsigned_upload": True},
        headers=tenant.admin,
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == "after"
    assert updated["allow_unsigned_upload"] is True
    assert updated["maximum_upload_bytes"] == 10000
    assert updated["updated_at"] >= key["updated_at"]


def test_update_with_null_restores_a_default(client: TestClient, tenant: Tenant) -> None:
    key = create(client, tenant, maximum_upload_bytes=10000)
    updated = client.patch(
        f"{KEYS}{key['id']}", json={"maximum_upload_bytes": None}, headers=tenant.admin
    ).json()
    assert updated["maximum_upload_bytes"] == 50 * 1024 * 1024


def test_update_refuses_client_settings_on_a_server_key(client: TestClient, tenant: Tenant) -> None:
    key = create(client, tenant, key_type="SERVER")
    response = client.patch(
        f"{KEYS}{key['id']}", json={"maximum_pending_uploads": 10}, headers=tenant.admin
    )
    assert response.status_code == 422
    assert "client keys" in response.json()["detail"][0]["msg"]


def test_revoked_key_stops_working_and_disappears(client: TestClient, tenant: Tenant) -> None:
    key = create(client, tenant, key_type="SERVER")
    response = client.delete(f"{KEYS}{key['id']}", headers=tenant.admin)
    assert response.status_code == 200
    assert response.json() == {"id": key["id"], "status": "revoked"}

    refused = client.get(KEYS, headers={"Authorization": f"Bearer {key['server_key']}"})
    assert refused.status_code == 401
    assert refused.json()["error_type"] == "RevokedApiKeyError"
    assert client.get(f"{KEYS}{key['id']}", headers=tenant.admin).status_code == 404
    assert client.delete(f"{KEYS}{key['id']}", headers=tenant.admin).status_code == 404


def test_list_filters_by_key_type(client: TestClient, tenant: Tenant) -> None:
    create(client, tenant, key_type="SERVER")
    servers = client.get(KEYS, params={"key_type": "SERVER"}, headers=tenant.admin).json()
    clients = client.get(KEYS, params={"key_type": "CLIENT"}, headers=tenant.admin).json()
    assert {k["key_type"] for k in servers} == {"SERVER"} and len(servers) == 2
    assert {k["key_type"] for k in clients} == {"CLIENT"} and len(clients) == 1


def test_list_pages_newest_first_with_pagination_headers(
    client: TestClient, tenant: Tenant
) -> None:
    made = [create(client, tenant, name=f"key {i}")["id"] for i in range(3)]
    # The two keys `init` made come after these three: five in all, newest first.
    first = client.get(KEYS, params={"limit": 2}, headers=tenant.admin)
    assert [k["id"] for k in first.json()] == [made[2], made[1]]
    assert first.headers["X-Total-Count"] == "5"
    assert first.headers["X-Page"] == "1"
    assert first.headers["X-Limit"] == "2"
    assert first.headers["X-Prev-Page"] == "null"
    assert first.headers["X-Next-Page"] == "2"

    last = client.get(KEYS, params={"limit": 2, "page": 3}, headers=tenant.admin)
    assert len(last.json()) == 1
    assert last.headers["X-Prev-Page"] == "2"
    assert last.headers["X-Next-Page"] == "null"

    beyond = client.get(KEYS, params={"limit": 2, "page": 9}, headers=tenant.admin)
    assert beyond.status_code == 200 and beyond.json() == []
    assert beyond.headers["X-Next-Page"] == "null"


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"page": 0}, {"page": -1}, {"limit": "ten"}, {"key_type": "x"}],
)
def test_out_of_range_paging_is_a_422(
    client: TestClient, tenant: Tenant, params: dict[str, object]
) -> None:
    response = client.get(KEYS, params=params, headers=tenant.admin)
    assert response.status_code == 422
    assert response.json()["error_type"] == "RequestValidationError"


def test_a_pending_upload_cap_beyond_what_is_stored_is_422(
    client: TestClient, tenant: Tenant
) -> None:
    body = {"name": "many", "key_type": "CLIENT", "maximum_pending_uploads": 2**31}
    response = client.post("/api/v1/api_keys/", json=body, headers=tenant.admin)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "maximum_pending_uploads"]
    body["maximum_pending_uploads"] = 2**31 - 1
    assert client.post("/api/v1/api_keys/", json=body, headers=tenant.admin).status_code == 200
