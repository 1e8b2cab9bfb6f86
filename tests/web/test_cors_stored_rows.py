"""What is stored is what starts: refused writes change nothing, and a stored pattern that no
longer compiles is skipped and reported for its environment, never failing a start or a write.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from imgwired.config import Settings
from imgwired.db.engine import Database
from imgwired.db.models import CorsOrigin
from imgwired.web.app import create_app
from tests.conftest import Tenant

ORIGINS = "/api/v1/cors_origins/"
POLICY = "/api/v1/cors_policy"
UPLOAD = "/api/v1/images/standard_upload"
GOOD = "https://good.example.com"
STAGING = "https://staging.example.com"
EVIL = "https://evil.example.org"
# Rows an older version could have written: none of them parses today.
BROKEN = [
    "app.1",
    "*.com",
    "https://x.example.com:443",
    "app.example.com.",
    "xn--zz.example.com",
    "",
]


@contextmanager
def fresh_app(settings: Settings) -> Iterator[TestClient]:
    """A new app on the same database; entering it runs the whole start-up (the lifespan)."""
    with TestClient(create_app(settings), raise_server_exceptions=False) as started:
        yield started


def store_directly(settings: Settings, environment_id: uuid.UUID, patterns: list[str]) -> None:
    """Write rows as an older version might have, past every check of today's API."""
    database = Database(settings.resolved_database_url)
    try:
        with database.transaction() as session:
            for pattern in patterns:
                session.execute(
                    insert(CorsOrigin).values(environment_id=environment_id, pattern=pattern)
                )
    finally:
        database.dispose()


def listed(client: TestClient, tenant: Tenant) -> list[dict[str, Any]]:
    response = client.get(ORIGINS, params={"limit": 100}, headers=tenant.server)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


def add(client: TestClient, tenant: Tenant, pattern: str) -> dict[str, Any]:
    response = client.post(ORIGINS, json={"pattern": pattern}, headers=tenant.server)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def upload_from(client: TestClient, tenant: Tenant, origin: str) -> Any:
    headers = {**tenant.server, "Origin": origin}
    return client.post(UPLOAD, json={"file_name": "a.jpg"}, headers=headers)


def skipped_gauge(client: TestClient, tenant: Tenant) -> int | None:
    """The environment's ``imgwired_cors_origins_skipped`` sample in /metrics, if any."""
    admin = {"Authorization": f"Bearer {tenant.admin_token}"}
    text = client.get("/metrics", headers=admin).text
    label = f'environment_id="{tenant.environment_id}"'
    for line in text.splitlines():
        if line.startswith("imgwired_cors_origins_skipped{") and label in line:
            return int(line.rsplit(" ", 1)[1])
    return None


def test_refused_writes_change_nothing_and_the_next_start_succeeds(
    client: TestClient, tenant: Tenant, settings: Settings
) -> None:
    good = add(client, tenant, "good.example.com")
    before = listed(client, tenant)
    policy = client.get(POLICY, headers=tenant.server).json()
    for pattern in (
        "app.\u2460",
        "app.example.com\u3002",
        "*\uff0ecom",
        "127.0.0.\u2460\u2460\u2460\u2460",
    ):
        created = client.post(ORIGINS, json={"pattern": pattern}, headers=tenant.server)
        assert created.status_code == 422, (pattern, created.text)
        updated = client.patch(
            f"{ORIGINS}{good['id']}", json={"pattern": pattern}, headers=tenant.server
        )
        assert updated.status_code == 422, (pattern, updated.text)
        assert listed(client, tenant) == before
    for change in ({"max_age": 86401}, {"allow_credentials": True, "max_age": -1}):
        refused = client.patch(POLICY, json=change, headers=tenant.server)
        assert refused.status_code == 422, refused.text
        assert client.get(POLICY, headers=tenant.server).json() == policy
    with fresh_app(settings) as restarted:
        assert listed(restarted, tenant) == before
        assert restarted.get(POLICY, headers=tenant.server).json() == policy
        assert upload_from(restarted, tenant, GOOD).headers["Access-Control-Allow-Origin"] == GOOD


def test_a_stored_row_that_does_not_compile_is_skipped_and_reported(
    client: TestClient,
    tenant: Tenant,
    other_tenant: Tenant,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    add(client, tenant, "good.example.com")
    add(client, other_tenant, "staging.example.com")
    store_directly(settings, tenant.environment_id, BROKEN)
    caplog.set_level(logging.WARNING, logger="imgwired.cors")
    with fresh_app(settings) as restarted:
        # The start completed; the environment's other patterns and other environments work.
        assert upload_from(restarted, tenant, GOOD).headers["Access-Control-Allow-Origin"] == GOOD
        assert upload_from(restarted, tenant, EVIL).status_code == 403
        assert upload_from(restarted, other_tenant, STAGING).status_code == 200
        assert upload_from(restarted, other_tenant, GOOD).status_code == 403

        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        for pattern in BROKEN:
            about = [message for message in warnings if repr(pattern) in message]
            assert about, pattern
            assert all(str(tenant.environment_id) in message for message in about)
        summary = f"environment {tenant.environment_id}: {len(BROKEN)} stored pattern(s) skipped"
        assert any(message.startswith(summary) for message in warnings), warnings
        assert skipped_gauge(restarted, tenant) == len(BROKEN)
        assert skipped_gauge(restarted, other_tenant) is None

        # The rows are listed as stored, so they can be seen and mended; every write works.
        rows = {row["pattern"]: row for row in listed(restarted, tenant)}
        assert set(BROKEN) <= set(rows)
        add(restarted, tenant, "new.example.com")
        changed = restarted.patch(POLICY, json={"max_age": 600}, headers=tenant.server)
        assert changed.status_code == 200, changed.text
        mended = restarted.patch(
            f"{ORIGINS}{rows['app.1']['id']}",
            json={"pattern": "app.example.com"},
            headers=tenant.server,
        )
        assert mended.status_code == 200, mended.text
        removed = restarted.delete(f"{ORIGINS}{rows['*.com']['id']}", headers=tenant.server)
        assert removed.status_code == 200, removed.text
        assert skipped_gauge(restarted, tenant) == len(BROKEN) - 2
        for origin in (GOOD, "https://new.example.com", "https://app.example.com"):
            assert upload_from(restarted, tenant, origin).status_code == 200, origin
        assert restarted.get(POLICY, headers=tenant.server).json()["max_age"] == 600


def test_an_allowlist_of_skipped_rows_admits_no_origin(
    client: TestClient, tenant: Tenant, settings: Settings
) -> None:
    # An empty allowlist admits everyone; one whose rows were all skipped must not.
    store_directly(settings, tenant.environment_id, ["app.1"])
    with fresh_app(settings) as restarted:
        refused = upload_from(restarted, tenant, EVIL)
        assert refused.status_code == 403
        assert "access-control-allow-origin" not in refused.headers
        preflight = restarted.options(
            UPLOAD, headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"}
        )
        assert preflight.status_code == 403
        assert upload_from(restarted, tenant, EVIL).status_code == 403
