"""Hostile renders against ``imgwired serve``: cheap renders stay fast while heavy ones run,
renders whose clients leave stop, and SIGTERM ends the process with renders in flight."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli.render_server import (
    Server,
    cpu_settles,
    open_request,
    resident_megabytes,
    serve,
    wait_for_cpu,
)
from tests.images.helpers import noisy_jpeg

# Heavy but allowed: the test server's budget is raised so that an 8192x8192 blurred PNG
# (about 10 s of one core each) passes; the defaults refuse it.
GENEROUS = {
    "max_output_pixels": str(8192 * 8192),
    "max_render_cost": "100000000",
    "render_timeout_seconds": "300",
}


def heavy(cdn_url: str, number: int) -> str:
    return f"{cdn_url}?w=8192&h=8192&enlarge=1&resizing_type=fill&blur={90 + number}&format=png"


def held_in_memory(cdn_url: str, number: int) -> str:
    query = f"w=6000&h=6000&enlarge=1&resizing_type=fill&rot={20 + number}&blur=90&format=png"
    return f"{cdn_url}?{query}"


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[Server]:
    with serve(database_url, tmp_path, **GENEROUS) as running:
        yield running


def test_a_cheap_render_is_not_queued_behind_heavy_ones(server: Server) -> None:
    big = server.upload(noisy_jpeg(1200, 900))
    small = server.upload(noisy_jpeg(1000, 800))
    pending = [open_request(heavy(big, number)) for number in range(4)]
    try:
        wait_for_cpu(server.pid, 1.0, within=30)
        started = time.monotonic()
        cheap = httpx.get(f"{small}?w=77", timeout=15)
        elapsed = time.monotonic() - started
        assert cheap.status_code == 200, cheap.text
        assert elapsed < 5, f"a cheap render waited {elapsed:.1f} s behind heavy ones"
    finally:
        for connection in pending:
            connection.close()


def test_renders_stop_when_their_clients_leave_and_give_their_memory_back(
    server: Server,
) -> None:
    big = server.upload(noisy_jpeg(1200, 900))
    baseline = resident_megabytes(server.pid)
    # Turned by a few degrees, each render holds its 6000x6000 picture in memory (~140 MB).
    pending = [open_request(held_in_memory(big, number)) for number in range(3)]
    wait_for_cpu(server.pid, 2.0, within=30)
    assert resident_megabytes(server.pid) > baseline + 100
    for connection in pending:
        connection.close()
    # Nobody waits for the renders any more: libvips is told to stop them.
    cpu_settles(server.pid, within=8)
    assert resident_megabytes(server.pid) < baseline + 50


def test_sigterm_stops_the_server_within_ten_seconds_with_renders_in_flight(
    server: Server,
) -> None:
    big = server.upload(noisy_jpeg(1200, 900))
    pending: list[socket.socket] = [open_request(heavy(big, number)) for number in range(3)]
    try:
        wait_for_cpu(server.pid, 1.0, within=30)
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail("the server was still running 10 s after SIGTERM")
        assert time.monotonic() - started < 10
    finally:
        for connection in pending:
            connection.close()
