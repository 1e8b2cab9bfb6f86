"""A deleted environment serves nothing: CDN URLs (every path to them, memory included) and
download URLs refuse at once, and a job purges its blobs. Runs on the filesystem and on S3."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from imgwired.config import Settings
from imgwired.db.models import DerivedImage, Image, ImageDownloadJob, ImageDownloadStatus
from imgwired.delivery.hot_renditions import FRESH_SECONDS
from imgwired.web.app import create_app
from tests.conftest import Tenant
from tests.custom_domains.dns_server import FakeDns
from tests.custom_domains.helpers import connect, resolving_through
from tests.images.helpers import jpeg, path_of, run_jobs, upload

HOST = "images.example.com"
# Each way to reach an image: the original, a rendition, a preset.
SUFFIXES = ("", "?w=20", "@small")
DOWNLOADS = "/api/v1/images/downloads"


@pytest.fixture
def dns_server() -> Iterator[FakeDns]:
    with FakeDns() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, dns_server: FakeDns) -> Settings:
    return resolving_through(settings, dns_server)


@pytest.fixture
def photo(app: FastAPI, client: TestClient, other_tenant: Tenant) -> dict[str, Any]:
    return upload(app, client, other_tenant.server, jpeg(80, 60), file_name="photo.jpg")


def delete_environment(client: TestClient, tenant: Tenant) -> None:
    admin = {"Authorization": f"Bearer {tenant.admin_token}"}
    response = client.delete(f"/api/v1/environments/{tenant.environment_id}", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json() == {"id": str(tenant.environment_id), "status": "deleted"}


def download_url(app: FastAPI, client: TestClient, tenant: Tenant, image_id: str) -> str:
    created = client.post(DOWNLOADS, json={"image_ids": [image_id]}, headers=tenant.server)
    run_jobs(app)
    job = client.get(f"{DOWNLOADS}/{created.json()['id']}", headers=tenant.server).json()
    assert job["status"] == "READY", job
    return path_of(job["download_url"])


def rows(app: FastAPI, model: Any, environment_id: uuid.UUID) -> int:
    with app.state.services.database.reading() as session:
        query = (
            select(func.count()).select_from(model).where(model.environment_id == environment_id)
        )
        count: int = session.scalar(query)
    return count


def test_a_deleted_environment_serves_nothing_and_its_blobs_are_purged(
    app: FastAPI, client: TestClient, tenant: Tenant, other_tenant: Tenant, photo: dict[str, Any]
) -> None:
    kept = upload(app, client, tenant.server, jpeg(40, 30))
    cdn = path_of(photo["cdn_url"])
    for suffix in SUFFIXES:
        # Twice: the second answer comes from memory, which must not outlive the environment.
        for _ in range(2):
            assert client.get(cdn + suffix).status_code == 200, suffix
    zip_url = download_url(app, client, other_tenant, photo["id"])
    assert client.get(zip_url).status_code == 200
    # A zip still to be built when the environment goes.
    pending = client.post(DOWNLOADS, json={"image_ids": [photo["id"]]}, headers=other_tenant.server)
    blobs = app.state.services.blobs
    prefix = f"{other_tenant.environment_id}/"
    assert len(list(blobs.list_prefix(prefix))) >= 4  # original, rendition, preset, zip

    delete_environment(client, other_tenant)

    for suffix in SUFFIXES:
        for method in ("GET", "HEAD"):
            response = client.request(method, cdn + suffix)
            assert response.status_code == 404, (method, suffix)
        assert client.get(cdn + suffix).json()["error_type"] == "ImageNotFoundError"
    refused = client.get(zip_url)
    assert refused.status_code == 404
    assert refused.json()["error_type"] == "DownloadNotFoundError"

    run_jobs(app)
    assert list(blobs.list_prefix(prefix)) == []
    assert rows(app, DerivedImage, other_tenant.environment_id) == 0
    with app.state.services.database.reading() as session:
        jobs = list(session.scalars(select(ImageDownloadJob)))
        images = list(session.scalars(select(Image)))
    assert {job.status for job in jobs} == {ImageDownloadStatus.FAILED}
    assert all(job.blob_key is None for job in jobs)
    assert str(pending.json()["id"]) in {str(job.id) for job in jobs}
    assert all(
        i.deleted_at is not None for i in images if i.environment_id != tenant.environment_id
    )
    # The other environment is untouched.
    assert client.get(path_of(kept["cdn_url"])).status_code == 200
    assert blobs.exists(f"{tenant.environment_id}/{kept['id']}/original")


def test_a_connected_custom_domain_stops_serving_at_once(
    client: TestClient, other_tenant: Tenant, dns_server: FakeDns, photo: dict[str, Any]
) -> None:
    connect(client, other_tenant, dns_server, HOST)
    for suffix in SUFFIXES:
        assert client.get(f"/{photo['id']}{suffix}", headers={"Host": HOST}).status_code == 200
    delete_environment(client, other_tenant)
    for suffix in SUFFIXES:
        response = client.get(f"/{photo['id']}{suffix}", headers={"Host": HOST})
        assert response.status_code == 404, suffix
    assert client.get("/tls/ask", params={"domain": HOST}).status_code == 404


def test_another_process_stops_serving_from_memory_within_a_second(
    settings: Settings,
    app: FastAPI,
    client: TestClient,
    other_tenant: Tenant,
    photo: dict[str, Any],
) -> None:
    cdn = path_of(photo["cdn_url"])
    other = create_app(settings)
    with TestClient(other, raise_server_exceptions=False) as other_client:
        for _ in range(2):
            assert other_client.get(cdn).status_code == 200
        delete_environment(client, other_tenant)
        deadline = time.monotonic() + FRESH_SECONDS + 1
        while other_client.get(cdn).status_code == 200:
            assert time.monotonic() < deadline, "still served from memory after the deadline"
            time.sleep(0.05)
        assert other_client.get(cdn + "?w=20").status_code == 404
