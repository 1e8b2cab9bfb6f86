"""Listing, deleting and purging images, and jobs that survive a restart."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from imgwired.container import register_handlers
from imgwired.db.base import utcnow
from imgwired.db.models import Image, Job, JobStatus
from imgwired.jobs import queue
from imgwired.jobs.runner import JobRunner
from tests.conftest import Tenant
from tests.images.helpers import create, jpeg, png, put, run_jobs, upload

IMAGES = "/api/v1/images/"


def test_list_is_newest_first_and_paginated(client: TestClient, tenant: Tenant) -> None:
    ids = [create(client, tenant.server)["image"]["id"] for _ in range(3)]
    first = client.get(IMAGES, params={"limit": 2}, headers=tenant.server)
    assert [i["id"] for i in first.json()] == [ids[2], ids[1]]
    assert first.headers["X-Total-Count"] == "3"
    assert first.headers["X-Next-Page"] == "2"


def test_delete_hides_the_image_and_purges_its_bytes(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    image = upload(app, client, tenant.server, jpeg())
    key = f"{tenant.environment_id}/{image['id']}/original"
    assert app.state.services.blobs.exists(key)
    response = client.delete(f"{IMAGES}{image['id']}", headers=tenant.server)
    assert response.json() == {"id": image["id"], "status": "deleted"}
    assert client.get(f"{IMAGES}{image['id']}", headers=tenant.server).status_code == 404
    assert client.delete(f"{IMAGES}{image['id']}", headers=tenant.server).status_code == 404
    run_jobs(app)
    assert not app.state.services.blobs.exists(key)
    assert client.get(IMAGES, headers=tenant.server).json() == []


def test_bulk_delete_is_all_or_nothing(app: FastAPI, client: TestClient, tenant: Tenant) -> None:
    ids = [create(client, tenant.server)["image"]["id"] for _ in range(3)]
    missing = str(uuid.uuid4())
    refused = client.post(
        f"{IMAGES}bulk_delete", json={"image_ids": [ids[0], missing]}, headers=tenant.server
    )
    assert refused.status_code == 404
    assert missing in refused.json()["detail"]
    assert client.get(IMAGES, headers=tenant.server).headers["X-Total-Count"] == "3"
    done = client.post(f"{IMAGES}bulk_delete", json={"image_ids": ids[:2]}, headers=tenant.server)
    assert done.json() == {"status": "deleted", "deleted": "2"}
    assert [i["id"] for i in client.get(IMAGES, headers=tenant.server).json()] == [ids[2]]
    empty = client.post(f"{IMAGES}bulk_delete", json={"image_ids": []}, headers=tenant.server)
    assert empty.status_code == 422


def test_another_environments_images_are_not_found(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = create(client, other_tenant.server)["image"]["id"]
    assert client.get(f"{IMAGES}{theirs}", headers=tenant.server).status_code == 404
    assert client.delete(f"{IMAGES}{theirs}", headers=tenant.server).status_code == 404
    bulk = client.post(f"{IMAGES}bulk_delete", json={"image_ids": [theirs]}, headers=tenant.server)
    assert bulk.status_code == 404
    assert client.get(f"{IMAGES}{theirs}", headers=other_tenant.server).status_code == 200


def test_a_job_left_running_by_a_dead_worker_is_resumed(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    created = create(client, tenant.server)
    assert put(client, created["upload_url"], png()).status_code == 200
    services = app.state.services
    # A worker claims the processing job, then dies before finishing it.
    claimed = queue.claim(services.database)
    assert claimed is not None and claimed.kind == "process_image"
    assert queue.claim(services.database) is None  # leased: nobody else takes it meanwhile
    with services.database.transaction() as session:
        session.execute(
            update(Job).where(Job.id == claimed.id).values(lease_expires_at=queue.utcnow())
        )

    restarted = JobRunner(services.database, poll_seconds=0.1)
    register_handlers(restarted, services)
    assert restarted.run_pending() == 1
    image = client.get(f"{IMAGES}{created['image']['id']}", headers=tenant.server).json()
    assert image["status"] == "READY"
    with services.database.reading() as session:
        job = session.get(Job, claimed.id)
        assert job is not None and job.status is JobStatus.DONE and job.attempts == 2


def test_abandoned_uploads_are_swept(app: FastAPI, client: TestClient, tenant: Tenant) -> None:
    services = app.state.services
    now = utcnow()
    never_started = create(client, tenant.server)["image"]["id"]
    stalled = create(client, tenant.server)["image"]["id"]
    still_uploading = create(client, tenant.server)["image"]["id"]
    cut_off = create(client, tenant.server)["image"]["id"]
    fresh = create(client, tenant.server)["image"]["id"]
    finished = upload(app, client, tenant.server, png())["id"]
    live_claim = {"upload_started_at": now, "upload_lease_expires_at": now + timedelta(minutes=1)}
    shape = {
        # The URL expired and no upload began: nothing can arrive any more.
        never_started: {"upload_expires_at": now - timedelta(seconds=1)},
        # An upload still renews its claim long after its URL expired: abandoned an hour later.
        stalled: {"upload_expires_at": now - timedelta(hours=2), **live_claim},
        # An upload that began in time may still be running past the expiry.
        still_uploading: {"upload_expires_at": now - timedelta(minutes=5), **live_claim},
        # An upload whose server stopped: its claim lapsed, so nothing is arriving.
        cut_off: {
            "upload_expires_at": now - timedelta(minutes=5),
            "upload_started_at": now - timedelta(minutes=10),
            "upload_lease_expires_at": now - timedelta(minutes=9),
        },
        finished: {"upload_expires_at": now - timedelta(hours=2)},
    }
    with services.database.transaction() as session:
        for image_id, values in shape.items():
            session.execute(update(Image).where(Image.id == uuid.UUID(image_id)).values(**values))

    assert services.images.sweep_abandoned_uploads() == 3
    assert services.images.sweep_abandoned_uploads() == 0
    for image_id in (never_started, stalled, cut_off):
        response = client.get(f"{IMAGES}{image_id}", headers=tenant.server)
        assert response.status_code == 404
    listed = {i["id"] for i in client.get(IMAGES, headers=tenant.server).json()}
    assert listed == {still_uploading, fresh, finished}
    # Each swept image had a purge queued, like any deleted image.
    assert run_jobs(app) == 3


def test_housekeeping_runs_when_due_and_survives_a_failure() -> None:
    runs: list[str] = []

    def failing() -> None:
        runs.append("failing")
        raise RuntimeError("database unavailable")

    runner = JobRunner(None, poll_seconds=1)  # type: ignore[arg-type]
    runner.every(60, "failing", failing)
    runner.every(10, "counting", lambda: runs.append("counting"))
    runner.run_periodic(now=1000)
    runner.run_periodic(now=1005)
    runner.run_periodic(now=1011)
    runner.run_periodic(now=1061)
    assert runs == ["failing", "counting", "counting", "failing", "counting"]
