"""Diagnosis: evaluating a request before a browser makes it, and counting refusals after."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from imgwired.config import Settings
from imgwired.web.app import create_app
from tests.conftest import Tenant

EVALUATE = "/api/v1/cors_origins/evaluate"
REJECTIONS = "/api/v1/cors_origins/rejections"
UPLOAD = "/api/v1/images/standard_upload"


@pytest.fixture
def patterns(client: TestClient, tenant: Tenant) -> None:
    for pattern in ("app.example.com", "*.preview.example.com"):
        client.post("/api/v1/cors_origins/", json={"pattern": pattern}, headers=tenant.server)


@pytest.mark.usefixtures("patterns")
def test_evaluate_explains_an_allowed_origin(client: TestClient, tenant: Tenant) -> None:
    body = {
        "origin": "https://pr-7.preview.example.com",
        "method": "POST",
        "request_headers": ["Authorization", "Content-Type"],
    }
    result = client.post(EVALUATE, json=body, headers=tenant.server).json()
    assert result["allowed"] is True
    assert result["reason"] == "allowed"
    assert result["matched_pattern"] == "*.preview.example.com"
    assert result["preflight_required"] is True
    assert result["preflight"]["status"] == 204
    assert result["preflight"]["headers"]["access-control-allow-origin"] == body["origin"]
    assert result["preflight"]["headers"]["access-control-allow-headers"] == (
        "authorization, content-type"
    )
    assert result["request"]["headers"]["access-control-allow-origin"] == body["origin"]


@pytest.mark.usefixtures("patterns")
@pytest.mark.parametrize(
    ("origin", "method", "headers", "reason", "valid"),
    [
        ("https://preview.example.com", "POST", [], "origin_not_allowed", True),
        ("https://evil-example.com", "POST", [], "origin_not_allowed", True),
        ("http://app.example.com", "POST", [], "origin_not_allowed", True),
        ("https://APP.example.com", "POST", [], "origin_not_allowed", False),
        ("null", "POST", [], "origin_not_allowed", False),
        ("https://app.example.com", "PATCH", [], "method_not_allowed", True),
        ("https://app.example.com", "POST", ["X-Debug"], "header_not_allowed:x-debug", True),
    ],
)
def test_evaluate_explains_a_refusal(
    client: TestClient,
    tenant: Tenant,
    origin: str,
    method: str,
    headers: list[str],
    reason: str,
    valid: bool,
) -> None:
    body = {"origin": origin, "method": method, "request_headers": headers}
    result = client.post(EVALUATE, json=body, headers=tenant.server).json()
    assert result["allowed"] is False
    assert result["reason"] == reason
    assert result["origin_is_valid"] is valid
    decisive = result["preflight"] if result["preflight_required"] else result["request"]
    assert decisive["status"] == 403
    assert "access-control-allow-origin" not in decisive["headers"]


def test_evaluate_records_nothing(client: TestClient, tenant: Tenant) -> None:
    client.post("/api/v1/cors_origins/", json={"pattern": "a.example.com"}, headers=tenant.server)
    client.post(EVALUATE, json={"origin": "https://b.example.com"}, headers=tenant.server)
    assert client.get(REJECTIONS, headers=tenant.server).json() == []


@pytest.mark.usefixtures("patterns")
def test_refusals_are_counted_per_origin_and_endpoint(client: TestClient, tenant: Tenant) -> None:
    evil = "https://evil.example.org"
    for _ in range(3):
        client.post(UPLOAD, json={"file_name": "a"}, headers={**tenant.client, "Origin": evil})
    client.options(UPLOAD, headers={"Origin": evil, "Access-Control-Request-Method": "POST"})
    rows = client.get(REJECTIONS, headers=tenant.server)
    assert rows.status_code == 200
    assert rows.headers["X-Total-Count"] == "1"
    [row] = rows.json()
    assert row["origin"] == evil
    assert row["endpoint"] == "standard_upload"
    assert row["reason"] == "origin_not_allowed"
    assert row["count"] == 4
    assert row["first_seen_at"] <= row["last_seen_at"]


def test_rejections_belong_to_their_environment(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    client.post("/api/v1/cors_origins/", json={"pattern": "a.example.com"}, headers=tenant.server)
    client.post(
        UPLOAD, json={"file_name": "a"}, headers={**tenant.client, "Origin": "https://x.io"}
    )
    assert len(client.get(REJECTIONS, headers=tenant.server).json()) == 1
    assert client.get(REJECTIONS, headers=other_tenant.server).json() == []


@pytest.fixture
def second_process(database_url: str, tmp_path: object) -> Iterator[TestClient]:
    """Another imgwired process on the same database, polling for CORS changes."""
    settings = Settings(database_url=database_url, migrate_on_start=False, cors_poll_seconds=0.2)
    with TestClient(create_app(settings)) as other:
        yield other


def test_changes_reach_other_processes_within_two_seconds(
    client: TestClient, tenant: Tenant, second_process: TestClient
) -> None:
    preflight = {
        "Origin": "https://late.example.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    client.post("/api/v1/cors_origins/", json={"pattern": "a.example.com"}, headers=tenant.server)
    assert _wait_for_status(second_process, preflight, 403) is True
    client.post(
        "/api/v1/cors_origins/", json={"pattern": "late.example.com"}, headers=tenant.server
    )
    assert _wait_for_status(second_process, preflight, 204) is True


def _wait_for_status(client: TestClient, headers: dict[str, str], status: int) -> bool:
    # The other process learns of the change from its own poll loop: watch for it, bounded.
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        if client.options(UPLOAD, headers=headers).status_code == status:
            return True
        time.sleep(0.05)
    return False
