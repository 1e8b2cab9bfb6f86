"""``--log-format json``: a real ``imgwired serve`` and ``imgwired worker`` write every log record
as one JSON object per line on stderr, access records carry what an operator needs, and no
secret reaches the log."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.config import Settings
from tests.cli.test_serve import free_port
from tests.conftest import Tenant
from tests.images.helpers import create, jpeg, put

NOT_AN_IMAGE = b"# just some text, not an image\n" * 20


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def secret(self, pattern: str) -> str:
        found = re.search(pattern, self.stdout.read_text())
        assert found, self.stdout.read_text()
        return found.group(1) if found.groups() else found.group(0)

    def stop(self) -> list[dict[str, Any]]:
        """Stop the server and return its stderr, every line parsed as JSON (or fail)."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        lines = self.stderr.read_text().splitlines()
        assert lines, "nothing was logged"
        return [json.loads(line) for line in lines]


@pytest.fixture
def json_server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    env = {
        **os.environ,
        "IMGWIRED_DATABASE_URL": database_url,
        "IMGWIRED_DATA_DIR": str(tmp_path / "data"),
        "IMGWIRED_PORT": str(port),
        "IMGWIRED_JOB_POLL_SECONDS": "0.1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("IMGWIRED_LOG_FORMAT", None)
    stdout, stderr = tmp_path / "stdout", tmp_path / "stderr"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "imgwired", "serve", "--log-format", "json"],
            env=env,
            stdout=out,
            stderr=err,
        )
    server = Server(f"http://127.0.0.1:{port}", process, stdout, stderr)
    try:
        _wait_until_answering(server)
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _wait_until_answering(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            if httpx.get(f"{server.base}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(
        "server did not start:\n" + server.stdout.read_text() + server.stderr.read_text()
    )


def _image_when_settled(server: Server, headers: dict[str, str], image_id: str) -> Any:
    deadline = time.monotonic() + 60
    while True:
        image = httpx.get(f"{server.base}/api/v1/images/{image_id}", headers=headers).json()
        if image["status"] != "PROCESSING" or time.monotonic() > deadline:
            return image
        time.sleep(0.1)


def _access_record(records: list[dict[str, Any]], response: httpx.Response) -> dict[str, Any]:
    """The access record of ``response``, found by the request id it was answered with."""
    request_id = response.headers["X-Request-Id"]
    found = [
        r for r in records if r["logger"] == "imgwired.access" and r["request_id"] == request_id
    ]
    assert len(found) == 1, (request_id, records)
    return found[0]


def test_serve_writes_json_lines_with_request_ids_routes_and_no_secrets(
    json_server: Server,
) -> None:
    base = json_server.base
    server_key = json_server.secret(r"sk_[A-Za-z0-9]{43}")
    client_key = json_server.secret(r"ck_[A-Za-z0-9]{43}")
    admin_token = json_server.secret(r"adm_[A-Za-z0-9]+")
    environment_id = json_server.secret(r"Environment\s+([0-9a-f-]{36})")
    server = {"Authorization": f"Bearer {server_key}"}

    # An API call with a key, under the caller's own request id.
    listing = httpx.get(
        f"{base}/api/v1/images/?limit=1", headers={**server, "X-Request-Id": "trace-7.a:b"}
    )
    assert listing.status_code == 200
    assert listing.headers["X-Request-Id"] == "trace-7.a:b"
    # An id that is not short and plain is replaced, not echoed.
    unusable = httpx.get(f"{base}/health", headers={"X-Request-Id": "two words"})
    assert re.fullmatch(r"[0-9a-f]{32}", unusable.headers["X-Request-Id"])

    # A signed upload: a token in the query, then the upload URL's signature.
    token = httpx.post(f"{base}/api/v1/images/token", headers=server).json()["token"]
    created = httpx.post(
        f"{base}/api/v1/images/standard_upload?upload_token={token}",
        headers={"Authorization": f"Bearer {client_key}"},
        json={"file_name": "a.jpg"},
    )
    assert created.status_code == 200, created.text
    upload_url = created.json()["upload_url"]
    signature = re.search(r"signature=([^&]+)", upload_url)
    assert signature
    uploaded = httpx.put(upload_url, content=jpeg())
    assert uploaded.status_code == 200
    image_id = created.json()["image"]["id"]
    shown = httpx.get(f"{base}/api/v1/images/{image_id}", headers=server)
    image = _image_when_settled(json_server, server, image_id)
    assert image["status"] == "READY"
    delivered = httpx.get(f"{image['cdn_url']}?w=10")
    assert delivered.status_code == 200
    assert "X-Request-Id" in delivered.headers["Access-Control-Expose-Headers"]

    # Bytes that are no image: processing logs the quarantine through imgwired's own logger.
    rejected = httpx.post(
        f"{base}/api/v1/images/standard_upload", headers=server, json={"file_name": "b.jpg"}
    ).json()
    assert httpx.put(rejected["upload_url"], content=NOT_AN_IMAGE).status_code == 200
    assert _image_when_settled(json_server, server, rejected["image"]["id"])["status"] == (
        "QUARANTINE"
    )

    records = json_server.stop()
    for record in records:
        assert {"timestamp", "level", "logger", "event"} <= set(record), record
        assert "color_message" not in record
    loggers = {record["logger"] for record in records}
    assert "uvicorn.error" in loggers
    assert any(
        r["logger"] == "imgwired.processing" and rejected["image"]["id"] in r["event"]
        for r in records
    )

    listed = _access_record(records, listing)
    assert listed["level"] == "info"
    assert listed["method"] == "GET"
    assert listed["route"] == "/api/v1/images/"
    assert listed["path"] == "/api/v1/images/?limit=1"
    assert listed["environment_id"] == environment_id
    assert listed["status"] == 200
    assert isinstance(listed["duration_ms"], float) and listed["duration_ms"] >= 0
    assert listed["client"].startswith("127.0.0.1:")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", listed["timestamp"])

    assert _access_record(records, unusable)["environment_id"] is None
    with_token = _access_record(records, created)
    assert with_token["route"] == "/api/v1/images/standard_upload"
    assert with_token["path"] == "/api/v1/images/standard_upload?upload_token=[redacted]"
    assert with_token["environment_id"] == environment_id
    put_record = _access_record(records, uploaded)
    assert put_record["method"] == "PUT"
    assert put_record["route"] == "/upload/{environment_id}/{image_id}"
    assert "signature=[redacted]" in put_record["path"]
    assert put_record["environment_id"] == environment_id
    assert _access_record(records, shown)["route"] == "/api/v1/images/{image_id}"
    cdn = _access_record(records, delivered)
    assert cdn["route"] == "/cdn/{organization_id}/{environment_id}/{image_ref}"
    assert cdn["path"].startswith("/cdn/") and cdn["path"].endswith("?w=10")
    assert cdn["environment_id"] == environment_id
    assert cdn["status"] == 200

    log = json_server.stderr.read_text()
    for secret in (token, signature.group(1), server_key, client_key, admin_token):
        assert secret not in log
    assert "Bearer" not in log
    assert "authorization" not in log.lower()


def test_the_worker_writes_json_lines_too(
    app: FastAPI, client: TestClient, tenant: Tenant, settings: Settings, tmp_path: Path
) -> None:
    created = create(client, tenant.server, file_name="notes.jpg")
    assert put(client, created["upload_url"], NOT_AN_IMAGE).status_code == 200
    env = {
        **os.environ,
        "IMGWIRED_DATABASE_URL": settings.resolved_database_url,
        "IMGWIRED_DATA_DIR": str(settings.data_dir),
        "IMGWIRED_JOB_POLL_SECONDS": "0.1",
        "IMGWIRED_LOG_FORMAT": "json",  # the setting, this time, rather than the flag
    }
    stderr = tmp_path / "worker.stderr"
    with stderr.open("wb") as err:
        worker = subprocess.Popen(
            [sys.executable, "-m", "imgwired", "worker", "--threads", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        image_url = f"/api/v1/images/{created['image']['id']}"
        deadline = time.monotonic() + 60
        status = "PROCESSING"
        while status == "PROCESSING" and time.monotonic() < deadline:
            status = client.get(image_url, headers=tenant.server).json()["status"]
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=30)
    assert status == "QUARANTINE"
    assert code == 0
    records = [json.loads(line) for line in stderr.read_text().splitlines()]
    quarantined = [r for r in records if r["logger"] == "imgwired.processing"]
    assert len(quarantined) == 1, records
    assert created["image"]["id"] in quarantined[0]["event"]
    assert quarantined[0]["level"] == "info"


def test_an_unknown_log_format_is_one_clear_line(tmp_path: Path) -> None:
    env = {**os.environ, "IMGWIRED_DATA_DIR": str(tmp_path), "IMGWIRED_LOG_FORMAT": "xml"}
    done = subprocess.run(
        [sys.executable, "-m", "imgwired", "worker"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("imgwired: ")
    assert "IMGWIRED_LOG_FORMAT: input should be 'text' or 'json'" in line
