"""A state-changing request made with the session cookie must come from the dashboard: its
origin, and the session's CSRF token. Refused: 403, nothing changed."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.web.dashboard.csrf import UNSAFE_METHODS
from tests.conftest import Tenant
from tests.dashboard.conftest import ORIGIN, SAME_ORIGIN, Dashboard, sign_in

FOREIGN = "http://evil.test"


def still_signed_in(client: TestClient) -> bool:
    return client.get("/dashboard/images", follow_redirects=False).status_code == 200


@pytest.mark.parametrize(
    ("token", "headers"),
    [
        (None, SAME_ORIGIN),
        ("0" * 64, SAME_ORIGIN),
        ("", SAME_ORIGIN),
        ("right", {"Origin": FOREIGN}),
        ("right", {"Origin": FOREIGN, "Sec-Fetch-Site": "cross-site"}),
        ("right", {"Sec-Fetch-Site": "cross-site"}),
        ("right", {"Sec-Fetch-Site": "same-site"}),
        ("right", {"Origin": "null"}),
        ("right", {"Origin": ORIGIN + ":8080"}),
        ("right", {"Origin": "https://testserver"}),
    ],
    ids=[
        "no-token",
        "wrong-token",
        "empty-token",
        "foreign-origin",
        "cross-site",
        "cross-site-fetch-metadata-only",
        "same-site",
        "null-origin",
        "other-port",
        "other-scheme",
    ],
)
def test_a_cross_site_form_post_is_refused(
    admin_dashboard: Dashboard, token: str | None, headers: dict[str, str]
) -> None:
    client = admin_dashboard.client
    data = {} if token is None else {"csrf_token": admin_dashboard.csrf_token}
    if token not in (None, "right"):
        data = {"csrf_token": token}
    response = client.post(
        "/dashboard/sign-out", data=data, headers=headers, follow_redirects=False
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "set-cookie" not in response.headers
    assert still_signed_in(client)


def test_the_token_and_the_origin_together_are_accepted(admin_dashboard: Dashboard) -> None:
    client = admin_dashboard.client
    response = client.post(
        "/dashboard/sign-out",
        data={"csrf_token": admin_dashboard.csrf_token},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert not still_signed_in(client)


def test_a_browser_that_sends_no_origin_is_judged_by_the_token(
    admin_dashboard: Dashboard,
) -> None:
    client = admin_dashboard.client
    response = client.post(
        "/dashboard/sign-out",
        data={"csrf_token": admin_dashboard.csrf_token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_sign_in_from_another_site_is_refused(client: TestClient, tenant: Tenant) -> None:
    # Login CSRF: another site must not sign the browser in to an account of its choosing.
    response = client.post(
        "/dashboard/sign-in",
        data={"token": tenant.admin_token},
        headers={"Origin": FOREIGN, "Sec-Fetch-Site": "cross-site"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_each_session_has_its_own_token(client: TestClient, tenant: Tenant) -> None:
    sign_in(client, tenant.admin_token)
    first = client.get("/dashboard/images").text
    client.cookies.clear()
    sign_in(client, tenant.admin_token)
    second = client.get("/dashboard/images").text
    token_of = lambda text: text.split('name="csrf-token" content="')[1][:64]  # noqa: E731
    assert token_of(first) != token_of(second)


def dashboard_routes(app: FastAPI) -> list[tuple[str, set[str]]]:
    """(path, methods) of every route under /dashboard, included routers flattened (FastAPI
    keeps an included router as one entry of ``app.routes``)."""
    found = []
    for entry in app.routes:
        contexts: Any = getattr(entry, "effective_route_contexts", None)
        for route in contexts() if contexts is not None else [entry]:
            original = getattr(route, "original_route", route)
            path = getattr(route, "path", None) or getattr(original, "path", None) or ""
            methods = getattr(route, "methods", None) or getattr(original, "methods", None)
            if path.startswith("/dashboard") and methods:
                found.append((path, set(methods)))
    return found


def test_every_unsafe_dashboard_route_refuses_a_cross_site_post(
    app: FastAPI, admin_dashboard: Dashboard
) -> None:
    """Whatever routes the dashboard grows, none changes state for another site's page."""
    client = admin_dashboard.client
    routes = [
        (path, method)
        for path, methods in dashboard_routes(app)
        for method in sorted(methods & UNSAFE_METHODS)
    ]
    assert ("/dashboard/sign-out", "POST") in routes
    assert ("/dashboard/sign-in", "POST") in routes
    placeholder = str(uuid.uuid4())
    for path, method in routes:
        url = "/".join(placeholder if "{" in part else part for part in path.split("/"))
        response = client.request(
            method,
            url,
            data={"csrf_token": admin_dashboard.csrf_token, "token": "x"},
            headers={"Origin": FOREIGN, "Sec-Fetch-Site": "cross-site"},
            follow_redirects=False,
        )
        assert response.status_code == 403, (method, path, response.status_code)
    assert still_signed_in(client)
