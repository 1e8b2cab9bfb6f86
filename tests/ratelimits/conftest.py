"""Rate-limit fixtures: every bucket store (this process's memory, Redis), each test with keys of
its own, and a clock the test moves."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis

from imgwired.bus.redis_client import redis_client
from imgwired.ratelimits.buckets import BucketStore, MemoryBuckets
from imgwired.ratelimits.redis_buckets import RedisBuckets

REDIS_URL = os.environ.get("IMGWIRED_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class Clock:
    """Unix time that moves only when the test says: refills are exact, nothing sleeps."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix no other test uses; its keys are deleted afterwards."""
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as error:
        connection.close()
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    prefix = f"imgwired-test:{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        keys = list(connection.scan_iter(match=prefix + "*"))
        if keys:
            connection.delete(*keys)
        connection.close()


@pytest.fixture(params=["memory", "redis"])
def buckets(request: pytest.FixtureRequest) -> Iterator[BucketStore]:
    store: BucketStore
    if request.param == "memory":
        store = MemoryBuckets()
    else:
        store = RedisBuckets(
            redis_client(REDIS_URL), prefix=request.getfixturevalue("redis_prefix")
        )
    try:
        yield store
    finally:
        store.close()
