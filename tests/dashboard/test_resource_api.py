"""The Resource API accepts the session cookie: an admin session as the admin token (naming
its environment in X-Environment-Id), a server-key session as its key; unsafe calls need the
CSRF header, and another origin gets nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Tenant
from tests.dashboard.conftest import ORIGIN, Dashboard

ORIGINS = "/api/v1/cors_origins/"


def patterns(client: TestClient, tenant: Tenant) -> list[str]:
    client.cookies.clear()
    listed = client.get(ORIGINS, headers=tenant.server)
    assert listed.status_code == 200
    return [row["pattern"] for row in listed.json()]


def test_an_admin_session_reads_with_x_environment_id(
    admin_dashboard: Dashboard, tenant: Tenant
) -> None:
    client = admin_dashboard.client
    environment = {"X-Environment-Id": str(tenant.environment_id)}
    response = client.get("/api/v1/images/", headers=admin_dashboard.api_headers(**environment))
    assert response.status_code == 200, response.text
    assert response.json() == []
    # As for the admin token, an environment-scoped operation needs the header ...
    missing = client.get("/api/v1/images/", headers=admin_dashboard.api_headers())
    assert missing.status_code == 400
    assert missing.json()["error_type"] == "EnvironmentRequiredError"
    # ... and the organization-wide ones do not.
    environments = client.get("/api/v1/environments/", headers=admin_dashboard.api_headers())
    assert environments.status_code == 200
    assert [env["id"] for env in environments.json()] == [str(tenant.environment_id)]


def test_an_admin_session_writes_with_the_csrf_header(
    admin_dashboard: Dashboard, tenant: Tenant
) -> None:
    client = admin_dashboard.client
    environment = {"X-Environment-Id": str(tenant.environment_id)}
    created = client.post(
        ORIGINS,
        json={"pattern": "app.example.com"},
        headers=admin_dashboard.api_headers(**environment, Origin=ORIGIN),
    )
    assert created.status_code == 200, created.text
    assert patterns(client, tenant) == ["app.example.com"]


def test_a_write_without_the_csrf_header_changes_nothing(
    admin_dashboard: Dashboard, tenant: Tenant
) -> None:
    client = admin_dashboard.client
    environment = str(tenant.environment_id)
    for headers in (
        {"X-Environment-Id": environment},
        {"X-Environment-Id": environment, "X-CSRF-Token": "f" * 64},
        {"X-Environment-Id": environment, "X-CSRF-Token": ""},
    ):
        response = client.post(ORIGINS, json={"pattern": "app.example.com"}, headers=headers)
        assert response.status_code == 403, response.text
        assert response.json()["error_type"] == "CrossSiteRequestError"
    assert patterns(client, tenant) == []


def test_another_origin_cannot_use_the_session_even_to_read(
    admin_dashboard: Dashboard, tenant: Tenant
) -> None:
    client = admin_dashboard.client
    environment = {"X-Environment-Id": str(tenant.environment_id)}
    for headers in (
        {"Origin": "http://evil.test"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ):
        response = client.get("/api/v1/images/", headers={**environment, **headers})
        assert response.status_code == 403, headers
        assert response.json()["error_type"] == "CrossSiteRequestError"
    # Even with the token (a page of another origin cannot read it, but had it leaked).
    leaked = client.post(
        ORIGINS,
        json={"pattern": "evil.test"},
        headers=admin_dashboard.api_headers(**environment, Origin="http://evil.test"),
    )
    assert leaked.status_code == 403
    assert patterns(client, tenant) == []


def test_a_server_key_session_acts_as_its_key(
    server_dashboard: Dashboard, tenant: Tenant, other_tenant: Tenant
) -> None:
    client = server_dashboard.client
    mine = client.get("/api/v1/images/", headers=server_dashboard.api_headers())
    assert mine.status_code == 200
    # Its own environment named explicitly is fine, another is refused as for the key.
    own = {"X-Environment-Id": str(tenant.environment_id)}
    assert client.get("/api/v1/images/", headers=server_dashboard.api_headers(**own)).is_success
    other = {"X-Environment-Id": str(other_tenant.environment_id)}
    refused = client.get("/api/v1/images/", headers=server_dashboard.api_headers(**other))
    assert refused.status_code == 403
    assert refused.json()["error_type"] == "EnvironmentMismatchError"
    # The key manages no environments.
    environments = client.get("/api/v1/environments/", headers=server_dashboard.api_headers())
    assert environments.status_code == 401
    assert environments.json()["error_type"] == "AdminTokenRequiredError"


def test_a_server_key_session_cannot_open_another_environments_pages(
    server_dashboard: Dashboard, other_tenant: Tenant
) -> None:
    client = server_dashboard.client
    for slug in ("images", "cors", "api-keys"):
        page = client.get(f"/dashboard/{slug}?env={other_tenant.environment_id}")
        assert page.status_code == 403
        assert "own environment only" in page.text
        assert str(other_tenant.environment_id) not in page.text.split("<main", 1)[0]


def test_an_unknown_environment_is_a_404_page(admin_dashboard: Dashboard) -> None:
    client = admin_dashboard.client
    for value in ("00000000-0000-7000-8000-000000000000", "not-a-uuid"):
        page = client.get(f"/dashboard/images?env={value}")
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")


def test_a_bearer_credential_wins_over_the_cookie(
    server_dashboard: Dashboard, other_tenant: Tenant
) -> None:
    client = server_dashboard.client
    # The cookie is the first environment's key; the bearer is the second's.
    response = client.get("/api/v1/images/", headers=other_tenant.server)
    assert response.status_code == 200
    # And with a bearer no CSRF token is asked for: the browser never adds one by itself.
    created = client.post(ORIGINS, json={"pattern": "b.example.com"}, headers=other_tenant.server)
    assert created.status_code == 200, created.text
