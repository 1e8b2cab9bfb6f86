"""JSON bodies are UTF-8: anything else, or JSON that cannot be read, is a 422 on every endpoint."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Tenant

NOT_UTF8 = [
    pytest.param(b'{"name": "\xff\xfe"}', id="invalid-byte"),
    pytest.param(b'{"name": "caf\xe9"}', id="latin-1"),
    pytest.param(b'{"name": "\xed\xa0\x80"}', id="encoded-surrogate"),
    pytest.param('{"name": "x"}'.encode("utf-16"), id="utf-16-with-bom"),
    pytest.param('{"name": "x"}'.encode("utf-16-le"), id="utf-16-without-bom"),
    pytest.param('{"name": "x"}'.encode("utf-32"), id="utf-32"),
]


@pytest.mark.parametrize("content", NOT_UTF8)
@pytest.mark.parametrize(
    ("method", "path", "who"),
    [
        ("POST", "/api/v1/environments/", "admin"),
        ("POST", "/api/v1/api_keys/", "admin"),
        ("POST", "/api/v1/cors_origins/", "server"),
        ("POST", "/api/v1/cors_origins/evaluate", "server"),
        ("PATCH", "/api/v1/cors_policy", "server"),
        ("POST", "/api/v1/images/standard_upload", "server"),
        ("POST", "/api/v1/images/bulk_delete", "server"),
        ("POST", "/api/v1/custom_domain/", "server"),
    ],
)
def test_a_json_body_that_is_not_utf8_is_422(
    client: TestClient, tenant: Tenant, method: str, path: str, who: str, content: bytes
) -> None:
    headers = {**getattr(tenant, who), "Content-Type": "application/json"}
    response = client.request(method, path, content=content, headers=headers)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error_type"] == "RequestValidationError"
    assert body["request_id"] == response.headers["X-Request-Id"]
    assert body["detail"] == [
        {
            "loc": ["body"],
            "msg": "The request body must be JSON encoded as UTF-8",
            "type": "json_invalid",
        }
    ]


def test_a_utf8_body_with_a_byte_order_mark_is_read(client: TestClient, tenant: Tenant) -> None:
    headers = {**tenant.admin, "Content-Type": "application/json"}
    content = '\ufeff{"name": "café"}'.encode()
    response = client.post("/api/v1/environments/", content=content, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "café"


def test_json_nested_too_deeply_is_422(client: TestClient, tenant: Tenant) -> None:
    headers = {**tenant.admin, "Content-Type": "application/json"}
    content = b"[" * 200_000 + b"]" * 200_000
    response = client.post("/api/v1/environments/", content=content, headers=headers)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error_type"] == "RequestValidationError"
    assert [item["type"] for item in body["detail"]] == ["json_invalid"]


def test_a_number_too_long_to_read_is_422(client: TestClient, tenant: Tenant) -> None:
    headers = {**tenant.admin, "Content-Type": "application/json"}
    content = b'{"name": ' + b"1" * 5000 + b"}"
    response = client.post("/api/v1/environments/", content=content, headers=headers)
    assert response.status_code == 422, response.text
    assert [item["type"] for item in response.json()["detail"]] == ["json_invalid"]


def test_a_nul_byte_in_a_json_body_is_422(client: TestClient, tenant: Tenant) -> None:
    headers = {**tenant.admin, "Content-Type": "application/json"}
    response = client.post("/api/v1/environments/", content=b"\x00{\x00}", headers=headers)
    assert response.status_code == 422, response.text


def test_an_upload_body_is_never_read_as_json(client: TestClient, tenant: Tenant) -> None:
    # The upload URL streams bytes; a JSON content type must not make the server buffer them.
    created = client.post(
        "/api/v1/images/standard_upload", json={"file_name": "a.png"}, headers=tenant.server
    ).json()
    url = created["upload_url"].removeprefix("http://imgwired.test")
    response = client.put(
        url, content=b"\xff\xd8\xff", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text


UPLOAD = "/api/v1/images/standard_upload"
NUL_TEXT = [
    (UPLOAD, "server", r'{"file_name": "a\u0000b"}'),
    (UPLOAD, "server", r'{"file_name": "a", "idempotency_key": "\u0000"}'),
    (UPLOAD, "server", r'{"file_name": "a", "custom_metadata": {"k\u0000": 1}}'),
    ("/api/v1/environments/", "admin", r'{"name": "x\u0000"}'),
    ("/api/v1/api_keys/", "admin", r'{"name": "k", "key_type": "SERVER", "scopes": ["\u0000"]}'),
    (
        "/api/v1/cors_origins/evaluate",
        "server",
        r'{"origin": "https://a.com", "method": "G\u0000"}',
    ),
    ("/api/v1/custom_domain/", "server", r'{"hostname": "images.exa\u0000mple.com"}'),
]


@pytest.mark.parametrize(("path", "who", "content"), NUL_TEXT)
def test_text_holding_a_nul_character_is_422(
    client: TestClient, tenant: Tenant, path: str, who: str, content: str
) -> None:
    # JSON can escape a NUL; PostgreSQL cannot store one, so no backend takes it.
    assert "\x00" not in content
    headers = {**getattr(tenant, who), "Content-Type": "application/json"}
    response = client.post(path, content=content.encode(), headers=headers)
    assert response.status_code == 422, response.text
    assert "string_nul" in {item["type"] for item in response.json()["detail"]}


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_numbers_that_are_not_finite_are_422(
    client: TestClient, tenant: Tenant, number: str
) -> None:
    headers = {**tenant.server, "Content-Type": "application/json"}
    content = f'{{"file_name": "a.jpg", "custom_metadata": {{"x": {number}}}}}'.encode()
    response = client.post("/api/v1/images/standard_upload", content=content, headers=headers)
    assert response.status_code == 422, response.text
    assert client.get("/api/v1/images/", headers=tenant.server).json() == []
