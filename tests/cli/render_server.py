"""``imgwired serve`` in a real process, with images uploaded over HTTP, for the render tests.

Renders are measured from outside, as an operator would: the server's CPU time from
``/proc/<pid>/stat``, requests on raw sockets that can be abandoned mid-render, signals.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.cli.test_serve import free_port, wait_until_serving

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    base: str
    server_key: str
    process: subprocess.Popen[str]

    @property
    def pid(self) -> int:
        return self.process.pid

    def upload(self, data: bytes) -> str:
        """Upload ``data`` through the API, wait until it is READY; its CDN URL."""
        headers = {"Authorization": f"Bearer {self.server_key}"}
        with httpx.Client(base_url=self.base, headers=headers, timeout=30) as client:
            created = client.post(
                "/api/v1/images/standard_upload",
                json={"file_name": "photo.jpg", "content_length": len(data)},
            )
            assert created.status_code == 200, created.text
            answer = created.json()
            put = httpx.put(answer["upload_url"], content=data, timeout=30)
            assert put.status_code == 200, put.text
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                image = client.get(f"/api/v1/images/{answer['image']['id']}").json()
                if image["status"] == "READY":
                    url: str = image["cdn_url"]
                    return url
                assert image["status"] in ("PENDING", "UPLOADED", "PROCESSING"), image
                time.sleep(0.05)
        raise AssertionError("the upload was not processed in time")


@contextmanager
def serve(database_url: str, data_dir: Path, **settings: str) -> Iterator[Server]:
    """``imgwired serve`` on a free loopback port with extra ``IMGWIRED_*`` settings."""
    port = free_port()
    env = {
        **os.environ,
        "IMGWIRED_DATABASE_URL": database_url,
        "IMGWIRED_DATA_DIR": str(data_dir),
        "IMGWIRED_PORT": str(port),
        "PYTHONUNBUFFERED": "1",
        **{f"IMGWIRED_{name.upper()}": value for name, value in settings.items()},
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "imgwired", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    output = wait_until_serving(process, base)
    key = re.search(r"sk_[A-Za-z0-9]{43}", output)
    assert key, output
    try:
        yield Server(base, key.group(0), process)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the process (all its threads) so far."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def resident_megabytes(pid: int) -> float:
    """The process's resident memory now (VmRSS)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/<pid>/status")


def wait_for_cpu(pid: int, seconds: float, *, within: float) -> None:
    """Return once the process has used ``seconds`` more CPU time: it is rendering."""
    start = cpu_seconds(pid)
    deadline = time.monotonic() + within
    while cpu_seconds(pid) - start < seconds:
        assert time.monotonic() < deadline, "the server never got busy"
        time.sleep(0.05)


def cpu_settles(pid: int, *, within: float, window: float = 1.0, busy: float = 0.25) -> float:
    """Seconds until the process uses less than ``busy`` CPU seconds in a ``window``; fails if
    that does not happen ``within`` seconds."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        before = cpu_seconds(pid)
        time.sleep(window)
        if cpu_seconds(pid) - before < busy:
            return time.monotonic() - started
    raise AssertionError(f"the server still burns CPU {within:.0f} s after its clients left")


def open_request(url: str) -> socket.socket:
    """Send a GET for ``url`` on a new connection and leave it waiting for the answer."""
    parts = urlsplit(url)
    connection = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80))
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path
    connection.sendall(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
    return connection
