"""A server killed mid-upload loses nothing and leaves nothing: ``imgwired serve`` under SIGKILL.

A real server process takes concurrent uploads, some of them stalled halfway through their
bodies, and is killed with SIGKILL once a number of them were answered. Restarted on the same
data directory and database, every answered upload ends READY, every interrupted one can be
sent again at its own URL and ends READY, and the start-up sweep leaves no temp file and no
blob without a live image.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyvips  # type: ignore[import-untyped]

from imgwired.storage.filesystem import TEMP_PREFIX
from tests.processes import ImgwiredProcess, free_port, serving, wait_for, wait_until_claimed

UPLOADS = 40
STALLED = 10  # of them stop halfway through their bodies until the server dies
ANSWERED_BEFORE_KILL = 12
DEADLINE = 30.0


@dataclass
class Upload:
    image_id: str
    upload_url: str
    data: bytes
    answered: int | None = None  # the status the client saw before the crash, if any
    retries: list[int] = field(default_factory=list)


def test_a_killed_server_loses_no_upload_and_leaves_nothing(
    database_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "IMGWIRED_DATABASE_URL": database_url,
        "IMGWIRED_DATA_DIR": str(tmp_path),
        # The same port for both runs: the upload URLs name it.
        "IMGWIRED_PORT": str(free_port()),
        "IMGWIRED_JOB_POLL_SECONDS": "0.1",
        # Short leases, so the work of the dead process is taken over within the test's budget.
        "IMGWIRED_UPLOAD_LEASE_SECONDS": "2",
        "IMGWIRED_JOB_LEASE_SECONDS": "2",
        # Only the start-up sweep runs during the test.
        "IMGWIRED_SWEEP_INTERVAL_SECONDS": "3600",
    }
    blobs = tmp_path / "blobs"
    with serving(env) as first:
        wait_for(lambda: first.server_key(), "the keys printed on the first start")
        headers = {"Authorization": f"Bearer {first.server_key()}"}
        uploads = _create_uploads(first.base, headers)
        asyncio.run(_upload_until_killed(first, uploads, database_url))
    acknowledged = [u for u in uploads if u.answered == 200]
    interrupted = [u for u in uploads if u.answered is None]
    assert len(acknowledged) >= ANSWERED_BEFORE_KILL
    assert len(interrupted) >= STALLED
    assert all(u.answered in (200, None) for u in uploads), [u.answered for u in uploads]
    # The crash left writes behind that no reader will ever see.
    assert _temp_files(blobs), "the stalled uploads should have left their temp files"

    # Restart on the same data; the sweep may remove anything it finds, however young.
    with serving({**env, "IMGWIRED_SWEEP_SAFETY_AGE_SECONDS": "0"}) as second:
        wait_for(lambda: not _temp_files(blobs), "the start-up sweep to remove the temp files")
        asyncio.run(_retry(second.base, interrupted))
        statuses = _wait_until_settled(second.base, headers, uploads)
        assert statuses == {u.image_id: "READY" for u in uploads}, {
            u.image_id: (u.answered, u.retries, statuses[u.image_id])
            for u in uploads
            if statuses[u.image_id] != "READY"
        }
        assert _temp_files(blobs) == []
        assert _stored_originals(blobs) == {u.image_id for u in uploads}


# -- the two runs ---------------------------------------------------------------------------------


def _create_uploads(base: str, headers: dict[str, str]) -> list[Upload]:
    uploads = []
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        for index in range(UPLOADS):
            data = _photo(index)
            response = client.post(
                "/api/v1/images/standard_upload",
                json={"file_name": f"photo-{index}.png", "content_length": len(data)},
            )
            assert response.status_code == 200, response.text
            body = response.json()
            uploads.append(Upload(body["image"]["id"], body["upload_url"], data))
    return uploads


async def _upload_until_killed(
    server: ImgwiredProcess, uploads: list[Upload], database_url: str
) -> None:
    """Stall some uploads halfway, send the rest, and SIGKILL the server after a few answers."""
    stalled, flowing = uploads[:STALLED], uploads[STALLED:]
    killed = asyncio.Event()
    answered = 0

    async def send(client: httpx.AsyncClient, upload: Upload, stall: bool) -> None:
        nonlocal answered
        body = _halves(upload.data, killed) if stall else upload.data
        try:
            response = await client.put(upload.upload_url, content=body)
        except httpx.TransportError:
            return  # cut off by the crash: the client never heard back
        upload.answered = response.status_code
        answered += 1
        if answered == ANSWERED_BEFORE_KILL:
            server.process.send_signal(signal.SIGKILL)
            killed.set()

    limits = httpx.Limits(max_connections=UPLOADS)
    async with (
        httpx.AsyncClient(timeout=DEADLINE, limits=limits) as client,
        asyncio.TaskGroup() as tasks,
    ):
        for upload in stalled:
            tasks.create_task(send(client, upload, stall=True))
        # Every stalled upload holds its URL before the others start, so each is mid-body.
        await asyncio.to_thread(wait_until_claimed, database_url, [u.image_id for u in stalled])
        for upload in flowing:
            tasks.create_task(send(client, upload, stall=False))
    server.process.wait(timeout=10)


async def _halves(data: bytes, killed: asyncio.Event) -> AsyncIterator[bytes]:
    yield data[: len(data) // 2]
    await killed.wait()
    yield data[len(data) // 2 :]


async def _retry(base: str, uploads: list[Upload]) -> None:
    """Send each interrupted upload again at its own URL until the server takes it."""

    async def again(client: httpx.AsyncClient, upload: Upload) -> None:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            response = await client.put(upload.upload_url, content=upload.data)
            upload.retries.append(response.status_code)
            if response.status_code == 409:  # the dead process's claim has not lapsed yet
                await asyncio.sleep(0.2)
                continue
            if response.status_code == 403 and "already been used" in response.text:
                return  # the crash came after the upload was recorded; the client never heard
            assert response.status_code == 200, response.text
            return
        raise AssertionError(f"upload {upload.image_id} was never accepted: {upload.retries}")

    async with (
        httpx.AsyncClient(base_url=base, timeout=DEADLINE) as client,
        asyncio.TaskGroup() as tasks,
    ):
        for upload in uploads:
            tasks.create_task(again(client, upload))


def _wait_until_settled(
    base: str, headers: dict[str, str], uploads: list[Upload]
) -> dict[str, str]:
    statuses: dict[str, str] = {}
    deadline = time.monotonic() + DEADLINE
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        while True:
            for upload in uploads:
                if statuses.get(upload.image_id) in ("READY", "QUARANTINE"):
                    continue
                response = client.get(f"/api/v1/images/{upload.image_id}")
                statuses[upload.image_id] = response.json().get("status", str(response.status_code))
            if all(s in ("READY", "QUARANTINE") for s in statuses.values()):
                return statuses
            if time.monotonic() > deadline:
                return statuses
            time.sleep(0.1)


# -- what the test looks at ----------------------------------------------------------------------


def _photo(index: int) -> bytes:
    # Noise does not compress away: each body is a few hundred KiB and takes a moment to store.
    noise = pyvips.Image.gaussnoise(200, 200, sigma=50 + index).cast("uchar")
    data: bytes = noise.bandjoin([noise, noise]).pngsave_buffer(compression=1)
    return data


def _temp_files(blobs: Path) -> list[Path]:
    return _walk(blobs, f"{TEMP_PREFIX}*")


def _walk(blobs: Path, pattern: str) -> list[Path]:
    """The files under ``blobs`` matching ``pattern``, read while the server may be sweeping."""
    while True:
        try:
            found = blobs.rglob(pattern) if blobs.exists() else []
            return sorted(path for path in found if not path.is_dir())
        except FileNotFoundError:
            continue  # a folder was removed while it was being walked: walk again


def _stored_originals(blobs: Path) -> set[str]:
    """The image ids whose originals are stored; fails on any other file in the store."""
    ids = set()
    for path in _walk(blobs, "*"):
        environment_id, image_id, name = path.relative_to(blobs).parts
        assert name == "original", path
        uuid.UUID(environment_id)
        ids.add(image_id)
    return ids
