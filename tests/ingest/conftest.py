"""Fixtures for the fetcher tests: a loopback server, and a guard on every outgoing connection.

The guard wraps ``socket.create_connection`` (what httpcore dials with) so that every test both
records where connections went and fails, instead of connecting, if anything but loopback is
dialled. Nothing in these tests may reach a real private or public address.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from tests.ingest.helpers import LoopbackServer, running_server


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with running_server() as owner:
        yield owner


@pytest.fixture(autouse=True)
def dialed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record every outgoing TCP connection; fail any that is not to a loopback address."""
    calls: list[tuple[str, int]] = []
    real = socket.create_connection

    def guarded(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        calls.append(address)
        host = address[0]
        if host not in ("127.0.0.1", "::1"):
            raise AssertionError(f"test tried to connect to {host!r}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return calls
