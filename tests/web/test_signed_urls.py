"""Signed upload and download URLs: any signature or expiry sent gets a 4xx, never a 500."""

from __future__ import annotations

import uuid
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from tests.conftest import Tenant
from tests.images.helpers import create, path_of, png, upload

# Signatures no HMAC can produce: non-ASCII, invalid UTF-8, long runs of format characters,
# control bytes.
BAD_SIGNATURES = ["%C3%A9", "%FF%FE", "%E2%80%8B" * 30, "%00", "%0A", "abc%C3%A9def"]


def assert_error(response: Response, status: int, error_type: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail", "error_type", "request_id"}
    assert body["error_type"] == error_type
    assert body["request_id"] == response.headers["X-Request-Id"]


def with_signature(url: str, signature: str) -> str:
    """``url`` (path and query) with its signature replaced by an already-encoded value."""
    return url.split("signature=")[0] + f"signature={signature}"


@pytest.mark.parametrize("signature", BAD_SIGNATURES)
def test_an_upload_url_with_a_non_ascii_signature_is_403(
    client: TestClient, tenant: Tenant, signature: str
) -> None:
    created = create(client, tenant.server)
    url = with_signature(path_of(created["upload_url"]), signature)
    assert_error(client.put(url, content=png()), 403, "UploadUrlError")
    # Nothing was claimed: the real URL still takes the bytes.
    assert client.put(path_of(created["upload_url"]), content=png()).status_code == 200


@pytest.mark.parametrize("signature", BAD_SIGNATURES)
def test_a_download_url_with_a_non_ascii_signature_is_403(
    app: FastAPI, client: TestClient, tenant: Tenant, signature: str
) -> None:
    image = upload(app, client, tenant.server, png())
    downloads = "/api/v1/images/downloads"
    job = client.post(downloads, json={"image_ids": [image["id"]]}, headers=tenant.server).json()
    app.state.services.jobs.run_pending()
    ready = client.get(f"{downloads}/{job['id']}", headers=tenant.server).json()
    url = with_signature(path_of(ready["download_url"]), signature)
    assert_error(client.get(url), 403, "UploadUrlError")


@pytest.mark.parametrize("expires", ["-1", "99999999999999999999999999", "0"])
def test_an_out_of_range_expiry_is_refused_not_a_crash(
    client: TestClient, tenant: Tenant, expires: str
) -> None:
    created = create(client, tenant.server)
    url = path_of(created["upload_url"]).replace("expires=", f"expires={expires}&x=")
    assert_error(client.put(url, content=png()), 403, "UploadUrlError")


@pytest.mark.parametrize("expires", ["soon", "1e9", "%C3%A9"])
def test_a_malformed_expiry_is_422(client: TestClient, tenant: Tenant, expires: str) -> None:
    created = create(client, tenant.server)
    url = path_of(created["upload_url"]).replace("expires=", f"expires={expires}&x=")
    response = client.put(url, content=png())
    assert response.status_code == 422
    assert response.json()["error_type"] == "RequestValidationError"


def test_a_bad_signature_on_an_unknown_image_says_nothing_about_it(
    client: TestClient, tenant: Tenant
) -> None:
    url = f"/upload/{tenant.environment_id}/{uuid.uuid4()}?expires=1&signature={quote('é')}"
    assert_error(client.put(url, content=b"x"), 403, "UploadUrlError")
