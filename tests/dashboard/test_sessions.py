"""A session lives in the database: signing out, expiry and revoking its server key end it at
once, for the pages and for the Resource API alike."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from imgwired.accounts.secrets import hash_secret
from imgwired.db.base import utcnow
from imgwired.db.models import DashboardSession
from tests.conftest import Tenant
from tests.dashboard.conftest import COOKIE, SAME_ORIGIN, Dashboard, signed_in


def refused_everywhere(client: TestClient, cookie: str, tenant: Tenant) -> None:
    """The cookie opens no page and calls no API."""
    client.cookies.clear()
    client.cookies.set(COOKIE, cookie)
    page = client.get("/dashboard/images", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/dashboard/sign-in"
    api = client.get("/api/v1/images/", headers={"X-Environment-Id": str(tenant.environment_id)})
    assert api.status_code == 401
    assert api.json()["error_type"] == "SessionExpiredError"


def test_only_the_hash_of_the_secret_is_stored(app: FastAPI, admin_dashboard: Dashboard) -> None:
    secret = admin_dashboard.client.cookies[COOKIE]
    with app.state.services.database.reading() as session:
        rows = session.scalars(select(DashboardSession)).all()
    assert [row.secret_hash for row in rows] == [hash_secret(secret)]
    assert all(secret not in str(vars(row)) for row in rows)
    # Twelve hours by default.
    lifetime = rows[0].expires_at - rows[0].created_at
    assert abs(lifetime - timedelta(hours=12)) < timedelta(minutes=1)


def test_sign_out_ends_the_session(admin_dashboard: Dashboard, tenant: Tenant) -> None:
    client = admin_dashboard.client
    old = client.cookies[COOKIE]
    response = client.post(
        "/dashboard/sign-out",
        data={"csrf_token": admin_dashboard.csrf_token},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/sign-in"
    assert "Max-Age=0" in response.headers["set-cookie"]
    # A copy of the old cookie is worth nothing now.
    refused_everywhere(client, old, tenant)


def test_an_expired_session_is_refused(
    app: FastAPI, admin_dashboard: Dashboard, tenant: Tenant
) -> None:
    client = admin_dashboard.client
    cookie = client.cookies[COOKIE]
    assert client.get("/dashboard/images").status_code == 200
    with app.state.services.database.transaction() as session:
        session.execute(update(DashboardSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    refused_everywhere(client, cookie, tenant)


def test_expired_rows_are_swept(app: FastAPI, admin_dashboard: Dashboard) -> None:
    services = app.state.services
    with services.database.transaction() as session:
        session.execute(update(DashboardSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    services.dashboard_sessions.sweep_expired()
    with services.database.reading() as session:
        assert session.scalars(select(DashboardSession)).all() == []


def test_revoking_the_server_key_ends_its_sessions(client: TestClient, tenant: Tenant) -> None:
    created = client.post(
        "/api/v1/api_keys/", json={"name": "ops", "key_type": "SERVER"}, headers=tenant.admin
    ).json()
    dashboard = signed_in(client, created["server_key"])
    cookie = client.cookies[COOKIE]
    assert client.get("/api/v1/images/", headers=dashboard.api_headers()).status_code == 200
    client.cookies.clear()
    revoked = client.delete(f"/api/v1/api_keys/{created['id']}", headers=tenant.admin)
    assert revoked.status_code == 200, revoked.text
    refused_everywhere(client, cookie, tenant)


def test_a_made_up_cookie_is_refused(client: TestClient, tenant: Tenant) -> None:
    refused_everywhere(client, "A" * 43, tenant)


def test_signing_in_again_replaces_the_old_session(
    app: FastAPI, admin_dashboard: Dashboard, tenant: Tenant
) -> None:
    client = admin_dashboard.client
    first = client.cookies[COOKIE]
    signed_in(client, tenant.server_key)
    assert client.cookies[COOKIE] != first
    with app.state.services.database.reading() as session:
        hashes = [row.secret_hash for row in session.scalars(select(DashboardSession))]
    assert hash_secret(first) not in hashes
