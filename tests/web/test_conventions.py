"""The API's conventions: error shape, request ids, limits, and never a 500 for bad input."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Tenant

KEYS = "/api/v1/api_keys/"
ENVS = "/api/v1/environments/"


def test_every_response_has_a_request_id(client: TestClient, tenant: Tenant) -> None:
    responses = [
        client.get("/health"),
        client.get(KEYS, headers=tenant.admin),
        client.get(KEYS),
        client.get("/no/such/route"),
        client.post(KEYS, json={}, headers=tenant.admin),
        client.put(KEYS, headers=tenant.admin),
    ]
    ids = [r.headers.get("X-Request-Id") for r in responses]
    assert all(ids) and len(set(ids)) == len(ids)
    for response in responses[2:]:
        assert response.json()["request_id"] == response.headers["X-Request-Id"]


def test_a_plain_incoming_request_id_is_kept(client: TestClient) -> None:
    kept = client.get("/health", headers={"X-Request-Id": "trace-123.abc"})
    assert kept.headers["X-Request-Id"] == "trace-123.abc"
    replaced = client.get("/health", headers={"X-Request-Id": "<script>"})
    assert replaced.headers["X-Request-Id"] != "<script>"


@pytest.mark.parametrize(
    ("status", "error_type", "call"),
    [
        (404, "RouteNotFoundError", lambda c, h: c.get("/api/v1/nothing", headers=h)),
        (405, "MethodNotAllowedError", lambda c, h: c.put(KEYS, headers=h)),
        (401, "MissingCredentialsError", lambda c, h: c.get(KEYS)),
        (404, "ApiKeyNotFoundError", lambda c, h: c.get(f"{KEYS}{'0' * 32}", headers=h)),
    ],
)
def test_errors_have_the_contract_shape(
    client: TestClient, tenant: Tenant, status: int, error_type: str, call: object
) -> None:
    response = call(client, tenant.admin)  # type: ignore[operator]
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"detail", "error_type", "request_id"}
    assert body["error_type"] == error_type
    assert isinstance(body["detail"], str) and body["detail"]


@pytest.mark.parametrize(
    ("content", "content_type", "expected_type"),
    [
        ("{bad json", "application/json", "json_invalid"),
        ('{"name": 5}', "application/json", "string_type"),
        ('{"name": "x", "unknown": 1}', "application/json", "extra_forbidden"),
        ("[1, 2]", "application/json", "model_attributes_type"),
        ("null", "application/json", "model_attributes_type"),
        ('{"name": "x"}', "text/plain", "json_content_type"),
        ("", "application/json", "missing"),
        ('{"name": "\\ud800"}', "application/json", None),
    ],
)
def test_malformed_bodies_are_422_in_fastapis_shape(
    client: TestClient,
    tenant: Tenant,
    content: str,
    content_type: str,
    expected_type: str | None,
) -> None:
    headers = {**tenant.admin, "Content-Type": content_type}
    response = client.post(ENVS, content=content.encode(), headers=headers)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error_type"] == "RequestValidationError"
    assert isinstance(body["detail"], list) and body["detail"]
    assert all({"loc", "msg", "type"} <= item.keys() for item in body["detail"])
    if expected_type:
        assert expected_type in {item["type"] for item in body["detail"]}


def test_oversized_header_is_431(client: TestClient, tenant: Tenant) -> None:
    response = client.get(KEYS, headers={**tenant.admin, "X-Padding": "a" * 20_000})
    assert response.status_code == 431
    assert response.json()["error_type"] == "HeadersTooLargeError"
    assert response.headers["X-Request-Id"]


def test_many_headers_over_the_total_are_431(client: TestClient, tenant: Tenant) -> None:
    padding = {f"X-Pad-{i}": "b" * 8000 for i in range(10)}
    response = client.get(KEYS, headers={**tenant.admin, **padding})
    assert response.status_code == 431


def test_oversized_json_body_is_413_and_nothing_is_created(
    client: TestClient, tenant: Tenant
) -> None:
    body = json.dumps({"name": "x" * (2 * 1024 * 1024)})
    headers = {**tenant.admin, "Content-Type": "application/json"}
    response = client.post(ENVS, content=body, headers=headers)
    assert response.status_code == 413
    assert response.json()["error_type"] == "PayloadTooLargeError"
    assert client.get(ENVS, headers=tenant.admin).headers["X-Total-Count"] == "1"


def test_chunked_body_over_the_limit_is_413(client: TestClient, tenant: Tenant) -> None:
    def chunks() -> object:
        yield b'{"name": "'
        for _ in range(40):
            yield b"y" * 65536
        yield b'"}'

    headers = {**tenant.admin, "Content-Type": "application/json"}
    response = client.post(ENVS, content=chunks(), headers=headers)  # type: ignore[arg-type]
    assert response.status_code == 413


def test_an_unhandled_exception_is_a_json_500(app: FastAPI, tenant: Tenant) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["error_type"] == "InternalServerError"
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert "secret internal detail" not in response.text


def test_health_reports_the_database(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_timestamps_are_rfc3339_utc(client: TestClient, tenant: Tenant) -> None:
    [environment] = client.get(ENVS, headers=tenant.admin).json()
    for field in ("created_at", "updated_at"):
        assert environment[field].endswith("Z") and "T" in environment[field]
