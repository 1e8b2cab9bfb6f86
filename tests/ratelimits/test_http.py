"""Rate limits over HTTP: 429 in the error shape with Retry-After and RateLimit headers, readable
by an allowed origin; which endpoints count what; an environment's own limits."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.config import Settings
from tests.conftest import Tenant
from tests.images.helpers import create, jpeg, path_of, put, run_jobs

ORIGIN = "https://app.example.com"
# Slow enough that nothing refills while a test runs: counts are exact.
SLOW = 0.01


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "rate_limit_key_per_second": SLOW,
            "rate_limit_key_burst": 10,
            "rate_limit_ip_per_second": SLOW,
            "rate_limit_ip_burst": 3,
            "rate_limit_render_per_second": SLOW,
            "rate_limit_render_burst": 2,
            "trusted_proxies": ["10.0.0.0/8"],
        }
    )


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """Requests arrive from a trusted proxy, which names the client in X-Forwarded-For."""
    with TestClient(app, raise_server_exceptions=False, client=("10.0.0.1", 50000)) as test_client:
        yield test_client


def from_(address: str, **headers: str) -> dict[str, str]:
    return {"X-Forwarded-For": address, **headers}


def allow(client: TestClient, tenant: Tenant) -> None:
    body = {"pattern": "app.example.com"}
    allowed = client.post("/api/v1/cors_origins/", json=body, headers=tenant.server)
    assert allowed.status_code == 200, allowed.text


def raw_names(response: Any) -> set[bytes]:
    return {name for name, _ in response.headers.raw}


def test_over_the_address_limit_a_browser_reads_the_429(client: TestClient, tenant: Tenant) -> None:
    allow(client, tenant)
    browser = {**tenant.client, "Origin": ORIGIN}
    image = f"/api/v1/images/{uuid.uuid4()}"
    answers = [client.get(image, headers=from_("198.51.100.1", **browser)) for _ in range(4)]

    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    # Admitted answers say what is left, per policy that counted them.
    assert answers[0].headers["RateLimit-Policy"] == '"key";q=10;w=1000, "ip";q=3;w=300'
    assert answers[0].headers["RateLimit"] == '"key";r=9;t=100, "ip";r=2;t=100'
    assert answers[2].headers["RateLimit"] == '"key";r=7;t=300, "ip";r=0;t=300'
    refused = answers[3]
    body = refused.json()
    assert body["error_type"] == "RateLimitExceededError"
    assert "from this address" in body["detail"]
    assert body["request_id"] == refused.headers["X-Request-Id"]
    assert refused.headers["Retry-After"] == "100"
    assert refused.headers["RateLimit-Policy"] == '"ip";q=3;w=300'
    assert refused.headers["RateLimit"] == '"ip";r=0;t=100'
    assert {b"Retry-After", b"RateLimit", b"RateLimit-Policy"} <= raw_names(refused)
    # The browser may read it: CORS headers on the 429, the limit headers exposed.
    assert refused.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "Origin" in refused.headers["Vary"]
    exposed = {h.strip() for h in refused.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"Retry-After", "RateLimit", "RateLimit-Policy"} <= exposed
    # Another address behind the same proxy has a bucket of its own.
    assert client.get(image, headers=from_("198.51.100.2", **browser)).status_code == 404


def test_an_address_outside_the_trusted_proxies_cannot_pick_its_bucket(
    app: FastAPI, tenant: Tenant
) -> None:
    image = f"/api/v1/images/{uuid.uuid4()}"
    with TestClient(app, raise_server_exceptions=False, client=("192.0.2.9", 1)) as direct:
        statuses = [
            direct.get(image, headers=from_(f"198.51.100.{n}", **tenant.client)).status_code
            for n in range(4)
        ]
    assert statuses == [404, 404, 404, 429]


def test_a_key_is_limited_whatever_its_address(client: TestClient, tenant: Tenant) -> None:
    image = f"/api/v1/images/{uuid.uuid4()}"
    statuses = [
        client.get(image, headers=from_(f"198.51.100.{n}", **tenant.server)) for n in range(11)
    ]
    assert [s.status_code for s in statuses] == [404] * 10 + [429]
    refused = statuses[-1]
    assert refused.json()["error_type"] == "RateLimitExceededError"
    assert refused.headers["RateLimit-Policy"] == '"key";q=10;w=1000'
    # The other key of the environment has its own bucket.
    assert client.get(image, headers=tenant.client).status_code == 404


def test_server_only_operations_are_not_limited(client: TestClient, tenant: Tenant) -> None:
    """Listing, or anything a browser cannot be made to call, is the owner's own traffic."""
    statuses = {client.get("/api/v1/images/", headers=tenant.server).status_code for _ in range(30)}
    assert statuses == {200}
    listed = client.get("/api/v1/images/", headers=tenant.server)
    assert "RateLimit" not in listed.headers
    assert "Access-Control-Allow-Origin" not in listed.headers


def test_a_server_key_is_counted_per_key_not_per_address(
    client: TestClient, tenant: Tenant
) -> None:
    """A backend calls for all its users from one address: only its key's bucket counts."""
    image = f"/api/v1/images/{uuid.uuid4()}"
    answers = [client.get(image, headers=from_("198.51.100.9", **tenant.server)) for _ in range(6)]
    assert [a.status_code for a in answers] == [404] * 6  # past the address burst of 3
    assert answers[-1].headers["RateLimit-Policy"] == '"key";q=10;w=1000'
    # A client key from the same address still meets the address limit.
    browser = [client.get(image, headers=from_("198.51.100.9", **tenant.client)) for _ in range(4)]
    assert [a.status_code for a in browser] == [404, 404, 404, 429]


