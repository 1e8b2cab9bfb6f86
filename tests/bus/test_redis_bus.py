"""What only the Redis bus has to survive: Redis going away and coming back, and a message on
its channel that is not an event. Either way nothing is missed: the bus re-reads everything."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from fastapi.testclient import TestClient

from imgwired.bus.redis_bus import RedisBus
from imgwired.config import Settings
from imgwired.web.app import create_app
from tests.bus.conftest import Process, RedisServer, wait_until
from tests.conftest import Tenant

UPLOAD = "/api/v1/images/standard_upload"
ORIGINS = "/api/v1/cors_origins/"
RECONNECT_DEADLINE = 20.0

pytestmark = pytest.mark.parametrize("bus_kind", ["redis"])


@pytest.fixture
def restartable(redis_server: RedisServer | None) -> Iterator[RedisServer]:
    if redis_server is None:
        pytest.skip("needs redis-server on PATH, to restart it")
    try:
        yield redis_server
    finally:
        redis_server.stop()
        redis_server.start()  # for the tests that follow, whatever happened here


def status(process: Process, origin: str) -> int:
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization",
    }
    return process.client.options(UPLOAD, headers=headers).status_code


def add_origin(client: TestClient, tenant: Tenant, pattern: str) -> None:
    response = client.post(ORIGINS, json={"pattern": pattern}, headers=tenant.server)
    assert response.status_code == 200, response.text


@pytest.fixture
def origin_seen(client: TestClient, tenant: Tenant, other: Process) -> None:
    """An allowlist of one, known to the other process (so other origins are refused)."""
    add_origin(client, tenant, "first.example.com")
    wait_until(lambda: status(other, "https://late.example.com") == 403, seconds=10)


@pytest.mark.usefixtures("origin_seen")
def test_a_change_made_while_redis_is_down_arrives_once_it_is_back(
    client: TestClient, tenant: Tenant, other: Process, restartable: RedisServer
) -> None:
    bus = other.services.bus
    assert isinstance(bus, RedisBus)
    resyncs = bus.resyncs
    restartable.stop()
    wait_until(lambda: not bus.listening, seconds=RECONNECT_DEADLINE)

    # Stored, and answered: telling the others fails, which is only logged.
    add_origin(client, tenant, "late.example.com")
    assert status(other, "https://late.example.com") == 403  # the poll is a minute away

    restartable.start()
    wait_until(lambda: status(other, "https://late.example.com") == 204, seconds=RECONNECT_DEADLINE)
    assert bus.resyncs > resyncs
    # And events flow again, on the new connection.
    add_origin(client, tenant, "after.example.com")
    wait_until(lambda: status(other, "https://after.example.com") == 204, seconds=5)


@pytest.mark.usefixtures("origin_seen")
def test_a_message_that_is_no_event_makes_the_bus_reread_everything(
    settings: Settings, tenant: Tenant, other: Process
) -> None:
    # A process without Redis changes the allowlist and tells nobody.
    silent = create_app(settings.model_copy(update={"redis_url": None}))
    with TestClient(silent) as silent_client:
        add_origin(silent_client, tenant, "late.example.com")
    assert status(other, "https://late.example.com") == 403

    bus = other.services.bus
    assert isinstance(bus, RedisBus) and settings.redis_url
    stranger = redis.Redis.from_url(settings.redis_url)
    for garbage in (b"\xff\xfe not json", b'{"sender": "x", "topic": "nuke", "ids": []}'):
        stranger.publish(bus.channel, garbage)
    stranger.close()
    wait_until(lambda: status(other, "https://late.example.com") == 204, seconds=10)
    assert bus.listening
