"""``imgwired serve --workers N``: N server processes on one port, started, kept and stopped
by one parent that did the start-up once."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import failed_json
from tests.images.helpers import path_of, png
from tests.processes import (
    ImgwiredProcess,
    free_port,
    serving,
    wait_for,
    wait_until_claimed,
)


def _env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "IMGWIRED_DATABASE_URL": database_url,
        "IMGWIRED_DATA_DIR": str(tmp_path),
        "IMGWIRED_PORT": str(free_port()),
        **extra,
    }


def _ready(server: ImgwiredProcess, count: int) -> None:
    """Wait until ``count`` server processes have finished their start-up."""
    wait_for(
        lambda: server.text().count("Application startup complete") >= count,
        f"{count} server processes to start",
    )


def _raw_get(base: str, path: str) -> bytes:
    """The response head as it went over the wire, on a new connection."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return received.partition(b"\r\n\r\n")[0]


def test_the_workers_share_the_port_after_one_start_up(database_url: str, tmp_path: Path) -> None:
    env = _env(database_url, tmp_path)
    with serving(env, "--workers", "2", "--log-format", "json") as server:
        _ready(server, 2)
        workers = server.server_pids()
        assert len(set(workers)) == 2 and server.process.pid not in workers, server.text()
        # The start-up ran once, in the parent: one set of keys printed.
        assert len(set(_keys(server.text()))) == 1, server.text()
        for _ in range(12):  # new connections, taken by whichever process accepts first
            head = _raw_get(server.base, "/health")
            assert head.startswith(b"HTTP/1.1 200"), head
            assert b"\r\nX-Request-Id: " in head and b"x-request-id" not in head, head
        # Each process logs in the configured format: its start is a JSON record.
        started = [line for line in server.output if "Started server process" in line]
        assert len(started) == 2
        assert all(json.loads(line)["logger"] == "uvicorn.error" for line in started), started


def test_a_killed_worker_is_replaced_and_sigterm_stops_them_all(
    database_url: str, tmp_path: Path
) -> None:
    env = _env(database_url, tmp_path, IMGWIRED_WORKERS="2", IMGWIRED_SHUTDOWN_TIMEOUT_SECONDS="5")
    with serving(env) as server:
        _ready(server, 2)
        first, second = server.server_pids()
        os.kill(first, signal.SIGKILL)
        wait_for(lambda: len(server.server_pids()) == 3, "the dead worker to be replaced")
        _ready(server, 3)
        replacement = server.server_pids()[2]
        assert replacement not in (first, second)
        assert httpx.get(f"{server.base}/health", timeout=10).status_code == 200

        # An upload in flight when SIGTERM comes is let finish.
        data = png(64, 48)
        created = httpx.post(
            f"{server.base}/api/v1/images/standard_upload",
            json={"file_name": "a.png", "content_length": len(data)},
            headers={"Authorization": f"Bearer {server.server_key()}"},
            timeout=10,
        ).json()
        target = path_of(created["upload_url"])
        with socket.create_connection(("127.0.0.1", int(env["IMGWIRED_PORT"])), 10) as upload:
            upload.sendall(
                f"PUT {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {len(data)}\r\n"
                "Content-Type: image/png\r\n\r\n".encode()
                + data[: len(data) // 2]
            )
            wait_until_claimed(database_url, [created["image"]["id"]])
            server.process.send_signal(signal.SIGTERM)
            wait_for(lambda: "Shutting down" in server.text(), "the workers to begin stopping")
            upload.sendall(data[len(data) // 2 :])
            answer = upload.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200"), answer
        assert server.process.wait(timeout=30) == 0, server.text()
        for pid in (second, replacement):
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
    assert not (tmp_path / "server.json").exists()


def _keys(text: str) -> list[str]:
    return re.findall(r"sk_[A-Za-z0-9]{43}", text)


@pytest.mark.usefixtures("configured")
@pytest.mark.parametrize(
    ("argv", "environ", "named"),
    [
        (["serve", "--workers", "0"], {}, "--workers"),
        (["serve", "--workers", "two"], {}, "--workers"),
        (["serve"], {"IMGWIRED_WORKERS": "0"}, "IMGWIRED_WORKERS"),
    ],
)
def test_workers_are_at_least_one(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    environ: dict[str, str],
    named: str,
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    code, error = failed_json(capsys, *argv)
    assert code == 2
    assert named in error["detail"], error
