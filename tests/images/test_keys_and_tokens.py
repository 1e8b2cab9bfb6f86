"""Client keys, upload tokens, idempotency and the pending-upload cap."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.errors import ImgwiredError
from imgwired.images.service import NewUpload
from tests.conftest import Tenant
from tests.images.helpers import create, jpeg, noisy_jpeg, put

UPLOAD = "/api/v1/images/standard_upload"
TOKEN = "/api/v1/images/token"


def client_key(client: TestClient, tenant: Tenant, **settings: Any) -> dict[str, str]:
    key = client.post(
        "/api/v1/api_keys/",
        json={"name": "web", "key_type": "CLIENT", **settings},
        headers=tenant.admin,
    ).json()
    return {"Authorization": f"Bearer {key['client_key']}"}


def token(client: TestClient, tenant: Tenant) -> str:
    response = client.post(TOKEN, headers=tenant.server)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id",
        "environment_id",
        "used_at",
        "expires_at",
        "created_at",
        "updated_at",
        "token",
    }
    assert body["used_at"] is None
    secret: str = body["token"]
    return secret


def test_signed_uploads_need_a_token_and_use_it_once(client: TestClient, tenant: Tenant) -> None:
    headers = tenant.client  # init's client key requires signed uploads
    missing = client.post(UPLOAD, json={"file_name": "a.jpg"}, headers=headers)
    assert missing.status_code == 401
    assert missing.json()["error_type"] == "UploadTokenError"
    assert "upload_token" in missing.json()["detail"]

    secret = token(client, tenant)
    created = create(client, headers, token=secret)
    assert created["image"]["upload_token_id"]
    reused = client.post(
        UPLOAD, json={"file_name": "b.jpg"}, headers=headers, params={"upload_token": secret}
    )
    assert reused.status_code == 401
    assert "already been used" in reused.json()["detail"]
    bogus = client.post(
        UPLOAD, json={"file_name": "b.jpg"}, headers=headers, params={"upload_token": "ut_nope"}
    )
    assert "not valid" in bogus.json()["detail"]


def test_a_token_of_another_environment_is_refused(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    foreign = token(client, other_tenant)
    response = client.post(
        UPLOAD, json={"file_name": "a.jpg"}, headers=tenant.client, params={"upload_token": foreign}
    )
    assert response.status_code == 401
    assert "another environment" in response.json()["detail"]


def test_an_expired_token_is_refused(app: FastAPI, client: TestClient, tenant: Tenant) -> None:
    from sqlalchemy import update

    from imgwired.db.base import utcnow
    from imgwired.db.models import UploadToken

    secret = token(client, tenant)
    with app.state.services.database.transaction() as session:
        session.execute(update(UploadToken).values(expires_at=utcnow()))
    response = client.post(
        UPLOAD, json={"file_name": "a.jpg"}, headers=tenant.client, params={"upload_token": secret}
    )
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_token_raced_by_many_requests_is_used_exactly_once(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    secret = token(client, tenant)
    auth = app.state.services.auth
    caller = auth.authenticate(f"Bearer {tenant.client_key}", None, _access())
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            app.state.services.images.create_standard_upload(caller, NewUpload("a.jpg"), secret)
            outcomes.append("created")
        except ImgwiredError as exc:
            outcomes.append(exc.error_type)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("created") == 1, outcomes
    assert set(outcomes) == {"created", "UploadTokenError"}


def test_unsigned_client_keys_need_no_token(client: TestClient, tenant: Tenant) -> None:
    headers = client_key(client, tenant, allow_unsigned_upload=True)
    assert create(client, headers)["image"]["upload_token_id"] is None


def test_the_key_limit_applies_to_declared_and_sent_bytes(
    client: TestClient, tenant: Tenant
) -> None:
    headers = client_key(client, tenant, allow_unsigned_upload=True, maximum_upload_bytes=5120)
    declared = client.post(
        UPLOAD, json={"file_name": "a.jpg", "content_length": 6000}, headers=headers
    )
    assert declared.status_code == 413
    created = create(client, headers)
    big = noisy_jpeg(200, 200)
    assert len(big) > 5120
    response = client.put(_path(created["upload_url"]), content=iter([big]))
    assert response.status_code == 413
    assert response.json()["error_type"] == "UploadTooLargeError"


def test_pending_uploads_are_capped_per_key(client: TestClient, tenant: Tenant) -> None:
    headers = client_key(client, tenant, allow_unsigned_upload=True, maximum_pending_uploads=5)
    made = [create(client, headers) for _ in range(5)]
    refused = client.post(UPLOAD, json={"file_name": "a.jpg"}, headers=headers)
    assert refused.status_code == 429
    assert refused.json()["error_type"] == "TooManyPendingUploadsError"
    assert put(client, made[0]["upload_url"], jpeg()).status_code == 200
    assert client.post(UPLOAD, json={"file_name": "a.jpg"}, headers=headers).status_code == 200


def test_idempotency_key_returns_the_same_image(client: TestClient, tenant: Tenant) -> None:
    first = create(client, tenant.server, idempotency_key="order-42", file_name="a.jpg")
    again = create(client, tenant.server, idempotency_key="order-42", file_name="a.jpg")
    assert again["image"]["id"] == first["image"]["id"]
    different = client.post(
        UPLOAD, json={"file_name": "b.jpg", "idempotency_key": "order-42"}, headers=tenant.server
    )
    assert different.status_code == 409
    listed = client.get("/api/v1/images/", headers=tenant.server)
    assert listed.headers["X-Total-Count"] == "1"


def test_concurrent_duplicates_make_one_image(app: FastAPI, tenant: Tenant) -> None:
    caller = app.state.services.auth.authenticate(f"Bearer {tenant.server_key}", None, _access())
    ids: list[str] = []

    def attempt() -> None:
        created = app.state.services.images.create_standard_upload(
            caller, NewUpload("a.jpg", idempotency_key="same"), None
        )
        ids.append(str(created.image.id))

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 6 and len(set(ids)) == 1


@pytest.mark.parametrize("kind", ["client"])
def test_client_keys_reach_only_create_and_retrieve(
    client: TestClient, tenant: Tenant, kind: str
) -> None:
    headers = client_key(client, tenant, allow_unsigned_upload=True)
    created = create(client, headers)
    image_id = created["image"]["id"]
    assert client.get(f"/api/v1/images/{image_id}", headers=headers).status_code == 200
    for method, url in [
        ("GET", "/api/v1/images/"),
        ("DELETE", f"/api/v1/images/{image_id}"),
        ("POST", TOKEN),
    ]:
        response = client.request(method, url, headers=headers)
        assert response.status_code == 401, url
        assert response.json()["error_type"] == "ClientKeyNotAllowedError"


def _access() -> Any:
    from imgwired.accounts.auth import Access

    return Access.SERVER_OR_CLIENT


def _path(url: str) -> str:
    from tests.images.helpers import path_of

    return path_of(url)
