"""Signing in: the admin token or a server key becomes a session cookie; anything else does
not, and guessing is rate-limited per address."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from imgwired.config import Settings
from imgwired.web.app import create_app
from tests.conftest import Tenant
from tests.dashboard.conftest import COOKIE, SAME_ORIGIN, sign_in


def cookie_attributes(set_cookie: str) -> tuple[str, set[str]]:
    """The cookie's value and its attributes (names, and ``name=value`` for valued ones)."""
    first, *rest = [part.strip() for part in set_cookie.split(";")]
    name, _, value = first.partition("=")
    assert name == COOKIE
    return value, set(rest)


def test_the_admin_token_signs_in_with_a_strict_http_only_cookie(
    client: TestClient, tenant: Tenant
) -> None:
    response = sign_in(client, tenant.admin_token)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/images"
    value, attributes = cookie_attributes(response.headers["set-cookie"])
    assert len(value) >= 43
    assert {"HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"} <= attributes
    # Plain http and no trusted proxy: a Secure cookie would never come back.
    assert "Secure" not in attributes
    # The token itself is not what the browser keeps.
    assert tenant.admin_token not in response.headers["set-cookie"]
    page = client.get("/dashboard/images")
    assert page.status_code == 200
    assert "Admin" in page.text


def test_a_server_key_signs_in_to_its_environment_only(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    response = sign_in(client, other_tenant.server_key)
    assert response.status_code == 303
    page = client.get("/dashboard/images")
    assert page.status_code == 200
    assert f'<meta name="environment-id" content="{other_tenant.environment_id}">' in page.text
    # The switcher offers the key's environment alone.
    assert str(other_tenant.environment_id) in page.text
    assert str(tenant.environment_id) not in page.text


def test_the_admin_switcher_offers_every_environment(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    sign_in(client, tenant.admin_token)
    page = client.get("/dashboard/images")
    assert f'value="{tenant.environment_id}"' in page.text
    assert f'value="{other_tenant.environment_id}"' in page.text
    # ?env= chooses, and the session remembers the choice.
    chosen = client.get(f"/dashboard/cors?env={other_tenant.environment_id}")
    assert f'<meta name="environment-id" content="{other_tenant.environment_id}">' in chosen.text
    later = client.get("/dashboard/metrics")
    assert f'<meta name="environment-id" content="{other_tenant.environment_id}">' in later.text


@pytest.mark.parametrize("which", ["wrong", "client_key", "malformed", "empty"])
def test_anything_else_is_refused_without_a_cookie(
    client: TestClient, tenant: Tenant, which: str
) -> None:
    token = {
        "wrong": "sk_" + "x" * 43,
        "client_key": tenant.client_key,
        "malformed": "not a key at all",
        "empty": "   ",
    }[which]
    response = sign_in(client, token)
    assert response.status_code in (400, 401)
    assert "set-cookie" not in response.headers
    assert "<form" in response.text and 'role="alert"' in response.text
    assert client.get("/dashboard/images", follow_redirects=False).status_code == 303


def test_a_revoked_key_cannot_sign_in(client: TestClient, tenant: Tenant) -> None:
    key = client.post(
        "/api/v1/api_keys/", json={"name": "gone", "key_type": "SERVER"}, headers=tenant.admin
    ).json()
    client.delete(f"/api/v1/api_keys/{key['id']}", headers=tenant.admin)
    response = sign_in(client, key["server_key"])
    assert response.status_code == 401
    assert "set-cookie" not in response.headers


@pytest.fixture
def limited_client(settings: Settings, tenant: Tenant) -> Iterator[TestClient]:
    """The same install, served by an app whose sign-in limit is 3 attempts, then 1 a minute."""
    limited = settings.model_copy(
        update={"dashboard_sign_in_burst": 3, "dashboard_sign_in_per_minute": 1}
    )
    with TestClient(create_app(limited), client=("192.0.2.7", 50000)) as client:
        yield client


def test_sign_in_attempts_are_limited_per_address(
    limited_client: TestClient, tenant: Tenant
) -> None:
    for _ in range(3):
        assert sign_in(limited_client, "adm_" + "x" * 43).status_code == 401
    refused = sign_in(limited_client, tenant.admin_token)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "set-cookie" not in refused.headers
    assert "Too many sign-in attempts" in refused.text
    assert refused.headers["content-type"].startswith("text/html")


def test_another_address_is_not_limited_by_the_first(settings: Settings, tenant: Tenant) -> None:
    limited = settings.model_copy(
        update={"dashboard_sign_in_burst": 2, "dashboard_sign_in_per_minute": 1}
    )
    app = create_app(limited)
    with TestClient(app, client=("192.0.2.7", 1)) as first:
        for _ in range(2):
            sign_in(first, "adm_" + "x" * 43)
        assert sign_in(first, tenant.admin_token).status_code == 429
    with TestClient(app, client=("192.0.2.9", 1)) as second:
        assert sign_in(second, tenant.admin_token).status_code == 303


def test_a_signed_in_browser_skips_the_form(client: TestClient, tenant: Tenant) -> None:
    sign_in(client, tenant.admin_token)
    response = client.get("/dashboard/sign-in", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/images"


def test_the_overview_opens_the_first_page(client: TestClient, tenant: Tenant) -> None:
    assert client.get("/dashboard", follow_redirects=False).headers["location"] == (
        "/dashboard/sign-in"
    )
    sign_in(client, tenant.admin_token)
    response = client.get("/dashboard", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/dashboard/images?env={tenant.environment_id}"


def test_a_form_that_is_not_urlencoded_is_a_400_page(client: TestClient, tenant: Tenant) -> None:
    response = client.post(
        "/dashboard/sign-in",
        content=b'{"token": "x"}',
        headers={**SAME_ORIGIN, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    bad = client.post(
        "/dashboard/sign-in",
        content=b"token=%FF%FE",
        headers={**SAME_ORIGIN, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert bad.status_code in (400, 401)
