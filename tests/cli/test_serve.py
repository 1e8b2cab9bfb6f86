"""``imgwired serve`` as a user runs it: a real process on a real socket."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.images.helpers import jpeg


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def server(served: tuple[str, str, subprocess.Popen[str]]) -> tuple[str, str]:
    base, output, _ = served
    return base, output


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    port = free_port()
    env = {
        **os.environ,
        "IMGWIRED_DATABASE_URL": database_url,
        "IMGWIRED_DATA_DIR": str(tmp_path),
        "IMGWIRED_PORT": str(port),
        "PYTHONUNBUFFERED": "1",
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
    try:
        yield base, output, process
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def wait_until_serving(process: subprocess.Popen[str], base: str) -> str:
    assert process.stdout is not None
    lines = []
    deadline = time.monotonic() + 30
    for line in process.stdout:
        lines.append(line)
        if "Uvicorn running" in line or "Application startup complete" in line:
            # The lifespan finishes before uvicorn binds its socket: wait for it to answer.
            while time.monotonic() < deadline:
                try:
                    httpx.get(f"{base}/health", timeout=1)
                except httpx.TransportError:
                    time.sleep(0.05)
                    continue
                return "".join(lines)
            break
        if time.monotonic() > deadline:
            break
    process.kill()
    process.wait()
    process.stdout.close()
    raise AssertionError("server did not start:\n" + "".join(lines))


def test_first_start_initialises_and_prints_working_keys(server: tuple[str, str]) -> None:
    base, output = server
    admin_token = re.search(r"adm_[A-Za-z0-9]+", output)
    environment = re.search(r"Environment\s+([0-9a-f-]{36})", output)
    assert admin_token and environment, output
    assert re.search(r"sk_[A-Za-z0-9]{43}", output) and re.search(r"ck_[A-Za-z0-9]{43}", output)

    headers = {
        "Authorization": f"Bearer {admin_token.group(0)}",
        "X-Environment-Id": environment.group(1),
    }
    response = httpx.get(f"{base}/api/v1/api_keys/", headers=headers)
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "2"
    assert response.headers["X-Request-Id"]


def test_oversized_headers_on_the_wire_get_a_json_431(server: tuple[str, str]) -> None:
    base, _ = server
    response = httpx.get(f"{base}/health", headers={"X-Padding": "p" * 40_000})
    assert response.status_code == 431
    assert response.json()["error_type"] == "HeadersTooLargeError"


def test_huge_headers_are_refused_by_the_server_not_a_crash(server: tuple[str, str]) -> None:
    base, _ = server
    response = httpx.get(f"{base}/health", headers={"X-Padding": "p" * 400_000})
    assert 400 <= response.status_code < 500
    assert httpx.get(f"{base}/health").status_code == 200


def test_the_access_log_never_shows_secrets(served: tuple[str, str, subprocess.Popen[str]]) -> None:
    base, _, process = served
    secret = "ut_" + "S" * 43
    response = httpx.post(
        f"{base}/api/v1/images/standard_upload?upload_token={secret}", json={"file_name": "a"}
    )
    assert response.status_code == 401
    process.terminate()
    process.wait(timeout=10)
    assert process.stdout is not None
    log = process.stdout.read()
    assert "standard_upload?upload_token=[redacted]" in log
    assert secret not in log


def test_the_default_log_is_uvicorns_text(served: tuple[str, str, subprocess.Popen[str]]) -> None:
    base, _, process = served
    assert httpx.get(f"{base}/health", headers={"X-Request-Id": "text-1"}).status_code == 200
    process.terminate()
    process.wait(timeout=10)
    assert process.stdout is not None
    log = process.stdout.read()
    assert re.search(r'INFO: +127\.0\.0\.1:\d+ - "GET /health HTTP/1\.1" 200', log), log
    assert not [line for line in log.splitlines() if line.startswith("{")]


def _raw_head(base: str, request: str, body: bytes = b"") -> bytes:
    """Send one HTTP/1.1 request over a plain socket and return the response head as sent."""
    host, port = base.removeprefix("http://").split(":")
    head = request.replace("\n", "\r\n") + f"Host: {host}\r\nConnection: close\r\n"
    if body:
        head += f"Content-Length: {len(body)}\r\n"
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    return received.partition(b"\r\n\r\n")[0]


def _header_names(head: bytes) -> set[str]:
    return {line.split(b":", 1)[0].decode() for line in head.split(b"\r\n")[1:]}


def test_header_names_go_out_in_their_canonical_case(server: tuple[str, str]) -> None:
    base, output = server
    server_key = re.search(r"sk_[A-Za-z0-9]{43}", output)
    assert server_key
    auth = f"Authorization: Bearer {server_key.group(0)}\n"

    listing = _raw_head(base, f"GET /api/v1/images/?limit=1 HTTP/1.1\n{auth}")
    assert listing.startswith(b"HTTP/1.1 200")
    assert {
        "X-Total-Count",
        "X-Page",
        "X-Limit",
        "X-Prev-Page",
        "X-Next-Page",
        "X-Request-Id",
        "Content-Type",
        "Content-Length",
    } <= _header_names(listing), listing

    error = _raw_head(base, "GET /api/v1/images/ HTTP/1.1\n")
    assert error.startswith(b"HTTP/1.1 401")
    assert {"WWW-Authenticate", "X-Request-Id", "Content-Type"} <= _header_names(error), error

    preflight = _raw_head(
        base,
        "OPTIONS /api/v1/images/standard_upload HTTP/1.1\n"
        "Origin: https://app.example.com\n"
        "Access-Control-Request-Method: POST\n"
        "Access-Control-Request-Headers: authorization, content-type\n",
    )
    assert preflight.startswith(b"HTTP/1.1 204")
    assert {
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
        "Access-Control-Max-Age",
        "Vary",
    } <= _header_names(preflight), preflight

    created = httpx.post(
        f"{base}/api/v1/images/standard_upload",
        headers={"Authorization": f"Bearer {server_key.group(0)}"},
        json={"file_name": "a.jpg"},
    ).json()
    assert httpx.put(created["upload_url"], content=jpeg()).status_code == 200
    image_url = f"{base}/api/v1/images/{created['image']['id']}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        image = httpx.get(image_url, headers={"Authorization": f"Bearer {server_key.group(0)}"})
        if image.json()["status"] == "READY":
            break
        time.sleep(0.05)
    cdn_path = image.json()["cdn_url"].removeprefix(base)
    delivered = _raw_head(base, f"GET {cdn_path}?w=10 HTTP/1.1\n")
    assert delivered.startswith(b"HTTP/1.1 200"), delivered
    assert {
        "ETag",
        "Cache-Control",
        "Content-Type",
        "Access-Control-Allow-Origin",
        "Timing-Allow-Origin",
        "X-Request-Id",
    } <= _header_names(delivered), delivered
    # Nothing goes out lowercased: every name starts with a capital letter.
    for head in (listing, error, preflight, delivered):
        assert all(name[:1].isupper() for name in _header_names(head)), head