def test_the_admin_token_is_not_limited(client: TestClient, tenant: Tenant) -> None:
    admin = {"Authorization": f"Bearer {tenant.admin_token}"}
    assert {client.get("/api/v1/environments/", headers=admin).status_code for _ in range(30)} == {
        200
    }


def test_upload_urls_are_limited_per_address(client: TestClient, tenant: Tenant) -> None:
    allow(client, tenant)
    uploads = [
        create(client, from_(f"198.51.100.{n}", **tenant.server), content_length=len(jpeg()))
        for n in range(4)
    ]
    statuses = [
        put(client, created["upload_url"], jpeg(), **from_("203.0.113.5", Origin=ORIGIN))
        for created in uploads
    ]
    assert [s.status_code for s in statuses] == [200, 200, 200, 429]
    refused = statuses[-1]
    assert refused.headers["RateLimit-Policy"] == '"ip";q=3;w=300'
    assert refused.headers["Access-Control-Allow-Origin"] == ORIGIN
    # Nothing was stored: the same URL takes the bytes from another address.
    again = put(client, uploads[-1]["upload_url"], jpeg(), **from_("203.0.113.6"))
    assert again.status_code == 200, again.text


def test_first_hit_renders_are_limited_and_stored_deliveries_are_not(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    created = create(client, tenant.server, content_length=len(jpeg(300, 200)))
    assert put(client, created["upload_url"], jpeg(300, 200)).status_code == 200
    run_jobs(app)
    cdn = path_of(created["image"]["cdn_url"])
    visitor = from_("198.51.100.77", Origin=ORIGIN)

    renders = [client.get(f"{cdn}?width={w}", headers=visitor) for w in (10, 11, 12)]
    assert [r.status_code for r in renders] == [200, 200, 429]
    refused = renders[-1]
    assert refused.json()["error_type"] == "RateLimitExceededError"
    assert refused.headers["RateLimit-Policy"] == '"render";q=2;w=200'
    assert refused.headers["Retry-After"] == "100"
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    # What is stored is served however often: the original and the renditions already made.
    for _ in range(5):
        assert client.get(cdn, headers=visitor).status_code == 200
        assert client.get(f"{cdn}?width=10", headers=visitor).status_code == 200
    # Another visitor renders on its own budget.
    other = client.get(f"{cdn}?width=12", headers=from_("198.51.100.78"))
    assert other.status_code == 200


def test_an_environment_sets_its_own_limits(client: TestClient, tenant: Tenant) -> None:
    found = client.get("/api/v1/rate_limits", headers=tenant.admin)
    assert found.status_code == 200, found.text
    assert found.json()["ip"] == {"per_second": SLOW, "burst": 3, "source": "default"}

    changed = client.patch(
        "/api/v1/rate_limits", json={"ip": {"per_second": 1, "burst": 1}}, headers=tenant.admin
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["ip"] == {"per_second": 1.0, "burst": 1, "source": "environment"}
    assert changed.json()["key"]["source"] == "default"
    image = f"/api/v1/images/{uuid.uuid4()}"
    statuses = [client.get(image, headers=from_("198.51.100.3", **tenant.client)) for _ in "ab"]
    assert [s.status_code for s in statuses] == [404, 429]
    assert statuses[1].headers["RateLimit-Policy"] == '"ip";q=1;w=1'

    reset = client.patch("/api/v1/rate_limits", json={"ip": None}, headers=tenant.admin)
    assert reset.json()["ip"]["source"] == "default"
    again = client.get(image, headers=from_("198.51.100.4", **tenant.client))
    assert again.status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"ip": {"per_second": -1, "burst": 5}},
        {"ip": {"per_second": 1, "burst": 0}},
        {"ip": {"per_second": 1}},
        {"ip": {"per_second": "NaN", "burst": 5}},
        {"everything": {"per_second": 1, "burst": 5}},
    ],
)
def test_invalid_limits_are_refused(
    client: TestClient, tenant: Tenant, body: dict[str, Any]
) -> None:
    response = client.patch("/api/v1/rate_limits", json=body, headers=tenant.admin)
    assert response.status_code == 422, response.text
    assert client.get("/api/v1/rate_limits", headers=tenant.admin).json()["ip"]["burst"] == 3


def test_keys_cannot_change_their_limits(client: TestClient, tenant: Tenant) -> None:
    body = {"key": {"per_second": 1000, "burst": 1000}}
    response = client.patch("/api/v1/rate_limits", json=body, headers=tenant.server)
    assert response.status_code == 401
    assert response.json()["error_type"] == "AdminTokenRequiredError"


def test_the_openapi_document_lists_the_429s(client: TestClient) -> None:
    operations = {
        operation["operationId"]: operation
        for path in client.get("/openapi.json").json()["paths"].values()
        for operation in path.values()
    }
    for operation_id in ("Images_create", "Images_retrieve", "Uploads_put"):
        assert "429" in operations[operation_id]["responses"], operation_id
    for operation_id in ("Images_list", "RateLimits_update"):  # server-only: never limited
        assert "429" not in operations[operation_id]["responses"], operation_id
