"""Bulk downloads: a zip built by a job, handed out by a signed, expiring URL."""

from __future__ import annotations

import io
import uuid
import zipfile

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Tenant
from tests.images.helpers import jpeg, path_of, png, upload

DOWNLOADS = "/api/v1/images/downloads"


def test_a_zip_of_the_images_is_built_and_served(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    first = upload(app, client, tenant.server, jpeg(), file_name="../../etc/passwd.jpg")
    second = upload(app, client, tenant.server, png(), file_name="same.png")
    third = upload(app, client, tenant.server, png(), file_name="same.png")
    ids = [first["id"], second["id"], third["id"]]
    created = client.post(DOWNLOADS, json={"image_ids": ids}, headers=tenant.server)
    assert created.status_code == 200, created.text
    job = created.json()
    assert job["status"] == "PENDING" and job["download_url"] is None
    assert job["image_ids"] == ids

    app.state.services.jobs.run_pending()
    ready = client.get(f"{DOWNLOADS}/{job['id']}", headers=tenant.server).json()
    assert ready["status"] == "READY"
    response = client.get(path_of(ready["download_url"]))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
        assert len(set(names)) == 3
        assert all("/" not in name and ".." not in name for name in names)
        contents = sorted(len(archive.read(name)) for name in names)
    assert contents == sorted([first["size_bytes"], second["size_bytes"], third["size_bytes"]])


def test_unknown_or_foreign_images_are_refused(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = client.post(
        "/api/v1/images/standard_upload", json={"file_name": "a.jpg"}, headers=other_tenant.server
    ).json()["image"]["id"]
    for ids in ([theirs], [str(uuid.uuid4())]):
        response = client.post(DOWNLOADS, json={"image_ids": ids}, headers=tenant.server)
        assert response.status_code == 404


def test_a_tampered_download_url_is_refused(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    image = upload(app, client, tenant.server, png())
    job = client.post(DOWNLOADS, json={"image_ids": [image["id"]]}, headers=tenant.server).json()
    app.state.services.jobs.run_pending()
    url = path_of(
        client.get(f"{DOWNLOADS}/{job['id']}", headers=tenant.server).json()["download_url"]
    )
    assert client.get(url.replace("signature=", "signature=f")).status_code == 403
    assert client.get(f"{DOWNLOADS}/{uuid.uuid4()}", headers=tenant.server).status_code == 404
