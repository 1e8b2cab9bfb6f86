"""A deleted environment takes no more bytes and judges none: its upload URLs refuse."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.db.models import Image, ImageStatus
from tests.conftest import Tenant
from tests.images.helpers import create, png, put, run_jobs


def test_the_upload_url_of_a_deleted_environment_stores_nothing(
    app: FastAPI, client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    created = create(client, other_tenant.server)
    _delete_environment(client, tenant, other_tenant)

    response = put(client, created["upload_url"], png())
    assert response.status_code == 404
    body = response.json()
    assert body["error_type"] == "EnvironmentNotFoundError"
    assert "deleted" in body["detail"] and body["request_id"]
    blobs = app.state.services.blobs
    image_id = created["image"]["id"]
    assert not blobs.exists(f"{other_tenant.environment_id}/{image_id}/original")
    assert blobs.abort_abandoned_writes(timedelta(0)) == 0
    assert _status(app, image_id) is ImageStatus.PENDING


def test_an_image_of_a_deleted_environment_is_never_processed(
    app: FastAPI, client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    created = create(client, other_tenant.server)
    assert put(client, created["upload_url"], png()).status_code == 200
    _delete_environment(client, tenant, other_tenant)

    run_jobs(app)
    assert _status(app, created["image"]["id"]) is ImageStatus.PROCESSING


def _delete_environment(client: TestClient, tenant: Tenant, doomed: Tenant) -> None:
    admin = {"Authorization": f"Bearer {tenant.admin_token}"}
    response = client.delete(f"/api/v1/environments/{doomed.environment_id}", headers=admin)
    assert response.status_code == 200, response.text


def _status(app: FastAPI, image_id: str) -> ImageStatus:
    with app.state.services.database.reading() as session:
        image = session.get(Image, uuid.UUID(image_id))
        assert image is not None
        return image.status
