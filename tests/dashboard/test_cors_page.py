"""The CORS page over HTTP: the allowlist, the policy and the refused-origins log as the
services hold them, in the page's environment, escaped."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from markupsafe import escape

from tests.conftest import Tenant
from tests.dashboard.conftest import Dashboard

UPLOAD = "/api/v1/images/standard_upload"


def allow(client: TestClient, tenant: Tenant, pattern: str) -> None:
    response = client.post(
        "/api/v1/cors_origins/", json={"pattern": pattern}, headers=tenant.server
    )
    assert response.status_code == 200, response.text


def preflight_from(client: TestClient, origin: str) -> None:
    """A browser's preflight for an upload from ``origin``, refused by the allowlist."""
    response = client.options(
        UPLOAD,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert response.status_code == 403, response.text


def test_the_page_lists_origins_policy_and_refusals(
    server_dashboard: Dashboard, tenant: Tenant
) -> None:
    client = server_dashboard.client
    allow(client, tenant, "app.example.com")
    preflight_from(client, "https://evil.example.org")
    preflight_from(client, "https://evil.example.org")
    patched = client.patch(
        "/api/v1/cors_policy", json={"max_age": 600, "mode": "report_only"}, headers=tenant.server
    )
    assert patched.status_code == 200, patched.text

    page = client.get("/dashboard/cors")
    assert page.status_code == 200
    text = page.text
    assert 'value="app.example.com"' in text
    assert re.search(r'id="policy-max_age"[^>]*value="600"', text)
    assert '<option value="report_only" selected>' in text
    row = re.search(r"<tr>\s*<td><code>https://evil\.example\.org</code>.*?</tr>", text, re.S)
    assert row, text
    assert '<td class="number">2</td>' in row.group(0)
    assert "origin_not_allowed" in row.group(0)
    assert 'src="/dashboard/static/cors.js"' in text


def test_an_empty_allowlist_says_every_origin_is_allowed(server_dashboard: Dashboard) -> None:
    text = server_dashboard.client.get("/dashboard/cors").text
    assert "every origin is allowed" in text
    assert 'id="rejections-empty"' in text


def test_a_hostile_origin_in_the_log_is_escaped(
    server_dashboard: Dashboard, tenant: Tenant
) -> None:
    client = server_dashboard.client
    allow(client, tenant, "app.example.com")
    hostile = 'https://a.example"><script>alert(1)</script>'
    preflight_from(client, hostile)
    text = client.get("/dashboard/cors").text
    assert "<script>alert(1)</script>" not in text
    assert str(escape(hostile)) in text


def test_another_environment_is_not_shown(
    admin_dashboard: Dashboard, tenant: Tenant, other_tenant: Tenant
) -> None:
    client = admin_dashboard.client
    allow(client, other_tenant, "staging.example.com")
    allow(client, tenant, "prod.example.com")
    text = client.get(f"/dashboard/cors?env={tenant.environment_id}").text
    assert "prod.example.com" in text
    assert "staging.example.com" not in text
    text = client.get(f"/dashboard/cors?env={other_tenant.environment_id}").text
    assert "staging.example.com" in text
    assert "prod.example.com" not in text
