"""PENDING -> PROCESSING -> READY or QUARANTINE, with ``can_upload``, ``is_directly_deliverable``
and ``quarantine_reason`` telling the same story at every step."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pyvips  # type: ignore[import-untyped]
from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.db.base import utcnow
from imgwired.db.models import Image
from tests.conftest import Tenant
from tests.images.helpers import create, jpeg, put, run_jobs


def _shown(client: TestClient, tenant: Tenant, image_id: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/images/{image_id}", headers=tenant.server)
    assert response.status_code == 200
    shown: dict[str, Any] = response.json()
    return shown


def _flags(image: dict[str, Any]) -> tuple[str, bool, bool, str | None]:
    return (
        image["status"],
        image["can_upload"],
        image["is_directly_deliverable"],
        image["quarantine_reason"],
    )


def test_a_browser_image_walks_to_ready(app: FastAPI, client: TestClient, tenant: Tenant) -> None:
    created = create(client, tenant.server)
    assert _flags(created["image"]) == ("PENDING", True, False, None)

    assert put(client, created["upload_url"], jpeg()).status_code == 200
    image_id = created["image"]["id"]
    assert _flags(_shown(client, tenant, image_id)) == ("PROCESSING", False, False, None)

    run_jobs(app)
    assert _flags(_shown(client, tenant, image_id)) == ("READY", False, True, None)


def test_an_image_browsers_cannot_show_is_ready_but_not_directly_deliverable(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    created = create(client, tenant.server, file_name="scan.tif")
    tiff: bytes = pyvips.Image.black(16, 16).tiffsave_buffer()
    assert put(client, created["upload_url"], tiff).status_code == 200
    run_jobs(app)
    assert _flags(_shown(client, tenant, created["image"]["id"])) == ("READY", False, False, None)


def test_a_quarantined_image_says_why(app: FastAPI, client: TestClient, tenant: Tenant) -> None:
    created = create(client, tenant.server, file_name="notes.jpg")
    assert put(client, created["upload_url"], b"# just some text\n" * 20).status_code == 200
    run_jobs(app)
    status, can_upload, deliverable, reason = _flags(_shown(client, tenant, created["image"]["id"]))
    assert (status, can_upload, deliverable) == ("QUARANTINE", False, False)
    assert reason and len(reason) > 5


def test_an_expired_upload_url_means_can_upload_is_false(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    created = create(client, tenant.server)
    with app.state.services.database.transaction() as session:
        image = session.get(Image, uuid.UUID(created["image"]["id"]))
        assert image is not None
        image.upload_expires_at = utcnow() - timedelta(seconds=1)
    shown = _shown(client, tenant, created["image"]["id"])
    assert _flags(shown) == ("PENDING", False, False, None)
