"""Download zips expire and are deleted; an identical request reuses a valid zip."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from imgwired.db.base import utcnow
from imgwired.db.models import ImageDownloadJob
from tests.conftest import Tenant
from tests.images.helpers import create, jpeg, path_of, png, put, run_jobs, upload

DOWNLOADS = "/api/v1/images/downloads"


def request_zip(client: TestClient, tenant: Tenant, *image_ids: str) -> dict[str, Any]:
    response = client.post(DOWNLOADS, json={"image_ids": list(image_ids)}, headers=tenant.server)
    assert response.status_code == 200, response.text
    job: dict[str, Any] = response.json()
    return job


def status(client: TestClient, tenant: Tenant, job: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"{DOWNLOADS}/{job['id']}", headers=tenant.server)
    assert response.status_code == 200, response.text
    current: dict[str, Any] = response.json()
    return current


def zips(app: FastAPI, tenant: Tenant) -> list[str]:
    return sorted(app.state.services.blobs.list_prefix(f"{tenant.environment_id}/downloads/"))


def expire_at(app: FastAPI, job: dict[str, Any], when: datetime) -> None:
    """Move a download's expiry, as if that much time had passed."""
    with app.state.services.database.transaction() as session:
        session.execute(
            update(ImageDownloadJob)
            .where(ImageDownloadJob.id == uuid.UUID(job["id"]))
            .values(expires_at=when)
        )


def housekeeping(app: FastAPI) -> None:
    """Run the periodic tasks as a job runner does when they are due."""
    app.state.services.jobs.run_periodic(now=float("inf"))


def test_an_expired_zip_is_reported_failed_then_deleted(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    image = upload(app, client, tenant.server, jpeg())
    job = request_zip(client, tenant, image["id"])
    run_jobs(app)
    ready = status(client, tenant, job)
    assert ready["status"] == "READY"
    url = path_of(ready["download_url"])
    assert client.get(url).status_code == 200
    assert len(zips(app, tenant)) == 1

    expire_at(app, job, utcnow() - timedelta(seconds=1))
    # Reported at once, before any sweep has run.
    expired = status(client, tenant, job)
    assert (expired["status"], expired["download_url"]) == ("FAILED", None)
    refused = client.get(url)
    assert refused.status_code == 404
    assert refused.json()["error_type"] == "DownloadNotFoundError"

    housekeeping(app)
    assert zips(app, tenant) == []
    assert status(client, tenant, job)["status"] == "FAILED"
    with app.state.services.database.reading() as session:
        row = session.get(ImageDownloadJob, uuid.UUID(job["id"]))
        assert row is not None and row.blob_key is None


def test_an_identical_request_reuses_the_zip(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    first = upload(app, client, tenant.server, jpeg(), file_name="first.jpg")
    second = upload(app, client, tenant.server, png(), file_name="second.png")
    original = request_zip(client, tenant, first["id"], second["id"])
    run_jobs(app)
    built = client.get(path_of(status(client, tenant, original)["download_url"])).content

    again = request_zip(client, tenant, second["id"], first["id"])
    assert again["id"] != original["id"]
    assert again["status"] == "READY" and again["download_url"]
    assert again["image_ids"] == [second["id"], first["id"]]
    assert run_jobs(app) == 0  # nothing was queued: no image was copied again
    assert len(zips(app, tenant)) == 1
    assert client.get(path_of(again["download_url"])).content == built

    # Other images, or the same ids after one of them changed state, are zipped anew.
    alone = request_zip(client, tenant, first["id"])
    assert alone["status"] == "PENDING"
    pending = create(client, tenant.server, file_name="late.jpg")
    with_pending = request_zip(client, tenant, first["id"], pending["image"]["id"])
    run_jobs(app)
    assert put(client, pending["upload_url"], jpeg(20, 20)).status_code == 200
    run_jobs(app)
    later = request_zip(client, tenant, first["id"], pending["image"]["id"])
    assert with_pending["status"] == "PENDING" and later["status"] == "PENDING"
    run_jobs(app)
    assert len(zips(app, tenant)) == 4


def test_a_shared_zip_lives_until_its_last_download_expires(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    image = upload(app, client, tenant.server, jpeg())
    first = request_zip(client, tenant, image["id"])
    run_jobs(app)
    second = request_zip(client, tenant, image["id"])
    assert second["status"] == "READY"

    expire_at(app, first, utcnow() - timedelta(seconds=1))
    housekeeping(app)
    assert status(client, tenant, first)["status"] == "FAILED"
    assert len(zips(app, tenant)) == 1
    assert client.get(path_of(status(client, tenant, second)["download_url"])).status_code == 200

    # A zip about to expire is not handed out again; a fresh one is built.
    expire_at(app, second, utcnow() + timedelta(seconds=30))
    assert request_zip(client, tenant, image["id"])["status"] == "PENDING"
    expire_at(app, second, utcnow() - timedelta(seconds=1))
    housekeeping(app)
    run_jobs(app)
    assert len(zips(app, tenant)) == 1  # only the fresh one
