"""Bulk downloads: a job zips the images; the SDK waits for its URL."""

from __future__ import annotations

import uuid

import pytest
from anyio.from_thread import BlockingPortal

from imgwired.client import BulkDownloadStatus, NotFoundError
from tests.client.conftest import Connect
from tests.client.helpers import fetch, zip_names
from tests.client.servers import Server
from tests.conftest import Tenant
from tests.images.helpers import jpeg, png


def test_a_zip_of_the_images_is_built_and_downloaded(
    server: Server, portal: BlockingPortal, connect: Connect, tenant: Tenant
) -> None:
    sdk = connect(tenant.server_key)
    first = sdk.images.upload(jpeg(), file_name="first.jpg", wait=True)
    second = sdk.images.upload(png(), file_name="second.png", wait=True)

    job = sdk.images.create_bulk_download_job([first.id, str(second.id)])
    done = sdk.images.wait_for_bulk_download_job(job.id)

    assert job.status == BulkDownloadStatus.PENDING and job.download_url is None
    assert job.image_ids == [first.id, second.id]
    assert done.status == BulkDownloadStatus.READY and done.download_url
    assert sdk.images.retrieve_bulk_download_job(job.id) == done
    response = fetch(server, portal, done.download_url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert zip_names(response.content) == [f"first-{first.id}.jpg", f"second-{second.id}.png"]


def test_unknown_images_and_jobs_are_not_found(connect: Connect, tenant: Tenant) -> None:
    sdk = connect(tenant.server_key)

    with pytest.raises(NotFoundError):
        sdk.images.create_bulk_download_job([uuid.uuid4()])
    with pytest.raises(NotFoundError):
        sdk.images.retrieve_bulk_download_job(uuid.uuid4())
