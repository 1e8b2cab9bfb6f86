"""The blob sweep: blobs whose image record is gone or deleted go, once older than the safety age;
everything a live record (or another database) may still need stays."""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from imgwired.config import Settings
from imgwired.container import register_handlers
from imgwired.db.base import utcnow
from imgwired.db.models import Image
from imgwired.images.sweeps import SweepResult
from imgwired.jobs.runner import JobRunner
from tests.conftest import Tenant
from tests.images.helpers import create, png, run_jobs, upload

SAFETY = timedelta(minutes=5)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"sweep_safety_age_seconds": SAFETY.total_seconds()})


def test_blobs_without_a_live_image_are_swept_once_old_enough(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    services = app.state.services
    blobs = services.blobs
    env = tenant.environment_id
    long_ago = utcnow() - 2 * SAFETY

    live, purged, just_deleted = (upload(app, client, tenant.server, png())["id"] for _ in "abc")
    blobs.put_bytes(f"{env}/{live}/derived/a.webp", b"rendition")
    # Deleted long ago, but a rendition was stored after its purge ran.
    _delete(client, tenant, purged)
    assert run_jobs(app) == 1
    blobs.put_bytes(f"{env}/{purged}/derived/late.webp", b"rendition")
    _deleted_at(app, purged, long_ago)
    # Deleted a moment ago: its purge job has not run yet.
    _delete(client, tenant, just_deleted)
    # Stored, then the process died before recording it: the record is live and PENDING.
    pending = create(client, tenant.server)["image"]["id"]
    blobs.put_bytes(f"{env}/{pending}/original", png())
    # No record at all: one made long ago, and one made just now.
    unrecorded_old, unrecorded_new = _uuid7_at(long_ago), _uuid7_at(utcnow())
    for image_id in (unrecorded_old, unrecorded_new):
        blobs.put_bytes(f"{env}/{image_id}/original", b"bytes")
    # Not this database's: an environment it has never heard of.
    foreign = f"{uuid.uuid4()}/{_uuid7_at(long_ago)}/original"
    blobs.put_bytes(foreign, b"someone else's")
    # Not an image's blob at all.
    download = f"{env}/downloads/{uuid.uuid4()}.zip"
    blobs.put_bytes(download, b"zip")

    assert services.sweeper.sweep() == SweepResult(abandoned_writes=0, orphaned_images=2)
    assert sorted(blobs.list_prefix()) == sorted(
        [
            f"{env}/{live}/original",
            f"{env}/{live}/derived/a.webp",
            f"{env}/{just_deleted}/original",
            f"{env}/{pending}/original",
            f"{env}/{unrecorded_new}/original",
            foreign,
            download,
        ]
    )
    assert services.sweeper.sweep() == SweepResult(abandoned_writes=0, orphaned_images=0)


def test_a_process_that_runs_jobs_sweeps_as_it_starts(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    services = app.state.services
    orphan = f"{tenant.environment_id}/{_uuid7_at(utcnow() - 2 * SAFETY)}/original"
    services.blobs.put_bytes(orphan, b"left by a crash")
    runner = JobRunner(services.database, poll_seconds=0.05)
    register_handlers(runner, services)
    runner.start()
    try:
        deadline = time.monotonic() + 10
        while services.blobs.exists(orphan):
            assert time.monotonic() < deadline, "the start-up sweep did not run"
            time.sleep(0.02)
    finally:
        runner.stop()


def _delete(client: TestClient, tenant: Tenant, image_id: str) -> None:
    response = client.delete(f"/api/v1/images/{image_id}", headers=tenant.server)
    assert response.status_code == 200


def _deleted_at(app: FastAPI, image_id: str, when: datetime) -> None:
    with app.state.services.database.transaction() as session:
        session.execute(
            update(Image).where(Image.id == uuid.UUID(image_id)).values(deleted_at=when)
        )


def _uuid7_at(when: datetime) -> uuid.UUID:
    """A version 7 id as if made at ``when``: 48 bits of milliseconds, then random bits."""
    millis = int(when.timestamp() * 1000)
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis << 80) | (0x7 << 76) | ((rand >> 62) & 0xFFF) << 64 | (0b10 << 62)
    return uuid.UUID(int=value | (rand & ((1 << 62) - 1)))
