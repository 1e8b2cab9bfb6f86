"""``imgwired worker``: jobs run in a separate process that shares only the database and blobs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.config import Settings
from tests.conftest import Tenant
from tests.images.helpers import create, png, put


def test_a_worker_process_processes_uploads(
    app: FastAPI, client: TestClient, tenant: Tenant, settings: Settings, tmp_path: Path
) -> None:
    created = create(client, tenant.server)
    assert put(client, created["upload_url"], png(40, 30)).status_code == 200
    env = {
        **os.environ,
        "IMGWIRED_DATABASE_URL": settings.resolved_database_url,
        "IMGWIRED_DATA_DIR": str(settings.data_dir),
        "IMGWIRED_JOB_POLL_SECONDS": "0.1",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "imgwired", "worker", "--threads", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert worker.stdout is not None
        assert "imgwired worker" in worker.stdout.readline()
        status = _status_when_settled(client, tenant, created["image"]["id"])
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=30)
        assert worker.stdout is not None
        worker.stdout.close()
    assert status == "READY"
    assert code == 0


def _status_when_settled(client: TestClient, tenant: Tenant, image_id: str) -> str:
    # The worker is another process: watch the record until its job has run (bounded).
    deadline = time.monotonic() + 30
    status = "PROCESSING"
    while status == "PROCESSING" and time.monotonic() < deadline:
        status = client.get(f"/api/v1/images/{image_id}", headers=tenant.server).json()["status"]
        if status == "PROCESSING":
            time.sleep(0.1)
    return str(status)
