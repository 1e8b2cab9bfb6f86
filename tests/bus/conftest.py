"""Two imgwired processes on one database, talking through the bus under test.

Every test here runs twice: ``poll`` (no Redis: the other process polls the database) and
``redis`` (a Redis server of this test session, started from ``redis-server`` on a free port so
that a test may restart it; without the binary, the server at 127.0.0.1:6379). Each test gets
its own Redis database number, which also names its channel, so no test hears another's events.
"""

from __future__ import annotations

import itertools
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from imgwired.bus.redis_bus import RedisBus
from imgwired.config import Settings
from imgwired.container import Services
from imgwired.web.app import create_app
from tests.conftest import Tenant

SHARED_REDIS = "redis://127.0.0.1:6379"
# With Redis, the polls are pushed out of the way: what arrives, arrives through the bus.
SLOW_POLL = {"cors_poll_seconds": 60.0, "custom_domain_poll_seconds": 60.0}
_databases = itertools.count()


class RedisServer:
    """A ``redis-server`` on loopback that a test may stop and start again, on the same port."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, database: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None
        command = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.directory)]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=1)
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    assert time.monotonic() < deadline, "redis-server did not start"
                    time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=20)
            self._process = None


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer | None]:
    """This session's own Redis, or None when there is no ``redis-server`` to start."""
    if shutil.which("redis-server") is None:
        yield None
        return
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer | None) -> str:
    database = next(_databases) % 16
    url = redis_server.url(database) if redis_server else f"{SHARED_REDIS}/{database}"
    client = redis.Redis.from_url(url)
    client.flushdb()  # render leases a former test left
    client.close()
    return url


@pytest.fixture(params=["poll", "redis"])
def bus_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def settings(settings: Settings, bus_kind: str, request: pytest.FixtureRequest) -> Settings:
    """The shared settings, with Redis (and slow polls) when the bus under test is Redis'."""
    if bus_kind == "poll":
        return settings
    url: str = request.getfixturevalue("redis_url")
    return settings.model_copy(update={"redis_url": url, **SLOW_POLL})


@dataclass
class Process:
    app: FastAPI
    client: TestClient

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services


@pytest.fixture
def other(settings: Settings, app: FastAPI, client: TestClient) -> Iterator[Process]:
    """A second process on the same database, blob store and Redis as ``client``'s."""
    second = create_app(settings)
    with TestClient(second, raise_server_exceptions=False) as second_client:
        for bus in (app.state.services.bus, second.state.services.bus):
            if isinstance(bus, RedisBus):
                assert bus.wait_listening(20), "the bus never subscribed"
        yield Process(second, second_client)


def wait_until(condition: object, *, seconds: float) -> float:
    """Seconds until ``condition()`` held (checked every 2 ms); fails after ``seconds``."""
    assert callable(condition)
    start = time.monotonic()
    while not condition():
        elapsed = time.monotonic() - start
        assert elapsed < seconds, f"not seen within {seconds} s"
        time.sleep(0.002)
    return time.monotonic() - start


__all__ = ["Process", "Tenant", "wait_until"]
