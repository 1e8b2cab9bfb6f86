"""Upload claims: one upload at a time per URL, a lease that a crash lets lapse, nothing left over.

Bodies that must arrive in pieces, or stall halfway, go through httpx's ASGI transport: each
piece reaches the app as a body message of its own, as on a real connection.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from imgwired.config import Settings
from imgwired.db.base import utcnow
from imgwired.db.models import Image
from imgwired.images.upload_claims import UploadClaims
from tests.conftest import Tenant
from tests.images.helpers import create, jpeg, path_of, png, put, run_jobs

IMAGES = "/api/v1/images/"
LEASE_SECONDS = 2.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # A short lease, so a test sees an upload outlive several of them.
    return settings.model_copy(update={"upload_lease_seconds": LEASE_SECONDS})


def test_an_upload_cut_off_by_a_crash_can_be_sent_again_once_its_claim_lapses(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    created = create(client, tenant.server)
    image_id = created["image"]["id"]
    # A process claims the upload, then dies: it neither finishes nor releases the claim.
    dead = UploadClaims(app.state.services.database, lease=timedelta(seconds=30))
    dead.take(tenant.environment_id, uuid.UUID(image_id))

    refused = put(client, created["upload_url"], png())
    assert refused.status_code == 409
    body = refused.json()
    assert body["error_type"] == "UploadInProgressError"
    assert "in progress" in body["detail"] and "within 30 s" in body["detail"]
    assert body["request_id"]
    assert _shown(client, tenant, image_id)["can_upload"] is False

    _lapse(app, image_id)  # nobody renewed the claim: its lease runs out
    assert _shown(client, tenant, image_id)["can_upload"] is True
    assert put(client, created["upload_url"], png()).status_code == 200
    run_jobs(app)
    assert _shown(client, tenant, image_id)["status"] == "READY"


def test_a_retry_replaces_what_a_crash_left_between_storing_and_recording(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    services = app.state.services
    created = create(client, tenant.server)
    image_id = created["image"]["id"]
    key = f"{tenant.environment_id}/{image_id}/original"
    # The dead process stored a complete original, but died before recording it.
    UploadClaims(services.database, lease=timedelta(seconds=30)).take(
        tenant.environment_id, uuid.UUID(image_id)
    )
    services.blobs.put_bytes(key, jpeg())
    _lapse(app, image_id)

    data = png(40, 30)
    assert put(client, created["upload_url"], data).status_code == 200
    run_jobs(app)
    image = _shown(client, tenant, image_id)
    assert (image["status"], image["mime_type"], image["width"]) == ("READY", "image/png", 40)
    assert image["hash_sha256"] == hashlib.sha256(data).hexdigest()
    assert services.blobs.read_bytes(key) == data


def test_a_second_put_is_told_to_wait_while_the_first_renews_its_claim(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    created = create(client, tenant.server)
    image_id, path = created["image"]["id"], path_of(created["upload_url"])
    data = png()

    async def scenario() -> None:
        release = asyncio.Event()
        async with _in_process(app) as http:
            first = asyncio.create_task(http.put(path, content=_stalled(data, release)))
            await _until(lambda: _claim_of(app, image_id)[0] is not None)
            first_lease = _claim_of(app, image_id)[1]
            assert first_lease is not None

            second = await http.put(path, content=data)
            assert second.status_code == 409
            assert second.json()["error_type"] == "UploadInProgressError"

            # Past the first lease, the upload still holds the URL: its heartbeat renewed it.
            await _until(lambda: utcnow() > first_lease + timedelta(seconds=LEASE_SECONDS))
            assert (await http.put(path, content=data)).status_code == 409
            lease = _claim_of(app, image_id)[1]
            assert lease is None or lease > first_lease

            release.set()
            assert (await first).status_code == 200
            used = await http.put(path, content=data)
            assert used.status_code == 403
            assert "already been used" in used.json()["detail"]

    asyncio.run(scenario())


def test_an_image_deleted_during_its_upload_keeps_nothing(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    services = app.state.services
    created = create(client, tenant.server)
    image_id, path = created["image"]["id"], path_of(created["upload_url"])

    async def scenario() -> httpx.Response:
        release = asyncio.Event()
        async with _in_process(app) as http:
            upload = asyncio.create_task(http.put(path, content=_stalled(png(), release)))
            await _until(lambda: _claim_of(app, image_id)[0] is not None)
            deleted = await asyncio.to_thread(
                client.delete, f"{IMAGES}{image_id}", headers=tenant.server
            )
            assert deleted.status_code == 200
            await asyncio.to_thread(run_jobs, app)  # the purge runs before the upload ends
            release.set()
            return await upload

    response = asyncio.run(scenario())
    assert response.status_code == 404
    assert response.json()["error_type"] == "ImageNotFoundError"
    assert not services.blobs.exists(f"{tenant.environment_id}/{image_id}/original")
    assert services.blobs.abort_abandoned_writes(timedelta(0)) == 0  # no unfinished write either


def test_the_type_is_judged_from_enough_bytes_however_the_body_is_split(
    app: FastAPI, client: TestClient, tenant: Tenant
) -> None:
    key = client.post(
        "/api/v1/api_keys/",
        json={
            "name": "png only",
            "key_type": "CLIENT",
            "allow_unsigned_upload": True,
            "allowed_mime_types": ["image/png"],
        },
        headers=tenant.admin,
    ).json()
    headers = {"Authorization": f"Bearer {key['client_key']}"}
    photo, other = png(), jpeg()
    cases = {
        "a png sent as 4 bytes and the rest": ([photo[:4], photo[4:]], 200),
        "a png sent byte by byte at first": ([photo[i : i + 1] for i in range(70)], 200),
        "a jpeg sent as 2 bytes and the rest": ([other[:2], other[2:]], 400),
        "a body shorter than any signature": ([b"\x89P", b"NG"], 400),
    }

    async def send(pieces: list[bytes]) -> httpx.Response:
        async def body() -> AsyncIterator[bytes]:
            for piece in pieces:
                yield piece
                await asyncio.sleep(0)  # each piece on its own, as after a pause

        created = create(client, headers, file_name="a.png")
        async with _in_process(app) as http:
            return await http.put(path_of(created["upload_url"]), content=body())

    for name, (pieces, status) in cases.items():
        if name.startswith("a png sent byte"):
            pieces = [*pieces, photo[70:]]
        response = asyncio.run(send(pieces))
        assert response.status_code == status, (name, response.text)
        if status == 400:
            assert response.json()["error_type"] == "UploadRejectedError", name


# -- helpers ---------------------------------------------------------------------------------------


def _in_process(app: FastAPI) -> httpx.AsyncClient:
    # The TestClient already ran the app's lifespan; this reaches the same app.
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://imgwired.test"
    )


async def _stalled(data: bytes, release: asyncio.Event) -> AsyncIterator[bytes]:
    yield data[:100]
    await release.wait()
    yield data[100:]


async def _until(condition: Callable[[], Any], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(condition):
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _claim_of(app: FastAPI, image_id: str) -> tuple[Any, Any]:
    with app.state.services.database.reading() as session:
        image = session.get(Image, uuid.UUID(image_id))
        assert image is not None
        return image.upload_started_at, image.upload_lease_expires_at


def _lapse(app: FastAPI, image_id: str) -> None:
    with app.state.services.database.transaction() as session:
        session.execute(
            update(Image)
            .where(Image.id == uuid.UUID(image_id))
            .values(upload_lease_expires_at=utcnow() - timedelta(seconds=1))
        )


def _shown(client: TestClient, tenant: Tenant, image_id: str) -> dict[str, Any]:
    response = client.get(f"{IMAGES}{image_id}", headers=tenant.server)
    assert response.status_code == 200
    shown: dict[str, Any] = response.json()
    return shown
