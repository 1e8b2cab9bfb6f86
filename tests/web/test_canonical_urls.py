"""CDN and download URLs are served only under the canonical spelling of their ids.

An edge cache keys on the URL: were ``/cdn/<ORG>/<ENV>/<IMAGE>`` served too, one image would be
cached once per spelling. Every other spelling is a 404 in the error shape (never a 422).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Tenant
from tests.images.helpers import create, jpeg, path_of, run_jobs, upload
from tests.web.test_canonical_ids import spellings


@pytest.fixture
def photo(app: FastAPI, client: TestClient, tenant: Tenant) -> dict[str, Any]:
    return upload(app, client, tenant.server, jpeg(80, 60))


def test_cdn_urls_with_other_spellings_are_404(client: TestClient, photo: dict[str, Any]) -> None:
    organization_id, environment_id, image_id = path_of(photo["cdn_url"]).split("/")[2:]
    canonical = f"/cdn/{organization_id}/{environment_id}/{image_id}"
    for suffix in ("", "@small", "?w=20"):
        assert client.get(canonical + suffix).status_code == 200, suffix
    variants = (
        [f"/cdn/{o}/{environment_id}/{image_id}" for o in spellings(organization_id)]
        + [f"/cdn/{organization_id}/{e}/{image_id}" for e in spellings(environment_id)]
        + [f"/cdn/{organization_id}/{environment_id}/{i}" for i in spellings(image_id)]
    )
    for path in variants:
        for suffix in ("", "@small", "?w=20"):
            for method in ("GET", "HEAD"):
                response = client.request(method, path + suffix)
                assert response.status_code == 404, (method, path + suffix)
                assert response.headers["Access-Control-Allow-Origin"] == "*"
        body = client.get(path).json()
        assert body["error_type"] == "ImageNotFoundError"
        assert body["request_id"]


def test_download_urls_with_other_spellings_are_404(
    app: FastAPI, client: TestClient, tenant: Tenant, photo: dict[str, Any]
) -> None:
    created = client.post(
        "/api/v1/images/downloads", json={"image_ids": [photo["id"]]}, headers=tenant.server
    )
    run_jobs(app)
    job = client.get(f"/api/v1/images/downloads/{created.json()['id']}", headers=tenant.server)
    url = path_of(job.json()["download_url"])
    assert client.get(url).status_code == 200
    environment_id = str(tenant.environment_id)
    job_id = job.json()["id"]
    variants = [url.replace(environment_id, spelled) for spelled in spellings(environment_id)]
    variants += [url.replace(job_id, spelled) for spelled in spellings(job_id)]
    for variant in variants:
        response = client.get(variant)
        assert response.status_code == 404, variant
        assert response.json()["error_type"] == "DownloadNotFoundError"


def test_upload_urls_with_other_spellings_are_404_and_store_nothing(
    client: TestClient, tenant: Tenant
) -> None:
    created = create(client, tenant.server)
    url = path_of(created["upload_url"])
    environment_id = str(tenant.environment_id)
    image_id = created["image"]["id"]
    variants = [url.replace(environment_id, spelled) for spelled in spellings(environment_id)]
    variants += [url.replace(image_id, spelled) for spelled in spellings(image_id)]
    for variant in variants:
        response = client.put(variant, content=jpeg())
        assert response.status_code == 404, variant
        assert response.json()["error_type"] in {"EnvironmentNotFoundError", "ImageNotFoundError"}
    image = client.get(f"/api/v1/images/{image_id}", headers=tenant.server).json()
    assert image["status"] == "PENDING" and image["can_upload"] is True
    assert client.put(url, content=jpeg()).status_code == 200
