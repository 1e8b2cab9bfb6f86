"""The Redis client of one process, and the names an install's keys and channel get."""

from __future__ import annotations

import redis

# Short: a request that publishes, or a render that asks for a lease, must not hang on a Redis
# that went away; either falls back (the others poll; the render goes ahead unshared).
_TIMEOUT_SECONDS = 2.0


def redis_client(url: str) -> redis.Redis:
    """A client for ``url`` (connections are opened on first use, not here)."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=_TIMEOUT_SECONDS,
        socket_timeout=_TIMEOUT_SECONDS,
        socket_keepalive=True,
        # A half-open connection (a Redis that vanished without closing it) is found by a PING.
        health_check_interval=10,
    )


def channel_of(client: redis.Redis) -> str:
    """The install's invalidation channel. Keys are kept apart by the URL's database number,
    but pub/sub channels are global to the server, so the channel names the number too:
    installs sharing one Redis use distinct numbers and hear only their own events."""
    database = client.connection_pool.connection_kwargs.get("db", 0)
    return f"imgwired:{database}:invalidations"
