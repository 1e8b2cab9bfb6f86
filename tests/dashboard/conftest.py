"""A signed-in browser, as the HTTP tests see one: a TestClient whose cookie jar holds the
session cookie that the sign-in form set."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Tenant

ORIGIN = "http://testserver"
# What a browser sends with a form post from the dashboard's own page.
SAME_ORIGIN = {"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin"}
COOKIE = "imgwired_session"


def sign_in(client: TestClient, token: str) -> httpx.Response:
    """Post ``token`` to the sign-in form as the page would."""
    return client.post(
        "/dashboard/sign-in", data={"token": token}, headers=SAME_ORIGIN, follow_redirects=False
    )


def csrf_token_of(page: httpx.Response) -> str:
    """The CSRF token a dashboard page carries (its meta tag)."""
    match = re.search(r'<meta name="csrf-token" content="([0-9a-f]+)">', page.text)
    assert match, page.text[:500]
    return match.group(1)


@dataclass
class Dashboard:
    """A client signed in to the dashboard, and what the pages told it."""

    client: TestClient
    csrf_token: str

    def api_headers(self, **extra: str) -> dict[str, str]:
        """What ``api()`` in dashboard.js sends with a fetch."""
        return {"X-CSRF-Token": self.csrf_token, "Sec-Fetch-Site": "same-origin", **extra}


def signed_in(client: TestClient, token: str) -> Dashboard:
    response = sign_in(client, token)
    assert response.status_code == 303, response.text
    page = client.get("/dashboard/images")
    assert page.status_code == 200, page.text
    return Dashboard(client, csrf_token_of(page))


@pytest.fixture
def admin_dashboard(client: TestClient, tenant: Tenant) -> Dashboard:
    return signed_in(client, tenant.admin_token)


@pytest.fixture
def server_dashboard(client: TestClient, tenant: Tenant) -> Dashboard:
    return signed_in(client, tenant.server_key)
