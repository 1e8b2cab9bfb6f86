"""Standard uploads end to end: create, PUT the bytes to the signed URL, process, read back."""

from __future__ import annotations

import hashlib
import time
import uuid

from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.signing import sign
from tests.conftest import Tenant
from tests.images.helpers import create, jpeg, path_of, png, put, run_jobs, upload

IMAGES = "/api/v1/images/"


def test_create_returns_a_pending_image_and_a_signed_url(
    client: TestClient, tenant: Tenant, installed: object
) -> None:
    created = create(client, tenant.server, file_name="cat.png", purpose="avatar")
    image = created["image"]
    assert image["status"] == "PENDING"
    assert image["can_upload"] is True
    assert image["original_filename"] == "cat.png"
    assert image["mime_type"] == "image/png"
    assert image["purpose"] == "avatar"
    assert image["environment_id"] == str(tenant.environment_id)
    organization_id = installed.organization.id  # type: ignore[attr-defined]
    assert image["cdn_url"] == (
        f"http://imgwired.test/cdn/{organization_id}/{tenant.environment_id}/{image['id']}"
    )
    assert created["upload_url"].startswith(
        f"http://imgwired.test/upload/{tenant.environment_id}/{image['id']}?expires="
    )


def test_the_bytes_decide_what_the_image_is(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    data = jpeg(120, 80, Make="Imgwired Camera", Model="T1")
    image = upload(
        app,
        client,
        tenant.server,
        data,
        file_name="really-a-png.png",
        mime_type="image/png",
        custom_metadata={"album": "x", "n": 3},
    )
    assert image["status"] == "READY"
    assert image["mime_type"] == "image/jpeg"
    assert image["extension"] == "jpg"
    assert (image["width"], image["height"]) == (120, 80)
    assert image["size_bytes"] == len(data)
    assert image["hash_sha256"] == hashlib.sha256(data).hexdigest()
    assert image["is_directly_deliverable"] is True
    assert image["processed_metadata_at"] is not None
    assert image["can_upload"] is False
    assert image["custom_metadata"] == {"album": "x", "n": 3}
    assert image["exif_data"].get("Make") == "Imgwired Camera"


def test_put_answers_with_the_processing_image(client: TestClient, tenant: Tenant) -> None:
    created = create(client, tenant.server)
    response = put(client, created["upload_url"], png())
    assert response.status_code == 200
    assert response.json()["status"] == "PROCESSING"
    assert response.headers["X-Request-Id"]


def test_a_second_put_is_refused(app: FastAPI, client: TestClient, tenant: Tenant) -> None:
    created = create(client, tenant.server)
    assert put(client, created["upload_url"], png()).status_code == 200
    again = put(client, created["upload_url"], jpeg())
    assert again.status_code == 403
    assert again.json()["error_type"] == "UploadUrlError"
    assert "already been used" in again.json()["detail"]
    run_jobs(app)
    image = client.get(f"{IMAGES}{created['image']['id']}", headers=tenant.server).json()
    assert image["mime_type"] == "image/png"


def test_expired_and_forged_urls_are_refused(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    created = create(client, tenant.server)
    image_id = created["image"]["id"]
    secret = app.state.services.organization.signing_secret()
    past = int(time.time()) - 10
    signature = sign(secret, str(tenant.environment_id), image_id, expires=past)
    expired = f"/upload/{tenant.environment_id}/{image_id}?expires={past}&signature={signature}"
    response = client.put(expired, content=png())
    assert response.status_code == 403
    assert "expired" in response.json()["detail"]

    forged = path_of(created["upload_url"]).replace("signature=", "signature=0")
    assert client.put(forged, content=png()).status_code == 403
    other_image = path_of(created["upload_url"]).replace(image_id, str(uuid.uuid4()))
    assert client.put(other_image, content=png()).status_code == 403
    # None of that used up the real URL.
    assert put(client, created["upload_url"], png()).status_code == 200


def test_more_bytes_than_declared_are_refused_and_nothing_is_kept(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    data = png()
    created = create(client, tenant.server, content_length=len(data) - 10)
    response = client.put(
        path_of(created["upload_url"]),
        content=iter([data]),  # chunked: no Content-Length
    )
    assert response.status_code == 400
    assert response.json()["error_type"] == "UploadRejectedError"
    assert "longer than the declared" in response.json()["detail"]
    image_id = created["image"]["id"]
    assert _stored(app, tenant, image_id) is False
    image = client.get(f"{IMAGES}{image_id}", headers=tenant.server).json()
    assert image["status"] == "PENDING" and image["can_upload"] is True


def test_fewer_bytes_than_declared_are_refused(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    data = png()
    created = create(client, tenant.server, content_length=len(data) + 10)
    response = client.put(path_of(created["upload_url"]), content=iter([data]))
    assert response.status_code == 400
    assert "fewer than the declared" in response.json()["detail"]
    assert _stored(app, tenant, created["image"]["id"]) is False
    # The client may try again with the right bytes.
    created_again = create(client, tenant.server, content_length=len(data))
    assert put(client, created_again["upload_url"], data).status_code == 200


def test_a_content_length_header_that_disagrees_is_refused_before_reading(
    client: TestClient, tenant: Tenant
) -> None:
    data = png()
    created = create(client, tenant.server, content_length=len(data) + 1)
    response = put(client, created["upload_url"], data)
    assert response.status_code == 400
    assert "differs from the declared" in response.json()["detail"]


def test_a_declared_hash_must_match(client: TestClient, tenant: Tenant) -> None:
    data = png()
    created = create(client, tenant.server, hash_sha256="0" * 64)
    response = put(client, created["upload_url"], data)
    assert response.status_code == 400
    assert "SHA-256" in response.json()["detail"]
    good = create(client, tenant.server, hash_sha256=hashlib.sha256(data).hexdigest())
    assert put(client, good["upload_url"], data).status_code == 200


def _stored(app: FastAPI, tenant: Tenant, image_id: str) -> bool:
    exists: bool = app.state.services.blobs.exists(f"{tenant.environment_id}/{image_id}/original")
    return exists
