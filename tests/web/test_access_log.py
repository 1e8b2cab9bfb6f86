"""The access log never carries upload tokens or URL signatures; in the JSON format every record
logged while a request is handled carries its id."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.config import Settings
from imgwired.logs import json_formatter
from imgwired.web.access_log import RedactSecrets, redact
from imgwired.web.app import create_app
from tests.conftest import Tenant


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (
            "/api/v1/images/standard_upload?upload_token=ut_abc",
            "/api/v1/images/standard_upload?upload_token=[redacted]",
        ),
        ("/upload/e/i?expires=1&signature=ff00", "/upload/e/i?expires=1&signature=[redacted]"),
        ("/x?a=1&UPLOAD_TOKEN=zz&b=2", "/x?a=1&UPLOAD_TOKEN=[redacted]&b=2"),
        ("/x?not_signature=keep", "/x?not_signature=keep"),
        # The name as the server decodes it decides, however the client spelled it.
        ("/x?upload%5Ftoken=zz&b=2", "/x?upload%5Ftoken=[redacted]&b=2"),
        ("/x?%73ignature=ff00", "/x?%73ignature=[redacted]"),
        ("/x?signature=a&signature=b", "/x?signature=[redacted]&signature=[redacted]"),
        ("/api/v1/images/", "/api/v1/images/"),
    ],
)
def test_secret_query_values_are_redacted(target: str, expected: str) -> None:
    assert redact(target) == expected


def test_the_filter_rewrites_access_records() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "POST", "/i?upload_token=ut_secret", "1.1", 200),
        None,
    )
    assert RedactSecrets().filter(record) is True
    assert "ut_secret" not in record.getMessage()
    assert "upload_token=[redacted]" in record.getMessage()


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Every record of INFO and up, rendered as the JSON format renders it, into a buffer."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(json_formatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_records_logged_while_handling_a_request_carry_its_id(
    app: FastAPI, tenant: Tenant, json_log: io.StringIO
) -> None:
    @app.get("/boom")
    def boom() -> None:  # a plain def: FastAPI runs it in its thread pool
        logging.getLogger("imgwired.boom").warning("about to fail")
        raise RuntimeError("failed on purpose")

    with TestClient(app, raise_server_exceptions=False) as client:
        failed = client.get("/boom", headers={"X-Request-Id": "req-500"})
        other = client.get("/api/v1/images/", headers=tenant.server)
    assert failed.status_code == 500
    assert failed.headers["X-Request-Id"] == "req-500"
    records = [json.loads(line) for line in json_log.getvalue().splitlines()]
    by_logger = {(r["logger"], r.get("request_id")): r for r in records}

    warned = by_logger["imgwired.boom", "req-500"]
    assert warned["event"] == "about to fail"
    assert warned["level"] == "warning"
    boundary = by_logger["imgwired.web", "req-500"]
    assert boundary["level"] == "error"
    assert "RuntimeError: failed on purpose" in boundary["exception"]
    access = by_logger["imgwired.access", "req-500"]
    assert (access["route"], access["status"]) == ("/boom", 500)
    # The next request has its own id, and nothing of the first leaks into its records.
    second = by_logger["imgwired.access", other.headers["X-Request-Id"]]
    assert second["environment_id"] == str(tenant.environment_id)
    served = [r for r in records if r["logger"].startswith("imgwired")]
    assert [r for r in served if r.get("request_id") is None] == []


def test_the_sdk_and_openapi_routes_are_logged_by_template(
    client: TestClient, json_log: io.StringIO
) -> None:
    assert client.get("/sdk/imgwire.js").status_code == 200
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/no/such/page").status_code == 404
    records = [json.loads(line) for line in json_log.getvalue().splitlines()]
    routes = {r["path"]: r["route"] for r in records if r["logger"] == "imgwired.access"}
    assert routes == {
        "/sdk/imgwire.js": "/sdk/imgwire.js",
        "/openapi.json": "/openapi.json",
        "/no/such/page": None,
    }


def test_a_request_on_the_cdn_host_is_logged_as_the_path_it_is_served_as(
    settings: Settings, tenant: Tenant, json_log: io.StringIO
) -> None:
    cdn_app = create_app(settings.model_copy(update={"cdn_base_url": "https://cdn.imgwired.test"}))
    organization = uuid.uuid4()
    missing = f"/{organization}/{tenant.environment_id}/{uuid.uuid4()}?w=10&signature=s3cr3t"
    with TestClient(cdn_app, base_url="https://cdn.imgwired.test") as client:
        refused = client.get(missing)  # signature is no CDN parameter
    assert refused.status_code == 400
    records = [json.loads(line) for line in json_log.getvalue().splitlines()]
    (access,) = [r for r in records if r["logger"] == "imgwired.access"]
    assert access["route"] == "/cdn/{organization_id}/{environment_id}/{image_ref}"
    assert access["path"] == "/cdn" + missing.replace("s3cr3t", "[redacted]")
    assert access["environment_id"] == str(tenant.environment_id)
    assert access["status"] == 400
    assert not [r for r in records if r["logger"].startswith("imgwired") and "s3cr3t" in str(r)]
    assert all("message" not in r for r in records)  # pytest's handler formatted them first
