"""Every dashboard response carries the strict Content-Security-Policy and its companions;
the session cookie is Secure exactly when the browser spoke https."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from imgwired.config import Settings
from imgwired.web.app import create_app
from imgwired.web.dashboard.nav import NAV
from tests.conftest import Tenant
from tests.dashboard.conftest import COOKIE, Dashboard

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def assert_secured(response_headers: object, path: str) -> None:
    headers = dict(response_headers)  # type: ignore[call-overload]
    headers = {name.lower(): value for name, value in headers.items()}
    assert headers.get("content-security-policy") == POLICY, path
    assert headers.get("x-content-type-options") == "nosniff", path
    assert headers.get("referrer-policy") == "same-origin", path


def test_every_page_and_answer_carries_the_policy(admin_dashboard: Dashboard) -> None:
    client = admin_dashboard.client
    paths = [item.path for item in NAV] + [
        "/dashboard",
        "/dashboard/",
        "/dashboard/sign-in",
        "/dashboard/no-such-page",
        "/dashboard/images?env=nonsense",
        "/dashboard/static/dashboard.css",
        "/dashboard/static/dashboard.js",
        "/dashboard/static/missing.js",
    ]
    for path in paths:
        response = client.get(path, follow_redirects=False)
        assert response.status_code in (200, 303, 404), (path, response.status_code)
        assert_secured(response.headers, path)
    refused = client.post("/dashboard/sign-out", headers={"Origin": "http://evil.test"})
    assert refused.status_code == 403
    assert_secured(refused.headers, "refused sign-out")


def test_pages_are_not_cached_and_hold_no_inline_script_or_style(
    admin_dashboard: Dashboard,
) -> None:
    for item in NAV:
        page = admin_dashboard.client.get(item.path)
        assert page.headers["cache-control"] == "no-store"
        text = page.text.lower()
        assert "<style" not in text and " style=" not in text
        # Every script is an external module of this origin.
        for chunk in text.split("<script")[1:]:
            assert 'src="/' in chunk.split(">")[0], chunk[:120]
            assert chunk.split(">", 1)[1].startswith("</script")


def test_static_files_are_served_with_their_types(client: TestClient) -> None:
    js = client.get("/dashboard/static/dashboard.js")
    assert js.status_code == 200
    assert js.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert "export async function api" in js.text
    css = client.get("/dashboard/static/dashboard.css")
    assert css.headers["content-type"].startswith("text/css")
    # Outside /dashboard nothing changes.
    health = client.get("/health")
    assert health.status_code == 200
    assert "content-security-policy" not in health.headers


def test_a_cdn_on_another_origin_is_allowed_for_images(settings: Settings) -> None:
    cdn = settings.model_copy(update={"cdn_base_url": "https://cdn.example.com"})
    with TestClient(create_app(cdn)) as client:
        policy = client.get("/dashboard/sign-in").headers["content-security-policy"]
    assert "img-src 'self' data: blob: https://cdn.example.com;" in policy


@pytest.fixture
def behind_proxy(settings: Settings, tenant: Tenant) -> Iterator[TestClient]:
    """The install served to a proxy at 10.0.0.5, which the settings trust."""
    trusting = settings.model_copy(update={"trusted_proxies": ["10.0.0.0/8"]})
    with TestClient(create_app(trusting), client=("10.0.0.5", 40000)) as client:
        yield client


def set_cookie_of(client: TestClient, tenant: Tenant, **headers: str) -> str:
    response = client.post(
        "/dashboard/sign-in",
        data={"token": tenant.admin_token},
        headers={"Sec-Fetch-Site": "same-origin", **headers},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    cookie: str = response.headers["set-cookie"]
    assert cookie.startswith(COOKIE + "=")
    return cookie


def test_secure_behind_a_trusted_proxy_that_says_https(
    behind_proxy: TestClient, tenant: Tenant
) -> None:
    cookie = set_cookie_of(behind_proxy, tenant, **{"X-Forwarded-Proto": "https"})
    assert "; Secure" in cookie
    assert "; Secure" not in set_cookie_of(behind_proxy, tenant, **{"X-Forwarded-Proto": "http"})
    assert "; Secure" not in set_cookie_of(behind_proxy, tenant)


def test_not_secure_when_an_untrusted_peer_says_https(settings: Settings, tenant: Tenant) -> None:
    # No trusted proxies: the header is anyone's invention.
    with TestClient(create_app(settings), client=("10.0.0.5", 40000)) as client:
        assert "; Secure" not in set_cookie_of(client, tenant, **{"X-Forwarded-Proto": "https"})
    trusting = settings.model_copy(update={"trusted_proxies": ["10.0.0.0/8"]})
    # Trusted proxies, but this peer is not one of them.
    with TestClient(create_app(trusting), client=("192.0.2.1", 40000)) as client:
        assert "; Secure" not in set_cookie_of(client, tenant, **{"X-Forwarded-Proto": "https"})


def test_secure_when_served_over_https_itself(settings: Settings, tenant: Tenant) -> None:
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        cookie = set_cookie_of(client, tenant, Origin="https://testserver")
        assert "; Secure" in cookie
        # And the https origin is this server's own for the CSRF check.
        assert client.get("/dashboard/images").status_code == 200


def test_https_behind_the_proxy_keeps_the_origin_check(
    behind_proxy: TestClient, tenant: Tenant
) -> None:
    proto = {"X-Forwarded-Proto": "https"}
    assert sign_in_status(behind_proxy, tenant, Origin="https://testserver", **proto) == 303
    assert sign_in_status(behind_proxy, tenant, Origin="http://testserver", **proto) == 403


def sign_in_status(client: TestClient, tenant: Tenant, **headers: str) -> int:
    client.cookies.clear()
    response = client.post(
        "/dashboard/sign-in",
        data={"token": tenant.admin_token},
        headers=headers,
        follow_redirects=False,
    )
    return response.status_code
