"""``POST /images/upload_via_url``: fetched server-side, never from inside the network."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.config import Settings
from imgwired.web.app import create_app
from tests.conftest import Tenant
from tests.images.helpers import run_jobs
from tests.images.photo_origin import PHOTO, serving_photos

URL_UPLOAD = "/api/v1/images/upload_via_url"


@pytest.fixture
def origin_server() -> Iterator[ThreadingHTTPServer]:
    with serving_photos() as server:
        yield server


@pytest.fixture
def dev_app(settings: Settings) -> FastAPI:
    """An app that may fetch from loopback, as a developer would configure it locally."""
    return create_app(settings.model_copy(update={"fetch_allowed_networks": ["127.0.0.1/32"]}))


@pytest.fixture
def dev(dev_app: FastAPI) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """A client of ``dev_app`` after ``init``, and its server key's headers."""
    with TestClient(dev_app) as client:
        installed = dev_app.state.services.organization.initialize(environment_name="production")
        yield client, {"Authorization": f"Bearer {installed.server_key.secret}"}


def fetched(
    dev_app: FastAPI, client: TestClient, headers: dict[str, str], url: str
) -> dict[str, object]:
    """The image made from ``url`` once its fetch job has run."""
    image = client.post(URL_UPLOAD, json={"url": url}, headers=headers).json()
    run_jobs(dev_app)
    done: dict[str, object] = client.get(f"/api/v1/images/{image['id']}", headers=headers).json()
    return done


def test_an_image_is_fetched_processed_and_ready(
    dev_app: FastAPI, dev: tuple[TestClient, dict[str, str]], origin_server: ThreadingHTTPServer
) -> None:
    client, headers = dev
    url = f"http://127.0.0.1:{origin_server.server_port}/photos/cat%20one.jpg"
    response = client.post(URL_UPLOAD, json={"url": url, "purpose": "feed"}, headers=headers)
    assert response.status_code == 200, response.text
    image = response.json()
    assert image["status"] == "PENDING"
    assert image["original_filename"] == "cat one.jpg"
    assert image["can_upload"] is False
    run_jobs(dev_app)
    ready = client.get(f"/api/v1/images/{image['id']}", headers=headers).json()
    assert ready["status"] == "READY"
    assert (ready["width"], ready["height"]) == (90, 60)
    assert ready["size_bytes"] == len(PHOTO)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/a.jpg",
        "http://localhost/a.jpg",
        "http://10.1.2.3/a.jpg",
        "http://172.16.0.1/a.jpg",
        "http://192.168.1.1/a.jpg",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/a.jpg",
        "http://[::1]/a.jpg",
        "http://[fc00::1]/a.jpg",
        "http://[::ffff:127.0.0.1]/a.jpg",
        "http://2130706433/a.jpg",
        "http://0177.0.0.1/a.jpg",
        "http://0x7f.1/a.jpg",
        "file:///etc/passwd",
        "ftp://example.com/a.jpg",
        "gopher://example.com/a",
        "http://user:pw@example.com/a.jpg",
    ],
)
def test_internal_and_non_http_urls_are_refused(
    client: TestClient, tenant: Tenant, url: str
) -> None:
    response = client.post(URL_UPLOAD, json={"url": url}, headers=tenant.server)
    assert response.status_code == 400, response.text
    assert response.json()["error_type"] in ("ForbiddenAddressError", "InvalidFetchUrlError")
    assert client.get("/api/v1/images/", headers=tenant.server).json() == []


def test_a_name_that_resolves_inside_is_refused(
    app: FastAPI, client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    def resolver(host: str, port: int) -> list[ipaddress.IPv4Address]:
        return [ipaddress.IPv4Address("10.0.0.8")]

    monkeypatch.setattr(app.state.services.ingestion, "_resolver", resolver)
    response = client.post(
        URL_UPLOAD, json={"url": "http://images.example.com/a.jpg"}, headers=tenant.server
    )
    assert response.status_code == 400
    assert "forbidden address" in response.json()["detail"]
    assert "10.0.0.8" not in response.json()["detail"]


def test_a_redirect_inside_is_refused(
    dev_app: FastAPI, dev: tuple[TestClient, dict[str, str]], origin_server: ThreadingHTTPServer
) -> None:
    url = f"http://127.0.0.1:{origin_server.server_port}/redirect?to=http://10.0.0.7/a.jpg"
    assert fetched(dev_app, *dev, url)["status"] == "QUARANTINE"
    assert origin_server.hits == 1  # type: ignore[attr-defined]


def test_a_failed_fetch_is_quarantined(
    dev_app: FastAPI, dev: tuple[TestClient, dict[str, str]], origin_server: ThreadingHTTPServer
) -> None:
    url = f"http://127.0.0.1:{origin_server.server_port}/missing"
    assert fetched(dev_app, *dev, url)["status"] == "QUARANTINE"


def test_a_fetch_queued_in_an_environment_deleted_since_is_never_made(
    dev_app: FastAPI, origin_server: ThreadingHTTPServer
) -> None:
    with TestClient(dev_app) as client:
        installed = dev_app.state.services.organization.initialize(environment_name="production")
        admin = {"Authorization": f"Bearer {installed.admin_token}"}
        staging = client.post("/api/v1/environments/", json={"name": "staging"}, headers=admin)
        environment_id = staging.json()["id"]
        key = client.post(
            "/api/v1/api_keys/",
            json={"name": "s", "key_type": "SERVER"},
            headers={**admin, "X-Environment-Id": environment_id},
        ).json()["server_key"]
        host, port = origin_server.server_address[:2]
        image = client.post(
            URL_UPLOAD,
            json={"url": f"http://{host}:{port}/photo.jpg"},
            headers={"Authorization": f"Bearer {key}"},
        ).json()
        deleted = client.delete(f"/api/v1/environments/{environment_id}", headers=admin)
        assert deleted.status_code == 200
        run_jobs(dev_app)
        assert origin_server.hits == 0  # type: ignore[attr-defined]
        blobs = dev_app.state.services.blobs
        assert not blobs.exists(f"{environment_id}/{image['id']}/original")
