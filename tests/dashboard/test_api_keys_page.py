"""The API keys page over HTTP: an admin session sees the environment's keys masked, never a
secret; a server-key session is told keys need the admin token."""

from __future__ import annotations

from tests.conftest import Tenant
from tests.dashboard.conftest import Dashboard


def test_the_admin_sees_every_key_masked(admin_dashboard: Dashboard, tenant: Tenant) -> None:
    page = admin_dashboard.client.get("/dashboard/api-keys")
    assert page.status_code == 200
    text = page.text
    assert f"sk_****{tenant.server_key[-4:]}" in text
    assert f"ck_****{tenant.client_key[-4:]}" in text
    assert tenant.server_key not in text
    assert tenant.client_key not in text
    assert 'id="key-create"' in text
    assert 'src="/dashboard/static/api_keys.js"' in text
    # A client key's settings form carries its stored values.
    assert 'name="maximum_upload_bytes"' in text
    assert 'value="52428800"' in text


def test_a_server_key_session_is_told_to_use_the_admin_token(
    server_dashboard: Dashboard, tenant: Tenant
) -> None:
    page = server_dashboard.client.get("/dashboard/api-keys")
    assert page.status_code == 200
    assert "managed with the <strong>admin token</strong>" in page.text
    assert 'id="keys"' not in page.text
    assert "api_keys.js" not in page.text


def test_a_revoked_key_leaves_the_list(admin_dashboard: Dashboard, tenant: Tenant) -> None:
    client = admin_dashboard.client
    created = client.post(
        "/api/v1/api_keys/", json={"name": "temporary", "key_type": "SERVER"}, headers=tenant.admin
    )
    assert created.status_code == 200, created.text
    assert "temporary" in client.get("/dashboard/api-keys").text
    revoked = client.delete(f"/api/v1/api_keys/{created.json()['id']}", headers=tenant.admin)
    assert revoked.status_code == 200, revoked.text
    assert "temporary" not in client.get("/dashboard/api-keys").text
